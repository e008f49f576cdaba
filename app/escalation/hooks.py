"""What the cases area calls when a check-in is submitted: the immediate rules."""

from __future__ import annotations

from datetime import datetime

from app.domain import Severity
from app.escalation.rules_immediate import CheckInFacts, immediate
from app.escalation.service import queue_urgent_alert, raise_flag
from app.extensions import SessionLike
from app.models import Case, CheckIn, EscalationFlag


def _facts(checkin: CheckIn) -> CheckInFacts:
    return CheckInFacts(
        status=checkin.status,
        successful=bool(checkin.successful),
        concerns=tuple(checkin.concerns or ()),
        coordinator_today=bool(checkin.coordinator_today),
        whooley_down=checkin.whooley_down,
        whooley_interest=checkin.whooley_interest,
        occurred_at=checkin.occurred_at,
    )


def raised_urgent(checkin: CheckIn) -> bool:
    """Whether this submitted check-in raises an urgent concern (its coordinator is alerted):
    the volunteer is then shown the area's duty phone and the 999 line."""
    return any(hit.severity == Severity.URGENT for hit in immediate(_facts(checkin)))


def on_checkin_submitted(session: SessionLike, checkin: CheckIn, now: datetime) -> None:
    """Raise SAFEGUARDING, SELF_HARM, COORDINATOR_TODAY and LOW_MOOD in the caller's transaction.

    * a rule whose flag for this case is already unresolved gets the new evidence added to
      that flag (no second flag: the partial unique index guarantees it);
    * every urgent rule the check-in raises, new flag or not, is alerted at once: one email
      per check-in (to the owning coordinator, or the area's coordinators, and the area's
      duty address) queued in the outbox in this same transaction, deduplicated by check-in;
    * closed cases, drafts and deleted check-ins raise nothing.
    """
    session.flush()
    hits = immediate(_facts(checkin))
    if not hits:
        return
    case = session.get(Case, checkin.case_id)
    if case is None or not case.is_open:
        return
    urgent: list[EscalationFlag] = []
    for hit in hits:
        flag, _created = raise_flag(session, now, case.id, hit, checkin_id=checkin.id)
        if hit.severity == Severity.URGENT:
            urgent.append(flag)
    if urgent:
        queue_urgent_alert(session, now, case, urgent, checkin)
