"""The chase: an urgent flag nobody has acknowledged is emailed again, up a ladder.

* after ``urgent_ack_minutes`` (admin setting ``URGENT_ACK_MINUTES``, default 60) still
  open: the ``leads`` step, to the area's duty address, every coordinator of the area
  (every coordinator for a case with no area) and the safeguarding leads;
* after twice as long, still open and the first step taken: the ``admins`` step.

Each step happens **at most once per flag**, whatever runs it and however often, also two
processes at once: a step is a row of ``flag_chases`` (unique per flag and step) inserted
set-based with ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING``, and emails are queued
in the same transaction only for the rows this run actually inserted. A concurrent run
waits on the unique index and inserts nothing. Acknowledging (or resolving) a flag stops
the ladder: only ``open`` flags are chased.

The number of statements depends on the number of areas with something to chase, never
on the number of flags. Emails carry case references, neutral words and links only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, literal, select

from app.domain import (
    RULE_EMAIL_LABELS,
    SEVERITY_LABELS,
    CaseStatus,
    ChaseStep,
    FlagStatus,
    Role,
    Severity,
    case_reference,
)
from app.email import link, queue_email
from app.escalation.scan import saved_thresholds
from app.extensions import SessionLike
from app.models import Area, Case, EscalationFlag, FlagChase, User, coordinator_areas
from app.sqlcompat import insert_ignoring
from app.types import UTCDateTime


@dataclass
class ChaseResult:
    #: flags chased at each step by this run
    leads: int = 0
    admins: int = 0
    emails: int = 0
    flag_ids: dict[str, list[int]] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"Chased {self.leads} urgent flag(s) to the duty address, coordinators and"
            f" safeguarding leads, {self.admins} to the admins; {self.emails} email(s) queued."
        )


def run_chase(session: SessionLike, now: datetime) -> ChaseResult:
    """Take every chase step that is due, once per flag; queue its emails. Flushes only."""
    period = timedelta(minutes=saved_thresholds(session).urgent_ack_minutes)
    result = ChaseResult()
    leads = _take_step(session, now, ChaseStep.LEADS, now - period)
    admins = _take_step(session, now, ChaseStep.ADMINS, now - 2 * period)
    result.leads, result.admins = len(leads), len(admins)
    result.flag_ids = {ChaseStep.LEADS.value: leads, ChaseStep.ADMINS.value: admins}
    if leads or admins:
        result.emails = _queue_chase_emails(session, now, leads, admins, period)
    session.flush()
    return result


def _take_step(
    session: SessionLike, now: datetime, step: ChaseStep, raised_by: datetime
) -> list[int]:
    """Insert the step for every open urgent flag raised by ``raised_by`` that has not had
    it (the admins' step also needs the first); the ids of the flags this run inserted."""
    flags = EscalationFlag.__table__
    chases = FlagChase.__table__
    due = (
        select(flags.c.id, literal(step.value), literal(now, UTCDateTime()))
        .select_from(flags.join(Case.__table__, Case.__table__.c.id == flags.c.case_id))
        .where(
            flags.c.severity == Severity.URGENT.value,
            flags.c.status == FlagStatus.OPEN.value,
            flags.c.raised_at <= raised_by,
            Case.__table__.c.status != CaseStatus.CLOSED.value,
        )
    )
    if step == ChaseStep.ADMINS:
        due = due.where(
            exists().where(chases.c.flag_id == flags.c.id, chases.c.step == ChaseStep.LEADS.value)
        )
    statement = (
        insert_ignoring(session, chases, ["flag_id", "step"])
        .from_select(["flag_id", "step", "taken_at"], due)
        .returning(chases.c.flag_id)
    )
    return sorted(session.scalars(statement))


@dataclass(frozen=True)
class _Chased:
    flag_id: int
    case_id: int
    area_id: int | None
    rule: str
    severity: str


def _queue_chase_emails(
    session: SessionLike, now: datetime, leads: list[int], admins: list[int], period: timedelta
) -> int:
    """One email per area for the first step, one for the admins' step."""
    rows = {
        row.flag_id: row
        for row in (
            _Chased(*values)
            for values in session.execute(
                select(
                    EscalationFlag.id,
                    EscalationFlag.case_id,
                    Case.area_id,
                    EscalationFlag.rule,
                    EscalationFlag.severity,
                )
                .join(Case, Case.id == EscalationFlag.case_id)
                .where(EscalationFlag.id.in_(leads + admins))
            )
        )
    }
    queued = 0
    if leads:
        by_area: dict[int | None, list[_Chased]] = defaultdict(list)
        for flag_id in leads:
            by_area[rows[flag_id].area_id].append(rows[flag_id])
        recipients = _leads_recipients(session, set(by_area))
        for area_id, chased in sorted(by_area.items(), key=lambda item: item[0] or 0):
            queued += _queue(session, now, ChaseStep.LEADS, chased, recipients[area_id], period)
    if admins:
        chased = [rows[flag_id] for flag_id in admins]
        queued += _queue(session, now, ChaseStep.ADMINS, chased, _admins(session), 2 * period)
    return queued


def _leads_recipients(
    session: SessionLike, area_ids: set[int | None]
) -> dict[int | None, list[str]]:
    """For each area: its duty address, its active coordinators (every active coordinator
    for no area) and every active safeguarding lead. A fixed number of statements."""
    leads = list(
        session.scalars(
            select(User.email).where(User.safeguarding_lead.is_(True), User.active.is_(True))
        )
    )
    known = [area_id for area_id in area_ids if area_id is not None]
    duty: dict[int, str | None] = (
        {
            area_id: email
            for area_id, email in session.execute(
                select(Area.id, Area.duty_email).where(Area.id.in_(known))
            )
        }
        if known
        else {}
    )
    coordinators: dict[int | None, list[str]] = defaultdict(list)
    if known:
        for area_id, email in session.execute(
            select(coordinator_areas.c.area_id, User.email)
            .join(User, User.id == coordinator_areas.c.user_id)
            .where(
                coordinator_areas.c.area_id.in_(known),
                User.role == Role.COORDINATOR.value,
                User.active.is_(True),
            )
        ):
            coordinators[area_id].append(email)
    if None in area_ids:
        coordinators[None] = list(
            session.scalars(
                select(User.email).where(User.role == Role.COORDINATOR.value, User.active.is_(True))
            )
        )
    recipients: dict[int | None, list[str]] = {}
    for area_id in area_ids:
        address = duty.get(area_id) if area_id is not None else None
        recipients[area_id] = sorted(
            {*coordinators.get(area_id, []), *leads, *([address] if address else [])}
        )
    return recipients


def _admins(session: SessionLike) -> list[str]:
    return list(
        session.scalars(
            select(User.email).where(User.role == Role.ADMIN.value, User.active.is_(True))
        )
    )


def _queue(
    session: SessionLike,
    now: datetime,
    step: ChaseStep,
    chased: list[_Chased],
    to: list[str],
    waited: timedelta,
) -> int:
    """Queue one chase email for these flags (deduplicated by step and flags)."""
    chased = sorted(chased, key=lambda row: row.flag_id)
    items = [
        {
            "reference": case_reference(row.case_id),
            "label": RULE_EMAIL_LABELS.get(row.rule, "Concern"),
            "severity": SEVERITY_LABELS.get(row.severity, row.severity),
            "url": link("escalation.flag_detail", flag_id=row.flag_id),
        }
        for row in chased
    ]
    count = len(items)
    subject = (
        f"Not yet acknowledged: {count} urgent flags"
        if count > 1
        else f"Not yet acknowledged: urgent flag for case {items[0]['reference']}"
    )
    email = queue_email(
        session,
        now,
        kind="urgent_chase",
        to=to,
        subject=subject,
        template="urgent_chase",
        context={
            "items": items,
            "minutes": int(waited.total_seconds() // 60),
            "to_admins": step == ChaseStep.ADMINS,
            "inbox_url": link("escalation.inbox"),
        },
        dedupe_key=f"{step.value}-" + ",".join(str(row.flag_id) for row in chased),
    )
    return 0 if email is None else 1
