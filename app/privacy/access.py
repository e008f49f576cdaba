"""Subject access: everything Corner holds about one parent, gathered in a fixed number of
statements (seven, however long her history).

``gather`` returns plain data, keyed as ``data.json`` is: codes are turned into the words
people read (``app.domain`` labels, ``app.equality.label``, language names), other people
appear by their role only, and volunteers by their first name only. Dates stay ``date`` and
``datetime`` objects; ``app.privacy.package`` writes them as ISO text or friendly dates.

What is left out, and why: the search columns (a copy of the name and contact details, kept
only for the search), the audit events' internet addresses and details (they are about the
person who acted), and the outbox (emails name a case reference, never a parent's details).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.orm import aliased

from app import equality
from app.audit_labels import AUDIT_ACTION_LABELS, AUDIT_OBJECT_LABELS
from app.domain import (
    AVAILABILITY_LABELS,
    CASE_STATUS_LABELS,
    CHECKIN_MODE_LABELS,
    CLOSE_REASON_LABELS,
    CONCERN_LABELS,
    CONSENT_METHODS,
    CONTACT_MODE_LABELS,
    END_REASON_LABELS,
    EXPERIENCE_TAGS,
    FLAG_STATUS_LABELS,
    OUTCOME_LABELS,
    RULE_LABELS,
    SEVERITY_LABELS,
    TOPIC_LABELS,
    ServiceError,
    case_reference,
)
from app.extensions import SessionLike
from app.languages import language_name
from app.models import (
    Area,
    Assignment,
    AuditEvent,
    Case,
    CheckIn,
    EscalationFlag,
    MatchExclusion,
    Parent,
    User,
)
from app.privacy.access_words import (
    AUTOMATIC,
    CHECKIN_STATUS_WORDS,
    EXCLUSION_WORDS,
    NO_ACTOR,
    ROLE_WORDS,
)

CONSENT_METHOD_LABELS = dict(CONSENT_METHODS)
#: the audit action of a subject access download (page or command line)
SUBJECT_ACCESS = "privacy.subject_access"


class UnknownParent(ServiceError):
    """No parent has this reference."""


def _words(labels: dict[str, str], code: str | None) -> str | None:
    """The label of a code; a stored value that is not a code (an import's words) as it is."""
    if code is None:
        return None
    return labels.get(code, code)


def _all_words(labels: dict[str, str], codes: list[str] | None) -> list[str]:
    return [labels.get(code, code) for code in codes or []]


def _role(role: str | None) -> str | None:
    return None if role is None else ROLE_WORDS.get(role, role)


def parent_id_for_ref(session: SessionLike, ref: str) -> int:
    """The id of the parent with this reference; ``UnknownParent`` when there is none."""
    parent_id = session.scalar(select(Parent.id).where(Parent.ref == ref))
    if parent_id is None:
        raise UnknownParent(f"No parent has the reference {ref!r}.")
    return parent_id


def gather(session: SessionLike, parent_id: int, now: datetime) -> dict[str, Any]:
    """Everything Corner holds about one parent, as plain data (``UnknownParent`` if none)."""
    row = session.execute(
        select(Parent, Area.name)
        .outerjoin(Area, Area.id == Parent.area_id)
        .where(Parent.id == parent_id)
    ).first()
    if row is None:
        raise UnknownParent("No such parent.")
    parent, area_name = row
    case_ids = select(Case.id).where(Case.parent_id == parent_id)
    return {
        "generated_at": now,
        "reference": parent.ref,
        "parent": _parent(parent, area_name),
        "consent": {
            "consent_on": parent.consent_on,
            "consent_method": _words(CONSENT_METHOD_LABELS, parent.consent_method),
            "consent_scope": parent.consent_scope,
        },
        "cases": _cases(session, parent_id),
        "assignments": _assignments(session, parent_id),
        "checkins": _checkins(session, parent_id),
        "flags": _flags(session, parent_id),
        "exclusions": _exclusions(session, parent_id),
        "audit": _audit(session, parent_id, case_ids),
    }


def _parent(parent: Parent, area_name: str | None) -> dict[str, Any]:
    location = None
    if parent.latitude is not None and parent.longitude is not None:
        location = f"{parent.latitude:.5f}, {parent.longitude:.5f}"
    return {
        "reference": parent.ref,
        "first_name": parent.first_name,
        "last_name": parent.last_name,
        "email": parent.email,
        "phone": parent.phone,
        "postcode": parent.postcode,
        "location": location,
        "languages": [language_name(code) for code in parent.languages or []],
        "due_date": parent.due_date,
        "birth_date": parent.birth_date,
        "experiences": _all_words(EXPERIENCE_TAGS, parent.tags),
        "contact_mode": _words(CONTACT_MODE_LABELS, parent.contact_mode),
        "availability": _all_words(AVAILABILITY_LABELS, parent.availability),
        "referral_source": parent.referral_source,
        "referred_on": parent.referred_on,
        "area": area_name,
        **{name: equality.label(name, getattr(parent, name)) for name in equality.FIELD_NAMES},
        "created_at": parent.created_at,
        "updated_at": parent.updated_at,
    }


def _cases(session: SessionLike, parent_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Case, Area.name, User.role)
        .outerjoin(Area, Area.id == Case.area_id)
        .outerjoin(User, User.id == Case.owner_id)
        .where(Case.parent_id == parent_id)
        .order_by(Case.referred_at, Case.id)
    )
    return [
        {
            "case": case_reference(case.id),
            "status": _words(CASE_STATUS_LABELS, case.status),
            "high_risk": case.high_risk,
            "referred_at": case.referred_at,
            "closed_at": case.closed_at,
            "close_reason": _words(CLOSE_REASON_LABELS, case.close_reason),
            "area": area_name,
            "coordinator": _role(owner_role),
        }
        for case, area_name, owner_role in rows
    ]


def _assignments(session: SessionLike, parent_id: int) -> list[dict[str, Any]]:
    volunteer = aliased(User)
    by = aliased(User)
    rows = session.execute(
        select(Assignment, volunteer.first_name, by.role)
        .join(Case, Case.id == Assignment.case_id)
        .join(volunteer, volunteer.id == Assignment.volunteer_id)
        .outerjoin(by, by.id == Assignment.assigned_by_id)
        .where(Case.parent_id == parent_id)
        .order_by(Assignment.started_at, Assignment.id)
    )
    return [
        {
            "case": case_reference(a.case_id),
            "volunteer": first_name,
            "started_at": a.started_at,
            "ended_at": a.ended_at,
            "end_reason": _words(END_REASON_LABELS, a.end_reason),
            "assigned_by": _role(by_role),
        }
        for a, first_name, by_role in rows
    ]


def _checkins(session: SessionLike, parent_id: int) -> list[dict[str, Any]]:
    volunteer = aliased(User)
    deleter = aliased(User)
    rows = session.execute(
        select(CheckIn, volunteer.first_name, deleter.role)
        .join(Case, Case.id == CheckIn.case_id)
        .join(volunteer, volunteer.id == CheckIn.volunteer_id)
        .outerjoin(deleter, deleter.id == CheckIn.deleted_by_id)
        .where(Case.parent_id == parent_id)
        .order_by(CheckIn.occurred_at, CheckIn.id)
    )
    return [
        {
            "case": case_reference(c.case_id),
            "occurred_at": c.occurred_at,
            "mode": _words(CHECKIN_MODE_LABELS, c.mode),
            "duration_min": c.duration_min,
            "reached": c.successful,
            "wellbeing": c.wellbeing,
            "bonding": c.bonding,
            "felt_down": c.whooley_down,
            "little_interest": c.whooley_interest,
            "topics": _all_words(TOPIC_LABELS, c.topics),
            "concerns": _all_words(CONCERN_LABELS, c.concerns),
            "coordinator_today": c.coordinator_today,
            "notes": c.notes,
            "status": _words(CHECKIN_STATUS_WORDS, c.status),
            "recorded_by": first_name,
            "submitted_at": c.submitted_at,
            "deleted_at": c.deleted_at,
            "deleted_by": _role(deleter_role),
        }
        for c, first_name, deleter_role in rows
    ]


def _flags(session: SessionLike, parent_id: int) -> list[dict[str, Any]]:
    acknowledger = aliased(User)
    resolver = aliased(User)
    rows = session.execute(
        select(EscalationFlag, acknowledger.role, resolver.role)
        .join(Case, Case.id == EscalationFlag.case_id)
        .outerjoin(acknowledger, acknowledger.id == EscalationFlag.acknowledged_by_id)
        .outerjoin(resolver, resolver.id == EscalationFlag.resolved_by_id)
        .where(Case.parent_id == parent_id)
        .order_by(EscalationFlag.raised_at, EscalationFlag.id)
    )
    flags = []
    for f, acknowledged_role, resolved_role in rows:
        resolved_by = _role(resolved_role)
        if f.resolved_at is not None and resolved_by is None:
            resolved_by = AUTOMATIC
        flags.append(
            {
                "case": case_reference(f.case_id),
                "concern": _words(RULE_LABELS, f.rule),
                "severity": _words(SEVERITY_LABELS, f.severity),
                "why": f.evidence,
                "raised_at": f.raised_at,
                "status": _words(FLAG_STATUS_LABELS, f.status),
                "acknowledged_at": f.acknowledged_at,
                "acknowledged_by": _role(acknowledged_role),
                "resolved_at": f.resolved_at,
                "resolved_by": resolved_by,
                "outcome": _words(OUTCOME_LABELS, f.outcome),
                "resolution_note": f.resolution_note,
            }
        )
    return flags


def _exclusions(session: SessionLike, parent_id: int) -> list[dict[str, Any]]:
    volunteer = aliased(User)
    by = aliased(User)
    rows = session.execute(
        select(MatchExclusion, volunteer.first_name, by.role)
        .join(volunteer, volunteer.id == MatchExclusion.volunteer_id)
        .outerjoin(by, by.id == MatchExclusion.created_by_id)
        .where(MatchExclusion.parent_id == parent_id)
        .order_by(MatchExclusion.created_at, MatchExclusion.id)
    )
    return [
        {
            "volunteer": first_name,
            "reason": _words(EXCLUSION_WORDS, x.reason),
            "recorded_at": x.created_at,
            "recorded_by": _role(by_role),
        }
        for x, first_name, by_role in rows
    ]


def _audit(session: SessionLike, parent_id: int, case_ids: Any) -> list[dict[str, Any]]:
    """The events about her record: her parent row, her cases, their check-ins and flags."""

    def ids_of(column: Any, where: Any) -> Any:
        return select(cast(column, String)).where(where)

    checkin_ids = ids_of(CheckIn.id, CheckIn.case_id.in_(case_ids))
    flag_ids = ids_of(EscalationFlag.id, EscalationFlag.case_id.in_(case_ids))
    actor = aliased(User)
    rows = session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.object_type, actor.role)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(
            or_(
                and_(AuditEvent.object_type == "parent", AuditEvent.object_id == str(parent_id)),
                and_(
                    AuditEvent.object_type == "case",
                    AuditEvent.object_id.in_(ids_of(Case.id, Case.parent_id == parent_id)),
                ),
                and_(AuditEvent.object_type == "checkin", AuditEvent.object_id.in_(checkin_ids)),
                and_(AuditEvent.object_type == "flag", AuditEvent.object_id.in_(flag_ids)),
            )
        )
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    return [
        {
            "at": at,
            "action": AUDIT_ACTION_LABELS.get(action, action),
            "record": AUDIT_OBJECT_LABELS.get(object_type or "", object_type),
            "by": _role(role) or NO_ACTOR,
        }
        for at, action, object_type, role in rows
    ]
