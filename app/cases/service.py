"""Case work services: referrals, cases, check-ins. Session + now in; flush, never commit."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from app.domain import CaseStatus, CheckInStatus, ServiceError
from app.escalation.hooks import on_case_facts_changed, on_checkin_submitted
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, Parent, User
from app.timeutil import local_date

#: A volunteer may change a submitted check-in for this long after submitting it.
VOLUNTEER_EDIT_WINDOW = timedelta(hours=24)
#: Times up to this far in the future are accepted (clocks differ a little).
FUTURE_GRACE = timedelta(minutes=5)
CLOSED_BY_CASE = "case closed"
#: Changing any of these on a submitted check-in runs the immediate rules again.
RULE_FIELDS = frozenset(
    {
        "successful",
        "wellbeing",
        "bonding",
        "whooley_down",
        "whooley_interest",
        "concerns",
        "coordinator_today",
    }
)
#: The parent's details the escalation rules read: changing one re-evaluates their cases.
RULE_DATES = frozenset({"due_date", "birth_date"})


class CaseError(ServiceError):
    """A request that cannot be done in the case's current state; the message says why."""


# --------------------------------------------------------------------------- parents


@dataclass
class ParentData:
    """What a referral or an edit says about a parent (already validated)."""

    first_name: str
    last_name: str = ""
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    languages: list[str] = field(default_factory=list)
    due_date: date | None = None
    birth_date: date | None = None
    tags: list[str] = field(default_factory=list)
    contact_mode: str | None = None
    availability: list[str] = field(default_factory=list)
    referral_source: str | None = None
    consent_on: date | None = None
    consent_method: str | None = None
    consent_scope: str | None = None
    # equality monitoring (``app.equality``): codes, None = not recorded
    ethnic_group: str | None = None
    age_band: str | None = None
    first_time_parent: str | None = None
    disability: str | None = None
    interpreter_needed: str | None = None


def normalise_postcode(postcode: str | None) -> str | None:
    if not postcode:
        return None
    compact = "".join(postcode.split()).upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


def _apply(parent: Parent, data: ParentData) -> list[str]:
    """Copy data onto the parent; return the names of the fields that changed."""
    changed = []
    for f in fields(ParentData):
        value = getattr(data, f.name)
        if f.name == "postcode":
            value = normalise_postcode(value)
        if f.name == "email" and value:
            value = value.lower()
        if getattr(parent, f.name) != value:
            setattr(parent, f.name, value)
            changed.append(f.name)
    return changed


def _assign_ref(session: SessionLike, parent: Parent, case: Case) -> None:
    """A parent referred in Corner has no reference of the charity's: she carries her case's
    (``C-00185``), so a case has one Corner reference everywhere (unique: the case id is)."""
    ref = case.reference
    taken = session.scalar(select(func.count()).where(Parent.ref == ref))
    if taken:  # an imported reference happens to look like ours
        ref = f"{ref}-{secrets.token_hex(2)}"
    parent.ref = ref


def create_referral(
    session: SessionLike,
    now: datetime,
    data: ParentData,
    *,
    area_id: int | None,
    owner_id: int | None = None,
    high_risk: bool = False,
    self_referral: bool = False,
) -> Case:
    """A new parent and their case: ``waiting``, or ``referred`` for a self-referral."""
    parent = Parent(
        ref=f"tmp-{secrets.token_hex(8)}",
        first_name="",
        referred_on=local_date(now),
        area_id=area_id,
        created_at=now,
        updated_at=now,
    )
    _apply(parent, data)
    case = Case(
        parent=parent,
        status=(CaseStatus.REFERRED if self_referral else CaseStatus.WAITING).value,
        area_id=area_id,
        owner_id=owner_id,
        high_risk=high_risk,
        referred_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add_all([parent, case])
    session.flush()
    _assign_ref(session, parent, case)
    session.flush()
    return case


def update_parent(
    session: SessionLike, now: datetime, parent: Parent, data: ParentData
) -> list[str]:
    """Change the parent's details; return the names of the fields that changed. New dates
    re-evaluate the scheduled rules for the parent's cases at once."""
    changed = _apply(parent, data)
    if changed:
        parent.updated_at = now
        session.flush()
    if RULE_DATES & set(changed):
        cases = session.scalars(select(Case.id).where(Case.parent_id == parent.id))
        on_case_facts_changed(session, now, cases)
    return changed


# --------------------------------------------------------------------------- cases


def set_high_risk(session: SessionLike, now: datetime, case: Case, value: bool) -> None:
    case.high_risk = value
    case.updated_at = now
    session.flush()
    on_case_facts_changed(session, now, [case.id])


def accept_referral(session: SessionLike, now: datetime, case: Case) -> None:
    """A coordinator accepts a self-referral: it joins the waiting list proper."""
    if case.status != CaseStatus.REFERRED:
        raise CaseError("Only a new self-referral can be accepted.")
    case.status = CaseStatus.WAITING.value
    case.updated_at = now
    session.flush()
    on_case_facts_changed(session, now, [case.id])


def close_case(session: SessionLike, now: datetime, case: Case, reason: str) -> None:
    """Close the case, end any open assignment ("case closed") and resolve its open flags
    (every rule's: the scheduled rules' evaluation of a closed case does)."""
    if case.status == CaseStatus.CLOSED:
        raise CaseError("This case is already closed.")
    open_assignment = session.scalar(
        select(Assignment).where(Assignment.case_id == case.id, Assignment.ended_at.is_(None))
    )
    if open_assignment is not None:
        open_assignment.ended_at = now
        open_assignment.end_reason = CLOSED_BY_CASE
    case.status = CaseStatus.CLOSED.value
    case.closed_at = now
    case.close_reason = reason
    case.updated_at = now
    session.flush()
    on_case_facts_changed(session, now, [case.id])


def reopen_case(session: SessionLike, now: datetime, case: Case) -> None:
    """A closed case goes back to the waiting list (and the scheduled rules look at it again:
    a parent referred long ago is waiting for a volunteer at once)."""
    if case.status != CaseStatus.CLOSED:
        raise CaseError("Only a closed case can be reopened.")
    case.status = CaseStatus.WAITING.value
    case.closed_at = None
    case.close_reason = None
    case.updated_at = now
    session.flush()
    on_case_facts_changed(session, now, [case.id])


# --------------------------------------------------------------------------- check-ins


@dataclass
class CheckInData:
    """What the check-in form says (already validated)."""

    occurred_at: datetime
    mode: str
    duration_min: int | None = None
    successful: bool = True
    wellbeing: int | None = None
    bonding: int | None = None
    whooley_down: bool | None = None
    whooley_interest: bool | None = None
    topics: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    coordinator_today: bool = False
    notes: str = ""


def checkin_problems(data: CheckInData, now: datetime, *, submitting: bool) -> dict[str, str]:
    """Rules the form alone cannot check: {field name: message}."""
    problems: dict[str, str] = {}
    if data.occurred_at > now + FUTURE_GRACE:
        problems["occurred_at"] = "The time cannot be in the future."
    if submitting and data.successful and data.wellbeing is None:
        problems["wellbeing"] = "Choose how the parent was feeling."
    return problems


def _write(checkin: CheckIn, data: CheckInData) -> list[str]:
    changed = []
    for f in fields(CheckInData):
        value = getattr(data, f.name)
        if not data.successful and f.name in ("wellbeing", "bonding", "whooley_down"):
            value = None  # nothing to record about someone we did not reach
        if not data.successful and f.name == "whooley_interest":
            value = None
        if getattr(checkin, f.name) != value:
            setattr(checkin, f.name, value)
            changed.append(f.name)
    return changed


def create_checkin(
    session: SessionLike,
    now: datetime,
    case: Case,
    volunteer: User,
    data: CheckInData,
    *,
    submit: bool,
) -> CheckIn:
    """A new check-in by the case's volunteer: a draft, or submitted (rules run at once)."""
    checkin = CheckIn(
        case_id=case.id,
        volunteer_id=volunteer.id,
        status=CheckInStatus.DRAFT.value,
        created_at=now,
        updated_at=now,
    )
    _write(checkin, data)
    session.add(checkin)
    session.flush()
    if submit:
        submit_checkin(session, now, checkin)
    return checkin


def submit_checkin(session: SessionLike, now: datetime, checkin: CheckIn) -> None:
    """Submit: the immediate rules, then the scheduled ones for the case, in this transaction."""
    checkin.status = CheckInStatus.SUBMITTED.value
    checkin.submitted_at = now
    checkin.updated_at = now
    session.flush()
    on_checkin_submitted(session, checkin, now)
    on_case_facts_changed(session, now, [checkin.case_id])


def volunteer_may_edit(checkin: CheckIn, now: datetime) -> bool:
    """Drafts always; a submitted check-in for 24 hours after submitting; deleted never."""
    if checkin.status == CheckInStatus.DRAFT:
        return True
    if checkin.status == CheckInStatus.SUBMITTED and checkin.submitted_at is not None:
        return now - checkin.submitted_at < VOLUNTEER_EDIT_WINDOW
    return False


def update_checkin(
    session: SessionLike, now: datetime, checkin: CheckIn, data: CheckInData, *, submit: bool
) -> list[str]:
    """The volunteer changes their draft (and maybe submits it) or a recent submission."""
    was_submitted = checkin.status == CheckInStatus.SUBMITTED
    changed = _write(checkin, data)
    checkin.updated_at = now
    session.flush()
    if submit and checkin.status == CheckInStatus.DRAFT:
        submit_checkin(session, now, checkin)
        changed.append("status")
        return changed
    if was_submitted and RULE_FIELDS & set(changed):
        # A concern added after submitting must reach a coordinator just the same.
        on_checkin_submitted(session, checkin, now)
    on_case_facts_changed(session, now, [checkin.case_id])  # a draft touched, a time moved
    return changed


def correct_checkin(
    session: SessionLike, now: datetime, checkin: CheckIn, data: CheckInData
) -> list[str]:
    """A coordinator corrects a submitted check-in; returns the changed field names."""
    if checkin.status != CheckInStatus.SUBMITTED:
        raise CaseError("Only a submitted check-in can be corrected.")
    changed = _write(checkin, data)
    if changed:
        checkin.updated_at = now
        session.flush()
    if RULE_FIELDS & set(changed):
        on_checkin_submitted(session, checkin, now)
    if changed:
        on_case_facts_changed(session, now, [checkin.case_id])
    return changed


def delete_checkin(session: SessionLike, now: datetime, checkin: CheckIn, by: User) -> None:
    """Soft delete: the row stays, with who deleted it and when; it is hidden everywhere."""
    if checkin.status == CheckInStatus.DELETED:
        raise CaseError("This check-in is already deleted.")
    checkin.status = CheckInStatus.DELETED.value
    checkin.deleted_at = now
    checkin.deleted_by_id = by.id
    checkin.updated_at = now
    session.flush()
    on_case_facts_changed(session, now, [checkin.case_id])


def restore_checkin(session: SessionLike, now: datetime, checkin: CheckIn) -> None:
    """Undo a soft delete: back to submitted if it had been submitted, else to draft."""
    if checkin.status != CheckInStatus.DELETED:
        raise CaseError("Only a deleted check-in can be restored.")
    submitted = checkin.submitted_at is not None
    checkin.status = (CheckInStatus.SUBMITTED if submitted else CheckInStatus.DRAFT).value
    checkin.deleted_at = None
    checkin.deleted_by_id = None
    checkin.updated_at = now
    session.flush()
    on_case_facts_changed(session, now, [checkin.case_id])
