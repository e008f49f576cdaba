"""The counts on each role's home page, and the coordinator's "what needs me today"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case as sql_case
from sqlalchemy import func, or_, select
from sqlalchemy.orm import load_only

from app.domain import (
    CaseStatus,
    CheckInStatus,
    EmailStatus,
    FlagStatus,
    Role,
    Severity,
    VolunteerStatus,
)
from app.extensions import SessionLike
from app.matching.queries import visible_volunteers
from app.models import (
    Assignment,
    Case,
    CheckIn,
    EscalationFlag,
    OutboxEmail,
    Parent,
    User,
    VolunteerProfile,
)
from app.scope import visible_cases

#: how far ahead the home page looks for DBS checks to renew
EXPIRY_DAYS = 30
#: how many of the longest-waiting parents and soon-expiring volunteers the home page lists
HOME_LIST_LENGTH = 5


def open_assignment_count(session: SessionLike, volunteer: User) -> int:
    """How many parents this volunteer supports now."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Case, Assignment.case_id == Case.id)
            .where(
                Assignment.volunteer_id == volunteer.id,
                Assignment.ended_at.is_(None),
                visible_cases(volunteer),
            )
        )
        or 0
    )


def draft_count(session: SessionLike, volunteer: User) -> int:
    """How many check-in drafts this volunteer has for parents still hers (as My drafts)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .join(Case, CheckIn.case_id == Case.id)
            .where(
                CheckIn.volunteer_id == volunteer.id,
                CheckIn.status == CheckInStatus.DRAFT,
                visible_cases(volunteer),
            )
        )
        or 0
    )


def case_counts_by_status(session: SessionLike, user: User) -> dict[str, int]:
    """{case status: how many} of the cases this user may see."""
    rows = session.execute(
        select(Case.status, func.count()).where(visible_cases(user)).group_by(Case.status)
    )
    return {status: count for status, count in rows}


def user_counts_by_role(session: SessionLike) -> dict[str, int]:
    """{role: how many accounts}."""
    rows = session.execute(select(User.role, func.count()).group_by(User.role))
    return {role: count for role, count in rows}


def failed_email_count(session: SessionLike) -> int:
    """How many outbox emails could not be sent."""
    return (
        session.scalar(
            select(func.count())
            .select_from(OutboxEmail)
            .where(OutboxEmail.status == EmailStatus.FAILED)
        )
        or 0
    )


# --------------------------------------------------------------------------- what needs me today


@dataclass
class FlagCounts:
    urgent_not_acknowledged: int
    unresolved: int


def flags_needing_attention(session: SessionLike, user: User) -> FlagCounts:
    """Urgent flags nobody has acknowledged yet, and all flags not yet resolved (one statement)."""
    urgent_open = (EscalationFlag.severity == Severity.URGENT.value) & (
        EscalationFlag.status == FlagStatus.OPEN.value
    )
    urgent, unresolved = session.execute(
        select(
            func.coalesce(func.sum(sql_case((urgent_open, 1), else_=0)), 0),
            func.count(EscalationFlag.id),
        )
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(EscalationFlag.status != FlagStatus.RESOLVED.value, visible_cases(user))
    ).one()
    return FlagCounts(int(urgent), int(unresolved))


@dataclass
class WaitingParent:
    case: Case
    parent: Parent
    referred_at: datetime


def longest_waiting(
    session: SessionLike, user: User, limit: int = HOME_LIST_LENGTH
) -> list[WaitingParent]:
    """Accepted parents still waiting for a volunteer, the longest waiting first."""
    rows = session.execute(
        select(Case, Parent)
        .join(Parent, Parent.id == Case.parent_id)
        .where(Case.status == CaseStatus.WAITING.value, visible_cases(user))
        .order_by(Case.referred_at, Case.id)
        .limit(limit)
    )
    return [WaitingParent(case, parent, case.referred_at) for case, parent in rows]


@dataclass
class ExpiringVolunteer:
    user: User
    what: str  # "DBS check" or "Training": the one that runs out first
    expires_on: date


def expiring_checks(
    session: SessionLike, user: User, today: date, limit: int = HOME_LIST_LENGTH
) -> tuple[list[ExpiringVolunteer], int]:
    """Volunteers still supporting (active or paused, account open) whose DBS check or
    training has expired or expires within EXPIRY_DAYS, the soonest first; and how many."""
    horizon = today + timedelta(days=EXPIRY_DAYS)
    dbs, training = VolunteerProfile.dbs_expires_on, VolunteerProfile.training_expires_on
    soonest = sql_case(
        (training.is_(None), dbs),
        (dbs.is_(None), training),
        (dbs <= training, dbs),
        else_=training,
    )
    base = (
        select(User, dbs, training, soonest.label("soonest"), func.count().over())
        .options(load_only(User.id, User.first_name, User.last_name))
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(
            User.role == Role.VOLUNTEER.value,
            User.active.is_(True),
            VolunteerProfile.status != VolunteerStatus.LEFT.value,
            or_(dbs <= horizon, training <= horizon),
            visible_volunteers(user),
        )
    )
    # one statement: the number of them rides along with the first few (count(*) OVER ())
    rows = session.execute(base.order_by(soonest, User.last_name, User.id).limit(limit)).all()
    total = rows[0][4] if rows else 0
    found = [
        ExpiringVolunteer(v, "DBS check", d) if d == first else ExpiringVolunteer(v, "Training", t)
        for v, d, t, first, _total in rows
        if first is not None
    ]
    return found, int(total)
