"""Flags: raise (immediate rules), alert, acknowledge, resolve. Services flush, never commit.

What the pages and commands list is in ``queries.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from app.domain import (
    OUTCOME_LABELS,
    RULE_EMAIL_LABELS,
    SEVERITY_LABELS,
    FlagStatus,
    Role,
    ServiceError,
    Severity,
)
from app.email import link, queue_email
from app.escalation.rules_facts import Hit
from app.extensions import SessionLike
from app.models import Case, CheckIn, EscalationFlag, User
from app.sqlcompat import insert_ignoring
from app.timeutil import short_date

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
        case_id=case.id,
    )


# --------------------------------------------------------------------------- coordinator actions


def tell_volunteer_picked_up(session: SessionLike, now: datetime, flag: EscalationFlag) -> None:
    """The volunteer whose check-in raised this urgent flag hears it was picked up: an email
    with no names (once per check-in), and a line on their home page (``picked_up_concerns``)."""
    if flag.severity != Severity.URGENT or flag.checkin_id is None:
        return
    checkin = session.get(CheckIn, flag.checkin_id)
    if checkin is None or not checkin.volunteer.active:
        return
    queue_email(
        session,
        now,
        kind="concern_picked_up",
        to=[checkin.volunteer.email],
        subject="A coordinator has picked up your concern",
        template="concern_picked_up",
        context={
            "raised_on": short_date(checkin.submitted_at or flag.raised_at),
            "home_url": link("main.home"),
        },
        dedupe_key=f"checkin-{checkin.id}",
    )


def acknowledge(session: SessionLike, now: datetime, flag: EscalationFlag, user: User) -> None:
    if flag.status == FlagStatus.RESOLVED:
        raise FlagError("This flag is already resolved.")
    if flag.status == FlagStatus.ACKNOWLEDGED:
        return
    flag.status = FlagStatus.ACKNOWLEDGED.value
    flag.acknowledged_at = now
    flag.acknowledged_by_id = user.id
    tell_volunteer_picked_up(session, now, flag)
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
        tell_volunteer_picked_up(session, now, flag)
    flag.status = FlagStatus.RESOLVED.value
    flag.resolved_at = now
    flag.resolved_by_id = user.id
    flag.outcome = outcome
    flag.resolution_note = note.strip()
    session.flush()
