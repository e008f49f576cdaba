"""What other areas call when a case changes: the immediate rules when a check-in is
submitted (``on_checkin_submitted``), the scheduled rules when any of a case's facts change
(``on_case_facts_changed``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from app.domain import Severity
from app.escalation.rules_immediate import CheckInFacts, immediate
from app.escalation.scan import ScanResult, run_scan
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


def on_case_facts_changed(
    session: SessionLike, now: datetime, case_ids: Iterable[int]
) -> ScanResult:
    """Evaluate the scheduled rules again for these cases, in the caller's transaction.

    Called whenever something the rules read changes: a check-in submitted, edited, deleted
    or restored; an assignment started or ended; the parent's dates or the case's high risk
    edited; the case accepted, closed or reopened. It is the daily scan restricted to these
    cases (``run_scan(..., case_ids=...)``: the same queries with ``Case.id IN (...)``, a fixed
    number of statements), so "No contact" resolves the moment a contact is recorded and
    "Waiting for a volunteer" the moment someone is assigned. The scheduled rules send no
    email (the urgent ones are immediate), so this never queues one, and it is not recorded
    as a completed scan (``scan_runs``): only a scan of every case is.
    """
    ids = sorted(set(case_ids))
    if not ids:
        return ScanResult()
    session.flush()
    return run_scan(session, now, case_ids=ids)
