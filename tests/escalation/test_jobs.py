"""The scheduler: one per database (PostgreSQL advisory lock), the jobs, the triggers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from app.extensions import SessionLike, db
from app.jobs import (
    LOCK_CHECK_SECONDS,
    SchedulerLock,
    build_scheduler,
    job_scan,
    job_send_outbox,
    job_weekly,
    lock_held,
    try_scheduler_lock,
    wait_for_scheduler_lock,
)
from app.models import EscalationFlag, OutboxEmail, WeeklyDigest
from tests.factories import NOW, make_assignment, make_case, make_checkin, make_user, make_volunteer
from tests.smtp import SmtpServer

DAY = timedelta(days=1)


def test_only_one_scheduler_holds_the_postgres_lock(app: Flask) -> None:
    engine = db.engine
    first = try_scheduler_lock(engine)
    assert first is not None
    try:
        second = try_scheduler_lock(engine)
        if engine.dialect.name == "postgresql":
            assert second is None  # the other process stands by
        else:
            assert second is not None  # SQLite: one scheduler process by design
            second.close()
    finally:
        first.close()
    # once the first process is gone, the lock is free again (the server notices the
    # closed session within moments)
    again = None
    for _ in range(50):
        again = try_scheduler_lock(engine)
        if again is not None:
            break
        time.sleep(0.1)
    assert again is not None
    again.close()


def test_a_scheduler_alone_takes_the_lock_without_waiting(app: Flask) -> None:
    naps: list[float] = []
    connection = wait_for_scheduler_lock(db.engine, sleep=naps.append)
    connection.close()
    assert naps == []


def test_standby_scheduler_waits_then_takes_over(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite has no advisory lock: one scheduler process by design, so there is no"
            " stand-by to test (runs on PostgreSQL: set TEST_DATABASE_URL)"
        )
    holder = try_scheduler_lock(engine)
    assert holder is not None
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        holder.close()  # the active scheduler stops while we wait
        time.sleep(0.1)  # (its server session ends a moment later)

    caplog.set_level("INFO", logger="corner.scheduler")
    taken = wait_for_scheduler_lock(engine, sleep=nap)
    try:
        assert naps and set(naps) == {30}
        assert "standing by" in caplog.text and "lock taken" in caplog.text
    finally:
        taken.close()


def test_scheduler_jobs_and_triggers(app: Flask) -> None:
    scheduler = build_scheduler(app)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "outbox", "scan", "weekly", "reminders", "chase", "retention", "background", "lock"
    }  # fmt: skip
    assert str(scheduler.timezone) == "Europe/London"
    assert jobs["outbox"].trigger.interval == timedelta(minutes=1)
    assert jobs["chase"].trigger.interval == timedelta(minutes=5)
    assert jobs["lock"].trigger.interval == timedelta(seconds=LOCK_CHECK_SECONDS)
    # every job also runs once at start (the weekly one catches up with missed weeks then)
    assert all(job.next_run_time is not None for job in jobs.values())
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # summer: London is UTC+1
    scan_next = jobs["scan"].trigger.get_next_fire_time(None, start)
    assert scan_next.astimezone(UTC) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)  # 06:00 BST
    weekly_next = jobs["weekly"].trigger.get_next_fire_time(None, start)
    assert weekly_next.astimezone(UTC) == datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    reminders_next = jobs["reminders"].trigger.get_next_fire_time(None, start)
    assert reminders_next.astimezone(UTC) == datetime(2026, 6, 2, 8, 0, tzinfo=UTC)  # 09:00 BST


def test_job_functions_do_the_work_and_commit(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    make_user(session, "coordinator")
    volunteer = make_volunteer(session)
    case = make_case(session)
    make_assignment(session, case, volunteer, started_at=NOW - 40 * DAY)
    make_checkin(session, case, volunteer, occurred_at=NOW - 20 * DAY)
    session.commit()
    result = job_scan(app, NOW)
    assert result.raised == 1
    assert job_scan(app, NOW + timedelta(hours=1)).raised == 0
    assert job_weekly(app, datetime(2026, 11, 2, 7, 59, tzinfo=UTC)).not_due
    assert job_weekly(app, datetime(2026, 11, 2, 8, 0, tzinfo=UTC)).queued == 1
    session.expire_all()
    assert session.scalar(select(func.count(EscalationFlag.id))) == 1
    assert session.scalar(select(func.count(OutboxEmail.id))) == 1
    assert job_send_outbox(app, NOW).sent == 1
    assert len(smtp_server.messages) == 1


def _backend_pid(connection: Connection) -> int:
    pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
    connection.rollback()
    assert isinstance(pid, int)
    return pid


def _terminate(pid: int) -> None:
    """What a restart, a failover or an idle-session killer does to the lock's session."""
    with db.engine.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        other.commit()


def test_the_lock_check_sees_a_terminated_lock_session(app: Flask) -> None:
    connection = try_scheduler_lock(db.engine)
    assert connection is not None
    try:
        assert lock_held(connection)
        assert lock_held(connection)  # the check leaves no transaction open: repeatable
        if db.engine.dialect.name != "postgresql":
            return  # SQLite: no lock, nothing to lose (one scheduler process by design)
        _terminate(_backend_pid(connection))
        assert not lock_held(connection)  # a failed connection counts as lost
    finally:
        connection.close()


def test_the_lock_check_sees_a_lock_released_on_a_live_session(app: Flask) -> None:
    """E.g. a connection pooler's DISCARD ALL: the session lives on, the lock is gone."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no advisory lock (runs on PostgreSQL: set TEST_DATABASE_URL)")
    connection = try_scheduler_lock(db.engine)
    assert connection is not None
    try:
        connection.execute(text("SELECT pg_advisory_unlock_all()"))
        connection.commit()
        assert not lock_held(connection)
        assert connection.execute(text("SELECT 1")).scalar() == 1  # still connected
    finally:
        connection.close()


def test_no_job_runs_once_the_lock_is_lost(app: Flask, session: SessionLike) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite has no advisory lock to lose: one scheduler process by design"
            " (runs on PostgreSQL: set TEST_DATABASE_URL)"
        )
    make_user(session, "coordinator")
    session.commit()
    connection = try_scheduler_lock(db.engine)
    assert connection is not None
    lock = SchedulerLock(connection)
    scheduler = build_scheduler(app, lock)
    assert lock.still_held()
    _terminate(_backend_pid(connection))
    for job_id in ("weekly", "scan", "chase", "outbox"):  # each returns its result when it runs
        job = scheduler.get_job(job_id)
        assert job.func(*job.args) is None, job_id
    assert lock.lost.is_set() and not lock.still_held()
    lock.close()
    session.expire_all()
    assert session.scalar(select(func.count(WeeklyDigest.id))) == 0  # … and queued none
