"""The counts on each role's home page."""

from __future__ import annotations

from sqlalchemy import func, select

from app.domain import CheckInStatus, EmailStatus, FlagStatus
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, EscalationFlag, OutboxEmail, User
from app.scope import visible_cases


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


def unresolved_flag_counts_by_severity(session: SessionLike, user: User) -> dict[str, int]:
    """{severity: how many} of the flags not yet resolved on the cases this user may see."""
    rows = session.execute(
        select(EscalationFlag.severity, func.count())
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(EscalationFlag.status != FlagStatus.RESOLVED, visible_cases(user))
        .group_by(EscalationFlag.severity)
    )
    return {severity: count for severity, count in rows}


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
