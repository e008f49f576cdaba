"""The case page's timeline: what happened on one case, newest first.

Read from the rows themselves (the referral, check-ins, assignments, flags with their
acknowledgement and resolution) and from the audit log for what leaves no row of its own
(accepted, closed, reopened, high risk). Five statements, however long the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.orm import joinedload

from app.domain import CLOSE_REASON_LABELS, CaseStatus, CheckInStatus
from app.extensions import SessionLike
from app.models import Assignment, AuditEvent, Case, CheckIn, EscalationFlag, User

#: audit actions on a case that the timeline tells, in the words people read
CASE_EVENT_WORDS: dict[str, str] = {
    "case.accepted": "Self-referral accepted onto the waiting list",
    "case.closed": "Case closed",
    "case.reopened": "Case reopened and back on the waiting list",
    "case.high_risk_set": "Marked as high risk",
    "case.high_risk_cleared": "No longer marked as high risk",
}
#: audit actions that say who recorded the referral
CREATED_ACTIONS = ("case.created", "referral.self")
SELF_REFERRAL = "self-referral"

#: among items at the same instant, which comes first in the (newest first) list
_ORDER = {
    "closed": 9,
    "event": 8,
    "flag_resolved": 7,
    "flag_acknowledged": 6,
    "flag": 5,
    "checkin": 4,
    "assignment_end": 3,
    "assignment_start": 2,
    "created": 0,
}


@dataclass
class TimelineItem:
    at: datetime
    #: created | checkin | assignment_start | assignment_end | flag | flag_acknowledged |
    #: flag_resolved | event | closed
    kind: str
    obj: Any
    #: what happened, for created / event / closed
    words: str = ""
    #: who did it, when known
    actor: User | None = None
    #: a plain extra line (the reason a case was closed)
    detail: str = ""
    #: orders items of the same instant and kind (audit events: their id)
    seq: int = 0


@dataclass
class Timeline:
    items: list[TimelineItem]
    draft_count: int
    deleted_count: int
    #: the case's current assignment (its volunteer loaded), read with the history
    open_assignment: Assignment | None = None


# The timeline's statements, built once with the case bound as a parameter: building a
# select() with its joined loads costs more than running it on the case's index.
_CASE_ID: BindParameter[int] = bindparam("case_id")
_CHECKINS = (
    select(CheckIn)
    .options(joinedload(CheckIn.volunteer), joinedload(CheckIn.deleted_by))
    .where(CheckIn.case_id == _CASE_ID, CheckIn.status.in_(bindparam("statuses", expanding=True)))
)
_ASSIGNMENTS = (
    select(Assignment)
    .options(joinedload(Assignment.volunteer), joinedload(Assignment.assigned_by))
    .where(Assignment.case_id == _CASE_ID)
)
_FLAGS = (
    select(EscalationFlag)
    .options(joinedload(EscalationFlag.acknowledged_by), joinedload(EscalationFlag.resolved_by))
    .where(EscalationFlag.case_id == _CASE_ID)
)
_EVENTS = (
    select(AuditEvent)
    .options(joinedload(AuditEvent.actor))
    .where(
        AuditEvent.object_type == "case",
        AuditEvent.object_id == bindparam("object_id"),
        AuditEvent.action.in_([*CASE_EVENT_WORDS, *CREATED_ACTIONS]),
    )
    .order_by(AuditEvent.at, AuditEvent.id)
)
_STATUS_COUNTS = (
    select(CheckIn.status, func.count()).where(CheckIn.case_id == _CASE_ID).group_by(CheckIn.status)
)


def _close_reason(event: AuditEvent, case: Case, latest_close: AuditEvent | None) -> str:
    detail = event.detail or ""
    if detail.startswith("reason: "):
        code = detail.removeprefix("reason: ")
        return CLOSE_REASON_LABELS.get(code, "")
    if event is latest_close and case.status == CaseStatus.CLOSED:
        return _reason_words(case.close_reason)
    return ""


def _reason_words(reason: str | None) -> str:
    """The stored close reason in words (an import or the demo may have stored the code)."""
    return CLOSE_REASON_LABELS.get(reason or "", reason or "")


def _case_events(session: SessionLike, case: Case) -> list[TimelineItem]:
    """The referral, and what the audit log says happened to the case."""
    events = list(session.scalars(_EVENTS, {"object_id": str(case.id)}))
    creator = next((e.actor for e in events if e.action in CREATED_ACTIONS), None)
    source = case.parent.referral_source
    if source == SELF_REFERRAL or any(e.action == "referral.self" for e in events):
        words = "Referred themselves through the online form"
    elif source:
        words = f"Referred by {source}"
    else:
        words = "Referral recorded"
    items = [TimelineItem(case.referred_at, "created", case, words, creator)]
    closes = [e for e in events if e.action == "case.closed"]
    latest_close = closes[-1] if closes else None
    for event in events:
        if event.action in CREATED_ACTIONS:
            continue
        detail = _close_reason(event, case, latest_close) if event.action == "case.closed" else ""
        words = CASE_EVENT_WORDS[event.action]
        items.append(TimelineItem(event.at, "event", event, words, event.actor, detail, event.id))
    if case.closed_at is not None and latest_close is None:  # closed by an import
        items.append(
            TimelineItem(
                case.closed_at,
                "closed",
                case,
                "Case closed",
                None,
                _reason_words(case.close_reason),
            )
        )
    return items


def _flag_items(session: SessionLike, case: Case) -> list[TimelineItem]:
    flags = session.scalars(_FLAGS, {"case_id": case.id})
    items = []
    for f in flags:
        items.append(TimelineItem(f.raised_at, "flag", f))
        if f.acknowledged_at is not None:
            items.append(
                TimelineItem(f.acknowledged_at, "flag_acknowledged", f, "", f.acknowledged_by)
            )
        if f.resolved_at is not None:
            items.append(TimelineItem(f.resolved_at, "flag_resolved", f, "", f.resolved_by))
    return items


def case_timeline(session: SessionLike, case: Case, *, show_deleted: bool) -> Timeline:
    """Everything that happened on one case in one list, newest first."""
    statuses = [CheckInStatus.SUBMITTED.value]
    if show_deleted:
        statuses.append(CheckInStatus.DELETED.value)
    checkins = session.scalars(_CHECKINS, {"case_id": case.id, "statuses": statuses})
    items = [TimelineItem(c.occurred_at, "checkin", c) for c in checkins]
    assignments = session.scalars(_ASSIGNMENTS, {"case_id": case.id})
    current = None
    for a in assignments:
        items.append(TimelineItem(a.started_at, "assignment_start", a, "", a.assigned_by))
        if a.ended_at is not None:
            items.append(TimelineItem(a.ended_at, "assignment_end", a))
        else:
            current = a  # at most one (uq_assignments_one_open_per_case)
    items.extend(_flag_items(session, case))
    items.extend(_case_events(session, case))
    items.sort(key=lambda i: (i.at, _ORDER[i.kind], i.seq), reverse=True)
    counts = dict(session.execute(_STATUS_COUNTS, {"case_id": case.id}).all())
    return Timeline(
        items,
        int(counts.get(CheckInStatus.DRAFT.value, 0)),
        int(counts.get(CheckInStatus.DELETED.value, 0)),
        current,
    )
