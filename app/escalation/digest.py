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
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from app.domain import RULE_EMAIL_LABELS, SEVERITY_LABELS, FlagStatus, Role, Severity
from app.email import link, queue_email
from app.escalation.queries import SEVERITY_RANK
from app.extensions import SessionLike
from app.models import Case, EscalationFlag, User, WeeklyDigest
from app.scope import visible_cases
from app.sqlcompat import insert_ignoring
from app.timeutil import short_date, zone

SEND_AT = time(8, 0)


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


@dataclass
class DigestResult:
    queued: int = 0
    already: int = 0
    not_due: bool = False

    def __str__(self) -> str:
        if self.not_due:
            return "Not due yet: the weekly email goes out on Monday at 08:00."
        return f"Queued {self.queued} weekly emails ({self.already} already queued this week)."


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


def digest_context(session: SessionLike, user: User, week: Week, now: datetime) -> dict[str, Any]:
    """What one coordinator's weekly email lists (references and links only)."""
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
    still_open = session.execute(
        base.where(
            EscalationFlag.status != FlagStatus.RESOLVED.value,
            or_(EscalationFlag.raised_at < start, EscalationFlag.raised_at >= end),
        )
    ).all()
    resolved = session.execute(
        base.where(
            EscalationFlag.status == FlagStatus.RESOLVED.value,
            EscalationFlag.resolved_at >= start,
            EscalationFlag.resolved_at < end,
        )
    ).all()
    sections = [
        ("Opened this week", _grouped([(f, c) for f, c in opened])),
        ("Still open from before", _grouped([(f, c) for f, c in still_open])),
        ("Resolved this week", _grouped([(f, c) for f, c in resolved])),
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
    }


def queue_weekly(session: SessionLike, now: datetime, *, only_when_due: bool) -> DigestResult:
    """Queue this week's email for every coordinator who has not had it. Flushes only.

    ``only_when_due``: the scheduler's hourly check does nothing before Monday 08:00 and
    catches up at any later hour of the week; the command line queues whenever asked.
    """
    week = week_containing(now)
    result = DigestResult()
    if only_when_due and now < week.due_at:
        result.not_due = True
        return result
    ledger: Any = WeeklyDigest.__table__
    for user in coordinators(session):
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
            result.already += 1
            continue
        context = digest_context(session, user, week, now)
        email = queue_email(
            session,
            now,
            kind="weekly_digest",
            to=[user.email],
            subject=f"Corner: this week's flags ({short_date(week.due_at)})",
            template="weekly_digest",
            context=context,
            dedupe_key=f"weekly-{user.id}-{week.label}",
        )
        if email is not None:
            session.execute(
                update(ledger).where(ledger.c.id == ledger_id).values(email_id=email.id)
            )
        result.queued += 1
    session.flush()
    return result
