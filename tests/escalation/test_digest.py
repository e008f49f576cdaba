"""The weekly email: due Monday 08:00 in the service time zone, once per coordinator and ISO
week, no PII."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import timeutil
from app.email import SENDING_LEASE, send_pending
from app.escalation.digest import MISSED_WEEKS, queue_weekly, week_containing, weeks_before
from app.escalation.hooks import on_checkin_submitted
from app.escalation.scan import run_scan
from app.extensions import SessionLike, db
from app.jobs import build_scheduler, job_send_outbox, job_weekly
from app.models import EscalationFlag, OutboxEmail, WeeklyDigest
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import make_app
from tests.smtp import SmtpServer

DAY = timedelta(days=1)
MONDAY_8 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # GMT: 08:00 London


def test_week_and_due_time_in_london() -> None:
    week = week_containing(NOW)
    assert (week.iso_year, week.iso_week) == (2026, 45)
    assert week.due_at == MONDAY_8
    assert week.period_start == MONDAY_8 - 7 * DAY
    summer = week_containing(datetime(2026, 6, 3, 12, 0, tzinfo=UTC))
    assert summer.due_at == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 08:00 BST
    # Sunday 23:30 UTC in summer is already Monday in London
    assert week_containing(datetime(2026, 6, 7, 23, 30, tzinfo=UTC)).iso_week == 24


@pytest.fixture
def new_york() -> Iterator[None]:
    """The service time zone (CORNER_TIMEZONE) set to America/New_York for one test."""
    previous = timeutil.service_zone()
    timeutil.set_service_zone("America/New_York")
    yield
    timeutil.set_service_zone(previous)


def test_week_and_due_time_follow_the_service_time_zone(new_york: None) -> None:
    week = week_containing(NOW)  # Monday 10:00 UTC is 05:00 in New York
    assert (week.iso_year, week.iso_week) == (2026, 45)
    assert week.due_at == datetime(2026, 11, 2, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert week.period_start == datetime(2026, 10, 26, 12, 0, tzinfo=UTC)  # 08:00 EDT


def test_hourly_check_waits_for_monday_8_then_catches_up(session: SessionLike) -> None:
    first = make_user(session, "coordinator")
    session.commit()
    before = queue_weekly(session, MONDAY_8 - timedelta(minutes=1), only_when_due=True)
    assert before.not_due and before.queued == 0
    assert queue_weekly(session, MONDAY_8, only_when_due=True).queued == 1
    assert queue_weekly(session, MONDAY_8 + timedelta(hours=1), only_when_due=True).queued == 0
    # a coordinator added on Wednesday gets this week's email at the next hourly check
    second = make_user(session, "coordinator")
    result = queue_weekly(session, MONDAY_8 + 2 * DAY, only_when_due=True)
    assert (result.queued, result.already) == (1, 1)
    ledger = {row.coordinator_id for row in session.scalars(select(WeeklyDigest))}
    assert ledger == {first.id, second.id}
    # the next week is a new week
    assert queue_weekly(session, MONDAY_8 + 7 * DAY, only_when_due=True).queued == 2


def test_content_sections_visibility_and_grouping(session: SessionLike) -> None:
    north, south = make_area(session), make_area(session)
    coordinator = make_user(session, "coordinator", areas=[north])
    mine = make_case(session, area=north)
    theirs = make_case(session, area=south)

    def flag(case, rule, severity, raised, resolved=None):
        row = EscalationFlag(
            case_id=case.id,
            rule=rule,
            severity=severity,
            evidence="",
            raised_at=raised,
            status="resolved" if resolved else "open",
            resolved_at=resolved,
        )
        session.add(row)
        session.flush()
        return row

    opened = flag(mine, "NO_CONTACT", "medium", MONDAY_8 - 2 * DAY)
    old = flag(mine, "UNMATCHED", "medium", MONDAY_8 - 20 * DAY)
    done = flag(mine, "WELLBEING_LOW", "high", MONDAY_8 - 30 * DAY, MONDAY_8 - DAY)
    hidden = flag(theirs, "NO_CONTACT", "medium", MONDAY_8 - DAY)
    queue_weekly(session, NOW, only_when_due=False)
    email = session.scalars(select(OutboxEmail)).one()
    assert email.to_addrs == [coordinator.email]
    body = email.body_text
    opened_part, rest = body.split("Still open from before", 1)
    still_part, resolved_part = rest.split("Resolved this week", 1)
    assert f"/flags/{opened.id}" in opened_part
    assert f"/flags/{old.id}" in still_part
    assert f"/flags/{done.id}" in resolved_part
    assert f"/flags/{hidden.id}" not in body
    assert "Medium:" in opened_part and "High:" in resolved_part
    assert mine.reference in body and theirs.reference not in body


@pytest.mark.parametrize("threads", [2, 3])
def test_weekly_job_in_parallel_queues_each_email_once(
    app: Flask, session: SessionLike, threads: int
) -> None:
    for _ in range(5):
        make_user(session, "coordinator")
    session.commit()
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            job_weekly(app, MONDAY_8 + timedelta(minutes=5))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    session.expire_all()
    assert session.scalar(select(func.count(OutboxEmail.id))) == 5
    assert session.scalar(select(func.count(WeeklyDigest.id))) == 5


CANARIES = [
    "Zephyrine",
    "Quillfeather",
    "canary.parent@",
    "07999 123456",
    "ZZ9 9ZZ",
    "CANARY-NOTE-7f3",
    "canary-topic-9k",
    "Ottoline",
]


def test_no_names_health_details_or_notes_in_any_email(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    area = make_area(session, duty_email="duty@charity.example")
    coordinator = make_user(session, "coordinator", areas=[area])
    volunteer = make_volunteer(session, area=area, user_kw={"first_name": "Ottoline"})
    parent = make_parent(
        session,
        area=area,
        first_name="Zephyrine",
        last_name="Quillfeather",
        email="canary.parent@example.org",
        phone="07999 123456",
        postcode="ZZ9 9ZZ",
    )
    case = make_case(session, parent, owner=coordinator)
    make_assignment(session, case, volunteer, started_at=NOW - 40 * DAY)
    checkin = make_checkin(
        session,
        case,
        volunteer,
        occurred_at=NOW - 20 * DAY,
        wellbeing=1,
        bonding=1,
        concerns=["safeguarding", "self_harm", "domestic_abuse", "low_mood"],
        coordinator_today=True,
        whooley_down=True,
        notes="CANARY-NOTE-7f3 she said …",
        topics=["canary-topic-9k"],
    )
    on_checkin_submitted(session, checkin, NOW - 20 * DAY)
    run_scan(session, NOW - DAY)
    session.commit()
    queue_weekly(session, NOW, only_when_due=False)
    session.commit()
    assert send_pending(app, NOW).sent == 2
    assert len(smtp_server.messages) == 2
    for received in smtp_server.messages:
        seen = (received.raw.decode("utf-8", "replace") + received.text).lower()
        for canary in CANARIES:
            assert canary.lower() not in seen
        for word in ("self-harm", "suicide", "safeguarding", "domestic", "mood", "anxiety"):
            assert word not in seen
        assert case.reference in received.text
        assert "canary.parent@example.org" not in received.recipients


def test_crash_at_message_k_and_rerun_send_each_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    coordinators = [make_user(session, "coordinator") for _ in range(6)]
    session.commit()
    job_weekly(app, MONDAY_8)
    smtp_server.handler.fail_at = {4}
    first = job_send_outbox(app, MONDAY_8 + timedelta(minutes=1))
    assert (first.sent, first.retried) == (5, 1)
    job_weekly(app, MONDAY_8 + timedelta(hours=1))  # the hourly check queues nothing new
    second = job_send_outbox(app, MONDAY_8 + timedelta(minutes=3))
    assert second.sent == 1
    received = sorted(r for m in smtp_server.messages for r in m.recipients)
    assert received == sorted(c.email for c in coordinators)


def _send_subprocess(
    database_uri: str, smtp: SmtpServer, tmp_path: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CORNER_ENV": "development",
        "CORNER_INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "subprocess-test-key",
        "DATABASE_URL": database_uri,
        "SMTP_HOST": smtp.host,
        "SMTP_PORT": str(smtp.port),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "emails", "send"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_sender_killed_mid_send_and_rerun_duplicates_only_the_one_in_flight(
    app: Flask, session: SessionLike, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    coordinators = [make_user(session, "coordinator") for _ in range(6)]
    session.commit()
    job_weekly(app, MONDAY_8)
    handler = smtp_server.handler
    reached = threading.Event()
    release = threading.Event()
    original = handler.handle_DATA

    async def hang_at_third(server, smtp_session, envelope):
        answer = await original(server, smtp_session, envelope)
        if handler.seen == 3:
            reached.set()
            while not release.is_set():  # keep the sender waiting for "250"
                import asyncio

                await asyncio.sleep(0.05)
        return answer

    handler.handle_DATA = hang_at_third  # type: ignore[method-assign]
    process = _send_subprocess(app.config["SQLALCHEMY_DATABASE_URI"], smtp_server, tmp_path)
    try:
        assert reached.wait(60), "the sender never reached the third message"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        release.set()
        if process.poll() is None:
            process.kill()
    time.sleep(0.2)
    assert len(smtp_server.messages) == 3  # two acknowledged, one in flight
    session.expire_all()
    statuses = sorted(e.status for e in session.scalars(select(OutboxEmail)))
    assert statuses == ["queued"] * 3 + ["sending"] + ["sent"] * 2
    # a rerun before the lease runs out leaves the in-flight one alone …
    real_now = datetime.now(UTC)
    assert job_send_outbox(app, real_now).sent == 3
    # … and after it, sends it again: the only possible duplicate
    assert job_send_outbox(app, real_now + SENDING_LEASE + timedelta(seconds=1)).sent == 1
    per_recipient: dict[str, int] = {}
    for message in smtp_server.messages:
        for rcpt in message.recipients:
            per_recipient[rcpt] = per_recipient.get(rcpt, 0) + 1
    assert set(per_recipient) == {c.email for c in coordinators}
    assert sorted(per_recipient.values()) == [1, 1, 1, 1, 1, 2]


# --------------------------------------------------------------------------- missed weeks

WEEK = 7 * DAY


def _weekly_ledger(session: SessionLike) -> list[tuple[int, int, int]]:
    session.expire_all()
    return sorted(
        (row.coordinator_id, row.iso_year, row.iso_week)
        for row in session.scalars(select(WeeklyDigest))
    )


def test_weeks_before_are_the_previous_iso_weeks_across_a_clock_change() -> None:
    week = week_containing(datetime(2026, 11, 4, 12, 0, tzinfo=UTC))  # W45; BST ended 25 Oct
    before = weeks_before(week, 4)
    assert [w.iso_week for w in before] == [41, 42, 43, 44]
    assert before[-1].due_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # 08:00 GMT
    assert before[-2].due_at == datetime(2026, 10, 19, 7, 0, tzinfo=UTC)  # 08:00 BST


def test_a_missed_week_is_queued_late_once(session: SessionLike) -> None:
    coordinator = make_user(session, "coordinator")
    session.commit()
    assert queue_weekly(session, MONDAY_8, only_when_due=True, catch_up=True).queued == 1
    # down from Sunday 8 Nov until Tuesday 17 Nov: week 46 (due Monday 9 Nov) was missed
    back = MONDAY_8 + 2 * WEEK + DAY
    result = queue_weekly(session, back, only_when_due=True, catch_up=True)
    assert (result.late, result.queued) == (1, 1)
    assert "1 late weekly emails for missed weeks" in str(result)
    assert _weekly_ledger(session) == [(coordinator.id, 2026, w) for w in (45, 46, 47)]
    late = session.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("late"))).one()
    assert late.subject == "Corner: late weekly flags for week 46 (Mon 9 Nov)"
    assert late.body_text.startswith("This email is late: it is the weekly email for week 46")
    assert "Opened that week" in late.body_text and "late" in late.body_html
    on_time = session.scalars(select(OutboxEmail).order_by(OutboxEmail.id.desc())).first()
    assert on_time is not None and "late" not in on_time.body_text
    # every later start and hourly check queues nothing more
    for later in (back + timedelta(minutes=1), back + DAY, MONDAY_8 + 3 * WEEK - DAY):
        again = queue_weekly(session, later, only_when_due=True, catch_up=True)
        assert (again.late, again.queued) == (0, 0)
    assert session.scalar(select(func.count(OutboxEmail.id))) == 3


def test_catch_up_looks_back_four_weeks_only(session: SessionLike) -> None:
    make_user(session, "coordinator")
    session.commit()
    queue_weekly(session, MONDAY_8, only_when_due=True, catch_up=True)  # week 45
    back = MONDAY_8 + 6 * WEEK + DAY  # Tuesday of week 51: weeks 46 to 50 were missed
    result = queue_weekly(session, back, only_when_due=True, catch_up=True)
    assert (result.late, result.queued) == (MISSED_WEEKS, 1)
    assert [w for _, _, w in _weekly_ledger(session)] == [45, 47, 48, 49, 50, 51]


def test_catch_up_runs_before_monday_8_too(session: SessionLike) -> None:
    make_user(session, "coordinator")
    session.commit()
    queue_weekly(session, MONDAY_8, only_when_due=True, catch_up=True)  # week 45
    back = MONDAY_8 + 2 * WEEK - timedelta(hours=1)  # Monday 16 Nov 07:00: week 47 not due
    result = queue_weekly(session, back, only_when_due=True, catch_up=True)
    assert result.not_due and (result.late, result.queued) == (1, 0)
    assert [w for _, _, w in _weekly_ledger(session)] == [45, 46]


def test_no_late_emails_without_a_missed_week(session: SessionLike) -> None:
    """A new installation, a coordinator added or back from leave: nothing was missed."""
    first = make_user(session, "coordinator")
    first.created_at = MONDAY_8 - 10 * WEEK
    session.commit()
    # a new installation (no weekly email ever sent) gets no late emails for the past
    start = queue_weekly(session, MONDAY_8, only_when_due=True, catch_up=True)
    assert (start.late, start.queued) == (0, 1)
    # week 46 went out while a second coordinator was away (inactive) …
    away = make_user(session, "coordinator", active=False)
    session.commit()
    queue_weekly(session, MONDAY_8 + WEEK, only_when_due=True, catch_up=True)
    away.active = True
    # … and a third was added after week 47 was due; then the scheduler is down all week 48
    newcomer = make_user(session, "coordinator")
    session.commit()
    queue_weekly(session, MONDAY_8 + 2 * WEEK, only_when_due=True, catch_up=True)
    newcomer.created_at = MONDAY_8 + 3 * WEEK + timedelta(hours=1)
    session.commit()
    result = queue_weekly(session, MONDAY_8 + 4 * WEEK, only_when_due=True, catch_up=True)
    # week 48 is late for those who existed then; nobody gets week 46 again
    assert (result.late, result.queued) == (2, 3)
    assert [(c, w) for c, _, w in _weekly_ledger(session) if w == 48] == [
        (first.id, 48),
        (away.id, 48),
    ]
    assert [w for c, _, w in _weekly_ledger(session) if c == away.id] == [47, 48, 49]


def test_a_late_email_lists_the_week_as_it_ended(session: SessionLike) -> None:
    coordinator = make_user(session, "coordinator")
    case = make_case(session)
    week46 = week_containing(MONDAY_8 + WEEK)  # covers 2 Nov 08:00 to 9 Nov 08:00

    def flag(rule, raised, resolved=None):
        row = EscalationFlag(
            case_id=case.id,
            rule=rule,
            severity="medium",
            evidence="",
            raised_at=raised,
            status="resolved" if resolved else "open",
            resolved_at=resolved,
        )
        session.add(row)
        session.flush()
        return row

    open_then_resolved_since = flag("UNMATCHED", MONDAY_8 - DAY, MONDAY_8 + 10 * DAY)
    resolved_before = flag("NO_CONTACT", MONDAY_8 - 3 * DAY, MONDAY_8 - DAY)
    raised_after = flag("WELLBEING_LOW", MONDAY_8 + 10 * DAY)
    queue_weekly(session, MONDAY_8, only_when_due=False)  # week 45 on time
    session.commit()
    result = queue_weekly(session, MONDAY_8 + 2 * WEEK + DAY, only_when_due=True, catch_up=True)
    assert result.late == 1
    late = session.scalars(select(OutboxEmail).where(OutboxEmail.subject.contains("late"))).one()
    assert late.to_addrs == [coordinator.email]
    body = late.body_text
    assert f"week {week46.iso_week} (Mon 2 Nov to Mon 9 Nov 08:00)" in body
    still_open = body.split("Still open from before", 1)[1].split("Resolved that week")[0]
    assert f"/flags/{open_then_resolved_since.id}" in still_open  # still open when it ended
    assert f"/flags/{resolved_before.id}" not in body  # resolved before that week
    assert f"/flags/{raised_after.id}" not in body  # a later week's business


def test_the_weekly_email_follows_corner_timezone_end_to_end(
    database_uri: str, session: SessionLike
) -> None:
    """CORNER_TIMEZONE=America/New_York: due Monday 08:00 New York time, dated there."""
    make_user(session, "coordinator")
    session.commit()
    previous = timeutil.service_zone()
    new_york = make_app(database_uri, CORNER_TIMEZONE="America/New_York")
    try:
        assert str(build_scheduler(new_york).timezone) == "America/New_York"
        # Monday 2 Nov 12:59 UTC is 07:59 in New York (London would be due since 08:00 UTC)
        assert job_weekly(new_york, datetime(2026, 11, 2, 12, 59, tzinfo=UTC)).not_due
        assert job_weekly(new_york, datetime(2026, 11, 2, 13, 0, tzinfo=UTC)).queued == 1
        # Monday 9 Nov 04:30 UTC is still Sunday in New York: week 45, already queued
        # (London would be in week 46, not due until 08:00)
        sunday = job_weekly(new_york, datetime(2026, 11, 9, 4, 30, tzinfo=UTC))
        assert not sunday.not_due and (sunday.queued, sunday.already) == (0, 1)
        with new_york.app_context():
            digest = session.scalars(select(WeeklyDigest)).one()
        assert (digest.iso_year, digest.iso_week) == (2026, 45)
    finally:
        timeutil.set_service_zone(previous)
        with new_york.app_context():
            db.session.remove()
            db.engine.dispose()
