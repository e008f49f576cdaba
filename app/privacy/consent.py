"""Consent withdrawn: the parent no longer agrees to Corner holding and using her details.

Recording it closes her open cases with the reason "The parent withdrew consent" through the
ordinary close (``app.cases.service.close_case``: the volunteer's assignment ends, open flags
are resolved, reminders and suggestions stop because a closed case drops out of them), stores
the day on ``parents.consent_withdrawn_on`` and audits it. Erasure is then offered.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from app.audit import record
from app.cases.service import close_case
from app.domain import CLOSE_REASON_LABELS, CaseStatus, ServiceError
from app.extensions import SessionLike
from app.models import Case, Parent
from app.timeutil import local_date

CONSENT_WITHDRAWN = "consent_withdrawn"


class ConsentError(ServiceError):
    """Consent withdrawal cannot be recorded as asked; the message says why."""


def withdrawal_problem(parent: Parent, on: date, now: datetime) -> str | None:
    """Why this day cannot be recorded (plain words), or None."""
    if parent.erased_at is not None:
        return "This parent's details have already been erased."
    if on > local_date(now):
        return "The day cannot be in the future."
    if parent.consent_on is not None and on < parent.consent_on:
        return "The day cannot be before she gave consent."
    return None


def record_consent_withdrawn(
    session: SessionLike,
    now: datetime,
    parent: Parent,
    *,
    on: date,
    actor_id: int | None,
    ip: str | None = None,
) -> list[Case]:
    """Record the withdrawal and close her open cases; the cases it closed."""
    problem = withdrawal_problem(parent, on, now)
    if problem:
        raise ConsentError(problem)
    parent.consent_withdrawn_on = on
    parent.updated_at = now
    open_cases = list(
        session.scalars(
            select(Case)
            .where(Case.parent_id == parent.id, Case.status != CaseStatus.CLOSED.value)
            .order_by(Case.id)
        )
    )
    for case in open_cases:
        close_case(session, now, case, CLOSE_REASON_LABELS[CONSENT_WITHDRAWN])
        record(
            session,
            now,
            "case.closed",
            actor_id=actor_id,
            object_type="case",
            object_id=case.id,
            ip=ip,
            detail=f"reason: {CONSENT_WITHDRAWN}",
        )
    record(
        session,
        now,
        "privacy.consent_withdrawn",
        actor_id=actor_id,
        object_type="parent",
        object_id=parent.id,
        ip=ip,
        detail=f"ref {parent.ref}; on {on.isoformat()}; cases closed {len(open_cases)}",
    )
    session.flush()
    return open_cases
