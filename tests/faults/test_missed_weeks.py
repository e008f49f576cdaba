"""Item 6: after more than 7 days of downtime the missed week's weekly email is sent, late,
once; a second start sends nothing more; only the last four weeks are caught up.

Drives the scheduler's own jobs (``job_weekly`` runs at every start and hourly,
``job_send_outbox`` sends) with ``now``, against a real SMTP server on loopback."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from flask import Flask

from app.escalation.digest import DigestResult
from app.extensions import SessionLike
from app.jobs import job_send_outbox, job_weekly
from tests.factories import make_user
from tests.smtp import SmtpServer

WEEK = timedelta(days=7)
MONDAY_8 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # week 45 is due (08:00 London, GMT)


def start_and_send(app: Flask, now: datetime) -> tuple[DigestResult, int]:
    """What a scheduler does in its first minute: the weekly job, then the outbox."""
    weekly = job_weekly(app, now)
    return weekly, job_send_outbox(app, now + timedelta(seconds=30)).sent


def received(smtp_server: SmtpServer) -> Counter[tuple[str, str]]:
    return Counter((m.recipients[0], m.message["Subject"]) for m in smtp_server.messages)


def test_an_eight_day_outage_sends_the_missed_week_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    first = make_user(session, "coordinator")
    session.commit()
    start_and_send(app, MONDAY_8 + timedelta(hours=2))  # week 45, on time
    job_weekly(app, MONDAY_8 + 6 * timedelta(days=1) + timedelta(hours=12))  # Sun 8 Nov 20:00
    # the scheduler is down from Sunday 8 Nov 20:00 for 8 days: week 46 (due Monday 9 Nov
    # 08:00) is never due while it runs; a coordinator is added meanwhile
    newcomer = make_user(session, "coordinator")
    newcomer.created_at = MONDAY_8 + WEEK + timedelta(days=2)
    session.commit()
    back = MONDAY_8 + 2 * WEEK + timedelta(hours=12)  # Monday 16 Nov 20:00
    weekly, sent = start_and_send(app, back)
    assert (weekly.late, weekly.queued, sent) == (1, 2, 3)
    assert received(smtp_server) == {
        (first.email, "Corner: this week's flags (Mon 2 Nov)"): 1,
        (first.email, "Corner: late weekly flags for week 46 (Mon 9 Nov)"): 1,
        (first.email, "Corner: this week's flags (Mon 16 Nov)"): 1,
        (newcomer.email, "Corner: this week's flags (Mon 16 Nov)"): 1,
    }
    late = next(m for m in smtp_server.messages if "late" in m.message["Subject"])
    assert "This email is late: it is the weekly email for week 46" in late.text
    assert first.first_name not in late.text and first.last_name not in late.text
    # a second start (and every hourly check after it) sends nothing more
    for later in (back + timedelta(minutes=5), back + timedelta(hours=1), back + 3 * WEEK / 7):
        weekly, sent = start_and_send(app, later)
        assert (weekly.late, weekly.queued, sent) == (0, 0, 0)
    assert sum(received(smtp_server).values()) == 4


def test_a_six_week_outage_catches_up_the_last_four_weeks_only(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    coordinator = make_user(session, "coordinator")
    session.commit()
    start_and_send(app, MONDAY_8 + timedelta(hours=2))  # week 45, on time
    back = MONDAY_8 + 6 * WEEK + timedelta(days=1)  # Tuesday 15 Dec: weeks 46 to 50 missed
    weekly, sent = start_and_send(app, back)
    assert (weekly.late, weekly.queued, sent) == (4, 1, 5)
    subjects = sorted(s for _, s in received(smtp_server))
    assert [s for s in subjects if "late" in s] == [
        f"Corner: late weekly flags for week {w} ({d})"
        for w, d in [(47, "Mon 16 Nov"), (48, "Mon 23 Nov"), (49, "Mon 30 Nov"), (50, "Mon 7 Dec")]
    ]
    assert not [s for s in subjects if "week 46" in s]  # more than four weeks back
    assert set(received(smtp_server).values()) == {1}
    assert {r for r, _ in received(smtp_server)} == {coordinator.email}
    weekly, sent = start_and_send(app, back + timedelta(hours=1))
    assert (weekly.late, weekly.queued, sent) == (0, 0, 0)
