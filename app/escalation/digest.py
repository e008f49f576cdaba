"""The weekly escalation email: one per coordinator and ISO week, never two.

Due every Monday 08:00 in the service time zone (``CORNER_TIMEZONE``). It covers the seven
days up to that moment (``[Monday 08:00 a week earlier, Monday 08:00)``), so consecutive
emails cover every moment once even when one is sent late: flags opened in that period,
flags resolved in it, and every flag still unresolved when the email is written. Only cases
the coordinator may see (``visible_cases``); only references, neutral rule words,
severities and links (no names, no health details, no notes).

Exactly once: the ``weekly_digests`` ledger row (unique coordinator + ISO year + week) is
inserted with ``ON CONFLICT DO NOTHING`` in the same transaction as the queued email; a
second process at the same time finds the row (PostgreSQL waits for the first to commit)
and queues nothing.

Missed weeks: after more than a week of downtime a week's email was never due while the
scheduler ran. With ``catch_up`` (the scheduler's start and hourly check) each of the
``MISSED_WEEKS`` weeks before the current one that has no ledger row at all, although the
service was already sending weekly emails by then, is queued now, marked late, to each
active coordinator who existed when it was due; the ledger keeps it to once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update

from app.domain import RULE_EMAIL_LABELS, SEVERITY_LABELS, FlagStatus, Role, Severity
from app.email import link, queue_email
from app.escalation.queries import SEVERITY_RANK
from app.extensions import SessionLike
from app.models import Case, EscalationFlag, User, WeeklyDigest
from app.scope import visible_cases
from app.sqlcompat import insert_ignoring
from app.timeutil import short_date, zone

SEND_AT = time(8, 0)
#: How many weeks before the current one the catch-up looks at for a missed weekly email.
MISSED_WEEKS = 4


@dataclass(frozen=True)
class Week:
    iso_year: int
    iso_week: int
    due_at: datetime  # Monday 08:00 in the service time zone, as UTC
    period_start: datetime

    @property
    def label(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


def week_containing(now: datetime, tz: str | None = None) -> Week:
    """The ISO week of ``now`` in the service time zone (or ``tz``), due Monday 08:00 there."""
    local = now.astimezone(zone(tz))
    iso_year, iso_week, weekday = local.isocalendar()
    monday: date = local.date() - timedelta(days=weekday - 1)
    due_at = datetime.combine(monday, SEND_AT, tzinfo=zone(tz)).astimezone(UTC)
    previous = datetime.combine(monday - timedelta(days=7), SEND_AT, tzinfo=zone(tz))
    return Week(iso_year, iso_week, due_at, previous.astimezone(UTC))


def weeks_before(week: Week, count: int) -> list[Week]:
    """The ``count`` weeks before ``week``, oldest first."""
    return [week_containing(week.due_at - timedelta(days=7 * k)) for k in range(count, 0, -1)]


@dataclass
class DigestResult:
    queued: int = 0
    already: int = 0
    not_due: bool = False
    late: int = 0  # late emails queued for missed weeks (catch_up)

    def __str__(self) -> str:
        if self.not_due:
            text = "Not due yet: the weekly email goes out on Monday at 08:00."
        else:
            text = f"Queued {self.queued} weekly emails ({self.already} already queued this week)."
        if self.late:
            text += f" Queued {self.late} late weekly emails for missed weeks."
        return text


def coordinators(session: SessionLike) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.COORDINATOR.value, User.active.is_(True))
            .order_by(User.id)
        )
    )


def _item(flag: EscalationFlag, case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "label": RULE_EMAIL_LABELS.get(flag.rule, "Flag"),
        "url": link("escalation.flag_detail", flag_id=flag.id),
        "resolved": flag.status == FlagStatus.RESOLVED,
    }


def _grouped(rows: list[tuple[EscalationFlag, Case]]) -> list[dict[str, Any]]:
    groups = []
    for severity in Severity:
        items = [_item(flag, case) for flag, case in rows if flag.severity == severity]
        if items:
            groups.append({"severity": SEVERITY_LABELS[severity], "flags": items})
    return groups


def digest_context(
    session: SessionLike, user: User, week: Week, now: datetime, *, late: bool = False
) -> dict[str, Any]:
    """What one coordinator's weekly email lists (references and links only).

    On time, "still open" is every flag unresolved now from outside the period; a late email
    (for a missed week) lists the week as it ended: flags from before it still unresolved at
    its end."""
    base = (
        select(EscalationFlag, Case)
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(visible_cases(user))
        .order_by(SEVERITY_RANK, EscalationFlag.raised_at, EscalationFlag.id)
    )
    start, end = week.period_start, week.due_at
    opened = session.execute(
        base.where(EscalationFlag.raised_at >= start, EscalationFlag.raised_at < end)
    ).all()
    unresolved_now = EscalationFlag.status != FlagStatus.RESOLVED.value
    if late:
        still_open_then = and_(
            EscalationFlag.raised_at < start,
            or_(unresolved_now, EscalationFlag.resolved_at >= end),
        )
    else:
        still_open_then = and_(
            unresolved_now, or_(EscalationFlag.raised_at < start, EscalationFlag.raised_at >= end)
        )
    still_open = session.execute(base.where(still_open_then)).all()
    resolved = session.execute(
        base.where(
            EscalationFlag.status == FlagStatus.RESOLVED.value,
            EscalationFlag.resolved_at >= start,
            EscalationFlag.resolved_at < end,
        )
    ).all()
    which = "that week" if late else "this week"
    sections = [
        (f"Opened {which}", _grouped([(f, c) for f, c in opened])),
        ("Still open from before", _grouped([(f, c) for f, c in still_open])),
        (f"Resolved {which}", _grouped([(f, c) for f, c in resolved])),
    ]
    return {
        "period": f"{short_date(start)} to {short_date(end)} 08:00",
        "sections": [{"title": title, "groups": groups} for title, groups in sections],
        "counts": {
            "opened": len(opened),
            "still_open": len(still_open),
            "resolved": len(resolved),
        },
        "inbox_url": link("escalation.inbox"),
        "late": late,
        "week_number": week.iso_week,
    }


def _queue_for(
    session: SessionLike, user: User, week: Week, now: datetime, *, late: bool = False
) -> bool:
    """Queue ``week``'s email for ``user`` unless the ledger has it. True when queued."""
    ledger: Any = WeeklyDigest.__table__
    statement = insert_ignoring(
        session, ledger, ["coordinator_id", "iso_year", "iso_week"]
    ).returning(ledger.c.id)
    ledger_id = session.execute(
        statement,
        [
            {
                "coordinator_id": user.id,
                "iso_year": week.iso_year,
                "iso_week": week.iso_week,
                "created_at": now,
            }
        ],
    ).scalar()
    if ledger_id is None:
        return False
    subject = f"Corner: this week's flags ({short_date(week.due_at)})"
    if late:
        subject = f"Corner: late weekly flags for week {week.iso_week} ({short_date(week.due_at)})"
    email = queue_email(
        session,
        now,
        kind="weekly_digest",
        to=[user.email],
        subject=subject,
        template="weekly_digest",
        context=digest_context(session, user, week, now, late=late),
        dedupe_key=f"weekly-{user.id}-{week.label}",
    )
    if email is not None:
        session.execute(update(ledger).where(ledger.c.id == ledger_id).values(email_id=email.id))
    return True


def missed(session: SessionLike, week: Week) -> bool:
    """No coordinator has ``week``'s email, though weekly emails were sent before it was due
    (so a new installation, or a coordinator back from leave, gets no late emails)."""
    has_week = session.scalar(
        select(WeeklyDigest.id)
        .where(WeeklyDigest.iso_year == week.iso_year, WeeklyDigest.iso_week == week.iso_week)
        .limit(1)
    )
    if has_week is not None:
        return False
    first_sent = session.scalar(select(func.min(WeeklyDigest.created_at)))
    return first_sent is not None and first_sent < week.due_at


def queue_missed_weeks(session: SessionLike, now: datetime) -> int:
    """Queue a late email for each missed week of the ``MISSED_WEEKS`` before this one, to
    each active coordinator who existed when it was due. Returns how many. Flushes only."""
    queued = 0
    for week in weeks_before(week_containing(now), MISSED_WEEKS):
        if not missed(session, week):
            continue
        for user in coordinators(session):
            if user.created_at <= week.due_at and _queue_for(session, user, week, now, late=True):
                queued += 1
    return queued


def queue_weekly(
    session: SessionLike, now: datetime, *, only_when_due: bool, catch_up: bool = False
) -> DigestResult:
    """Queue this week's email for every coordinator who has not had it. Flushes only.

    ``only_when_due``: the scheduler's hourly check does nothing before Monday 08:00 and
    catches up at any later hour of the week; the command line queues whenever asked.
    ``catch_up`` (the scheduler): first queue the missed weeks (``queue_missed_weeks``).
    """
    week = week_containing(now)
    result = DigestResult()
    if catch_up:
        result.late = queue_missed_weeks(session, now)
    if only_when_due and now < week.due_at:
        result.not_due = True
        session.flush()
        return result
    for user in coordinators(session):
        if _queue_for(session, user, week, now):
            result.queued += 1
        else:
            result.already += 1
    session.flush()
    return result
