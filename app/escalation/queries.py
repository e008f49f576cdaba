"""What the escalation pages and commands list: the inbox, one flag, a case's flags, the
outbox. Read-only; each name says what it returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from app.domain import EmailStatus, FlagStatus
from app.extensions import SessionLike
from app.models import Case, EscalationFlag, OutboxEmail, Parent, User
from app.scope import visible_cases

#: most severe first (ORDER BY)
SEVERITY_RANK = sql_case(
    {"urgent": 0, "high": 1, "medium": 2, "low": 3}, value=EscalationFlag.severity, else_=4
)


@dataclass
class FlagRow:
    flag: EscalationFlag
    case: Case
    parent: Parent


def inbox_rows(session: SessionLike, user: User) -> list[FlagRow]:
    """Unresolved flags of cases this user may see: most severe first, then oldest."""
    rows = session.execute(
        select(EscalationFlag, Case, Parent)
        .join(Case, Case.id == EscalationFlag.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .where(EscalationFlag.status != FlagStatus.RESOLVED.value, visible_cases(user))
        .order_by(SEVERITY_RANK, EscalationFlag.raised_at, EscalationFlag.id)
    )
    return [FlagRow(flag, case, parent) for flag, case, parent in rows]


def flag_for(session: SessionLike, user: User, flag_id: int) -> EscalationFlag | None:
    """The flag if ``user`` may see its case, else None (views answer 404)."""
    return session.scalar(
        select(EscalationFlag)
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(EscalationFlag.id == flag_id, visible_cases(user))
    )


def case_flags(session: SessionLike, case_id: int) -> list[EscalationFlag]:
    """Every flag of a case, newest first (the case page's history)."""
    return list(
        session.scalars(
            select(EscalationFlag)
            .where(EscalationFlag.case_id == case_id)
            .order_by(EscalationFlag.raised_at.desc(), EscalationFlag.id.desc())
        )
    )


def list_flags(session: SessionLike, status: str | None = None) -> list[tuple[EscalationFlag, str]]:
    """Flags with their parent's reference, for the command line.

    ``status="open"`` means unresolved (open or acknowledged); ``acknowledged`` and
    ``resolved`` match exactly; None lists every flag.
    """
    statement = (
        select(EscalationFlag, Parent.ref)
        .join(Case, Case.id == EscalationFlag.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .order_by(SEVERITY_RANK, EscalationFlag.raised_at, EscalationFlag.id)
    )
    if status == "open":
        statement = statement.where(EscalationFlag.status != FlagStatus.RESOLVED.value)
    elif status is not None:
        statement = statement.where(EscalationFlag.status == status)
    return [(flag, ref) for flag, ref in session.execute(statement)]


def users_by_id(session: SessionLike, ids: Iterable[int | None]) -> dict[int, User]:
    """The users with these ids (None skipped), by id: who acknowledged or resolved flags."""
    wanted = {uid for uid in ids if uid is not None}
    if not wanted:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(wanted)))}


def outbox_emails(
    session: SessionLike,
    status: EmailStatus | None,
    *,
    maybe_delivered: bool = False,
    limit: int = 200,
) -> list[OutboxEmail]:
    """The newest ``limit`` outbox emails, of one status or (None) every status; with
    ``maybe_delivered`` only those with an attempt of unknown outcome."""
    statement = select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    if status is not None:
        statement = statement.where(OutboxEmail.status == status.value)
    if maybe_delivered:
        statement = statement.where(OutboxEmail.unknown_outcomes > 0)
    return list(session.scalars(statement.limit(limit)))


def outbox_counts(session: SessionLike) -> dict[str, int]:
    """How many outbox emails there are of each status (statuses with none are missing)."""
    rows = session.execute(
        select(OutboxEmail.status, func.count(OutboxEmail.id)).group_by(OutboxEmail.status)
    )
    return {status: count for status, count in rows}


def outbox_maybe_delivered_count(session: SessionLike) -> int:
    """Emails not confirmed sent with an attempt of unknown outcome (may have been delivered)."""
    return int(
        session.scalar(
            select(func.count(OutboxEmail.id)).where(
                OutboxEmail.unknown_outcomes > 0, OutboxEmail.status != EmailStatus.SENT.value
            )
        )
        or 0
    )
