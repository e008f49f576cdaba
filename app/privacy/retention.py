"""Retention: a parent is anonymised ``retention_months`` after her last case closed.

Due: not yet erased, no open case, and the day (service time zone) her latest case closed
is on or before ``retention_cutoff(today, months)`` (``app.privacy.months``). A due parent
with an urgent flag no coordinator resolved is reported, not erased, while the admin setting
refuses that. Audit events older than the same period lose their IP address. Set-based: a
fixed number of statements however many parents are due; running twice erases nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select, update

from app.audit import record
from app.domain import CaseStatus
from app.extensions import SessionLike
from app.models import AuditEvent, Case, Parent
from app.privacy.anonymise import RETENTION_REASON
from app.privacy.erasure import erase_parents, unresolved_safeguarding
from app.privacy.months import due_on, retention_cutoff
from app.privacy.settings import privacy_settings
from app.timeutil import day_start, local_date

UPCOMING_LIMIT = 50


@dataclass(frozen=True)
class DueParent:
    """One parent the retention period reaches: her reference, never her name."""

    parent_id: int
    ref: str
    last_closed_on: date
    due_on: date
    refused: bool = False


@dataclass
class RetentionResult:
    due: list[DueParent] = field(default_factory=list)
    erased: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    ips_cleared: int = 0
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{len(self.due) - len(self.refused)} parent(s) {verb} anonymised,"
            f" {len(self.refused)} kept while a safeguarding flag is unresolved,"
            f" {self.ips_cleared} audit event(s) {verb} cleared of their IP address."
        )


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` in the service time zone."""
    return day_start(day + timedelta(days=1))


def _candidates(
    session: SessionLike, closed_before: datetime | None, limit: int | None
) -> list[tuple[int, str, datetime]]:
    """(parent id, ref, latest closed_at) of parents not erased whose cases are all closed."""
    last_closed = func.max(Case.closed_at)
    still_open = func.sum(case((Case.status != CaseStatus.CLOSED.value, 1), else_=0))
    query = (
        select(Parent.id, Parent.ref, last_closed)
        .join(Case, Case.parent_id == Parent.id)
        .where(Parent.erased_at.is_(None))
        .group_by(Parent.id, Parent.ref)
        .having(still_open == 0, last_closed.is_not(None))
        .order_by(last_closed, Parent.id)
    )
    if closed_before is not None:
        query = query.having(last_closed < closed_before)
    if limit is not None:
        query = query.limit(limit)
    return [(row[0], row[1], row[2]) for row in session.execute(query) if row[2] is not None]


def _due_parents(
    session: SessionLike,
    months: int,
    refuse: bool,
    closed_before: datetime | None,
    limit: int | None,
) -> list[DueParent]:
    rows = _candidates(session, closed_before, limit)
    refused = unresolved_safeguarding(session, [row[0] for row in rows]) if refuse else set()
    out = []
    for parent_id, ref, closed_at in rows:
        closed_on = local_date(closed_at)
        out.append(
            DueParent(parent_id, ref, closed_on, due_on(closed_on, months), parent_id in refused)
        )
    return out


def upcoming(session: SessionLike, now: datetime, limit: int = UPCOMING_LIMIT) -> list[DueParent]:
    """The parents next in line (already due first), with the day each is or was due."""
    settings = privacy_settings(session)
    return _due_parents(
        session,
        settings["retention_months"],
        settings["refuse_unresolved_safeguarding"],
        None,
        limit,
    )


def _old_audit(cutoff: date) -> ColumnElement[bool]:
    return (AuditEvent.at < _end_of(cutoff)) & AuditEvent.ip.is_not(None)


def run_retention(session: SessionLike, now: datetime, *, dry_run: bool = False) -> RetentionResult:
    """Anonymise every parent past the retention period (or, ``dry_run``, only list them)."""
    settings = privacy_settings(session)
    months = settings["retention_months"]
    cutoff = retention_cutoff(local_date(now), months)
    due = _due_parents(
        session, months, settings["refuse_unresolved_safeguarding"], _end_of(cutoff), None
    )
    result = RetentionResult(due=due, refused=[p.ref for p in due if p.refused], dry_run=dry_run)
    if dry_run:
        result.ips_cleared = (
            session.scalar(select(func.count()).select_from(AuditEvent).where(_old_audit(cutoff)))
            or 0
        )
        return result
    result.erased = erase_parents(
        session,
        [p.parent_id for p in due if not p.refused],
        actor_id=None,
        reason=RETENTION_REASON,
        now=now,
    )
    cleared: Any = session.execute(
        update(AuditEvent)
        .where(_old_audit(cutoff))
        .values(ip=None)
        .execution_options(synchronize_session=False)
    )
    result.ips_cleared = int(cleared.rowcount or 0)
    if result.erased or result.refused or result.ips_cleared:
        record(
            session,
            now,
            "privacy.retention_run",
            actor_id=None,
            detail=(
                f"erased {len(result.erased)}, kept for safeguarding {len(result.refused)},"
                f" IP addresses cleared {result.ips_cleared}"
            ),
        )
    session.flush()
    return result
