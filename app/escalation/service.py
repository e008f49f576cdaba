"""Flags: raise (immediate rules), acknowledge, resolve, list. Services flush, never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import select, text

from app.domain import (
    OUTCOME_LABELS,
    RULE_EMAIL_LABELS,
    SEVERITY_LABELS,
    ServiceError,
)
from app.escalation.rules import Hit
from app.extensions import SessionLike
from app.models import (
    Case,
    CheckIn,
    EscalationFlag,
    FlagStatus,
    Parent,
    Role,
    User,
)
from app.scope import visible_cases
from app.sqlcompat import insert_ignoring

SEVERITY_RANK = sql_case(
    {"urgent": 0, "high": 1, "medium": 2, "low": 3}, value=EscalationFlag.severity, else_=4
)
EVIDENCE_MAX = 500


class FlagError(ServiceError):
    """A flag action that cannot be done (already resolved, …): the message says why."""


# --------------------------------------------------------------------------- raising


def raise_flag(
    session: SessionLike,
    now: datetime,
    case_id: int,
    hit: Hit,
    *,
    checkin_id: int | None = None,
) -> tuple[EscalationFlag, bool]:
    """Open a flag for ``hit`` unless one for this case and rule is unresolved.

    Returns (flag, created). When one is already unresolved, the new evidence is added to
    it (newest first) rather than opening a second: the database's partial unique index
    decides under concurrency (``ON CONFLICT DO NOTHING``), so two submits at once cannot
    make two.
    """
    statement = insert_ignoring(
        session, EscalationFlag.__table__, ["case_id", "rule"], text("status <> 'resolved'")
    ).returning(EscalationFlag.__table__.c.id)
    new_id = session.execute(
        statement,
        [
            {
                "case_id": case_id,
                "rule": str(hit.rule),
                "severity": str(hit.severity),
                "evidence": hit.evidence[:EVIDENCE_MAX],
                "checkin_id": checkin_id,
                "raised_at": now,
                "status": FlagStatus.OPEN.value,
            }
        ],
    ).scalar()
    if new_id is not None:
        flag = session.get(EscalationFlag, new_id)
        assert flag is not None
        return flag, True
    flag = session.scalar(
        select(EscalationFlag)
        .where(
            EscalationFlag.case_id == case_id,
            EscalationFlag.rule == str(hit.rule),
            EscalationFlag.status != FlagStatus.RESOLVED.value,
        )
        .with_for_update()
    )
    if flag is None:  # resolved between our insert and select: try once more
        return raise_flag(session, now, case_id, hit, checkin_id=checkin_id)
    if hit.evidence not in flag.evidence:
        flag.evidence = f"{hit.evidence} Earlier: {flag.evidence}"[:EVIDENCE_MAX]
    session.flush()
    return flag, False


def resolve_open_flags_of_case(session: SessionLike, now: datetime, case: Case) -> int:
    """When a case closes, its unresolved flags are resolved automatically (saying so)."""
    flags = session.scalars(
        select(EscalationFlag).where(
            EscalationFlag.case_id == case.id, EscalationFlag.status != FlagStatus.RESOLVED.value
        )
    ).all()
    for flag in flags:
        flag.status = FlagStatus.RESOLVED.value
        flag.resolved_at = now
        flag.resolved_by_id = None
        flag.resolution_note = "Resolved automatically: the case was closed."
    session.flush()
    return len(flags)


def urgent_recipients(session: SessionLike, case: Case) -> list[str]:
    """The owning coordinator, else the coordinators of the case's area (else every
    coordinator, who all see a case with no area), and the area's duty address."""
    addresses: list[str] = []
    if case.owner is not None and case.owner.active:
        addresses.append(case.owner.email)
    else:
        if case.area is not None and case.area.coordinators:
            people = [user for user in case.area.coordinators if user.role == Role.COORDINATOR]
        else:
            people = list(
                session.scalars(
                    select(User).where(User.role == Role.COORDINATOR.value, User.active.is_(True))
                )
            )
        addresses.extend(user.email for user in people if user.active)
    if case.area is not None and case.area.duty_email:
        addresses.append(case.area.duty_email)
    return sorted(set(addresses))


def queue_urgent_alert(
    session: SessionLike,
    now: datetime,
    case: Case,
    flags: list[EscalationFlag],
    checkin: CheckIn,
) -> Any:
    """The urgent email: case reference, neutral rule words, severity, links. Nothing else."""
    from app.email import link, queue_email

    items = [
        {
            "label": RULE_EMAIL_LABELS.get(flag.rule, "Concern"),
            "severity": SEVERITY_LABELS[flag.severity],
            "url": link("escalation.flag_detail", flag_id=flag.id),
        }
        for flag in flags
    ]
    return queue_email(
        session,
        now,
        kind="urgent_flag",
        to=urgent_recipients(session, case),
        subject=f"Urgent flag for case {case.reference}: please look today",
        template="urgent_flag",
        context={
            "reference": case.reference,
            "items": items,
            "inbox_url": link("escalation.inbox"),
        },
        dedupe_key=f"checkin-{checkin.id}",
    )


# --------------------------------------------------------------------------- coordinator actions


def acknowledge(session: SessionLike, now: datetime, flag: EscalationFlag, user: User) -> None:
    if flag.status == FlagStatus.RESOLVED:
        raise FlagError("This flag is already resolved.")
    if flag.status == FlagStatus.ACKNOWLEDGED:
        return
    flag.status = FlagStatus.ACKNOWLEDGED.value
    flag.acknowledged_at = now
    flag.acknowledged_by_id = user.id
    session.flush()


def resolve(
    session: SessionLike,
    now: datetime,
    flag: EscalationFlag,
    user: User,
    *,
    outcome: str,
    note: str,
) -> None:
    if flag.status == FlagStatus.RESOLVED:
        raise FlagError("This flag is already resolved.")
    if outcome not in OUTCOME_LABELS:
        raise FlagError("Choose what was done.")
    if not note.strip():
        raise FlagError("Write a short note about what was done.")
    if flag.acknowledged_at is None:
        flag.acknowledged_at = now
        flag.acknowledged_by_id = user.id
    flag.status = FlagStatus.RESOLVED.value
    flag.resolved_at = now
    flag.resolved_by_id = user.id
    flag.outcome = outcome
    flag.resolution_note = note.strip()
    session.flush()


# --------------------------------------------------------------------------- queries


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
