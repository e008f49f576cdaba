"""The scheduler process: APScheduler wiring and its ``flask scheduler run`` command; each job
calls the same service as the CLI.

* outbox every minute (``email.send_pending``);
* the scan daily at 06:00 in the service time zone (``escalation.scan.run_scan``), and once
  at start;
* the weekly email check every hour and once at start (``digest.queue_weekly`` with
  ``only_when_due`` and ``catch_up``): after downtime it catches up with any coordinator
  still missing this week's email, and queues a late email for each week of the last four
  that was missed altogether;
* the chase every 5 minutes (``escalation.chase.run_chase``): urgent flags nobody has
  acknowledged in time are emailed again, each step once per flag;
* the volunteers' reminders daily at 09:00, and once at start if started after 09:00
  (``reminders.queue_reminders``; at most one email a day per volunteer, however often it
  runs);
* the retention run daily at 03:30, and once at start (``privacy.retention.run_retention``:
  parents past the admin's retention period are anonymised; idempotent);
* the background jobs (spreadsheet imports and exports queued from the web pages) every
  ``JOBS_POLL_SECONDS`` (3 s; ``background.run_jobs``, the same as ``flask jobs run``);
* the lock check every ``SCHEDULER_LOCK_CHECK_SECONDS`` (30 s).

Only one scheduler acts per database. On PostgreSQL the process holds a session-level
advisory lock (``pg_try_advisory_lock``) on a dedicated connection for its whole life; a
second scheduler logs that it is on standby and retries every ``SCHEDULER_STANDBY_SECONDS``
until the first goes away. The lock can be lost without the process noticing (its session
terminated by a database restart, a failover or an idle-session killer), so before every
job, and on its own every ``SCHEDULER_LOCK_CHECK_SECONDS`` (which also keeps the session
from looking idle), the scheduler asks ``pg_locks`` whether its session still holds the
lock; a failed connection counts as lost. On loss it runs no further job, logs
"Scheduler lock lost" and exits with status 3, so its supervisor restarts it and it stands
by (or takes the lock again). On SQLite there is one process by design (the README says
so) and no lock to check. Every job is idempotent anyway, so even two schedulers would
neither lose nor duplicate anything.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from app.background import run_jobs
from app.email import send_pending
from app.escalation.chase import run_chase
from app.escalation.digest import queue_weekly
from app.escalation.scan import ScanResult, run_scheduled_scan
from app.extensions import db
from app.health.checks import record_heartbeat
from app.privacy.erasure import checkpoint
from app.privacy.retention import run_retention
from app.production import refuse_unsafe_start
from app.reminders import queue_reminders
from app.smtp import check_mail_server
from app.timeutil import service_zone, utcnow, zone

log = logging.getLogger("corner.scheduler")

#: The advisory lock's key: any fixed 64-bit number, the same in every scheduler process.
ADVISORY_LOCK_KEY = 0x0C0E11E5  # "corner"
STANDBY_RETRY_SECONDS = 30
LOCK_CHECK_SECONDS = 30
SQLITE_RETRIES = 5
#: The exit status of a scheduler that lost its lock (so its supervisor restarts it).
EXIT_LOCK_LOST = 3

#: Does this session still hold the scheduler lock? (A bigint key shows in ``pg_locks`` as
#: its high and low 32 bits in ``classid`` and ``objid``, with ``objsubid`` 1.)
LOCK_HELD_SQL = text(
    "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    " AND granted AND classid = CAST(:classid AS oid) AND objid = CAST(:objid AS oid)"
    " AND objsubid = 1"
)


def lock_application_name(pid: int | None = None) -> str:
    """The ``application_name`` of the lock's session, as ``pg_stat_activity`` shows it."""
    return f"corner scheduler lock (pid {pid or os.getpid()})"


def try_scheduler_lock(engine: Engine) -> Connection | None:
    """PostgreSQL: a connection holding the scheduler lock, or None if another has it.

    SQLite: a plain connection (one scheduler process by design). The connection is
    outside the pool: closing it really ends the session, and with it the lock.
    """
    if engine.dialect.name != "postgresql":
        return create_engine(engine.url, poolclass=NullPool).connect()
    dedicated = create_engine(
        engine.url,
        poolclass=NullPool,
        connect_args={"application_name": lock_application_name()},
    )
    connection = dedicated.connect()
    got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    if got.scalar():
        connection.commit()  # end the transaction; the session-level lock stays
        return connection
    connection.rollback()
    connection.close()
    return None


def lock_held(connection: Connection) -> bool:
    """Whether ``connection`` (from ``try_scheduler_lock``) still holds the lock.

    One cheap query on PostgreSQL; an error (the session was terminated, the server is
    gone) counts as lost. SQLite has no lock: always True.
    """
    if connection.dialect.name != "postgresql":
        return True
    try:
        row = connection.execute(
            LOCK_HELD_SQL,
            {"classid": ADVISORY_LOCK_KEY >> 32, "objid": ADVISORY_LOCK_KEY & 0xFFFFFFFF},
        ).first()
        connection.rollback()  # leave the session idle, not idle in a transaction
    except SQLAlchemyError:
        return False
    return row is not None


class SchedulerLock:
    """The lock's connection, checked before every job (jobs run in several threads)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.lost = threading.Event()
        self._mutex = threading.Lock()

    def still_held(self) -> bool:
        """True while the lock is held; once lost, False for good (logged once)."""
        with self._mutex:
            if self.lost.is_set():
                return False
            if lock_held(self.connection):
                return True
            self.lost.set()
        log.error(
            "Scheduler lock lost (its database session ended): running no more jobs and"
            " exiting with status %s; restarted, it stands by or takes the lock again.",
            EXIT_LOCK_LOST,
        )
        return False

    def close(self) -> None:
        with contextlib.suppress(SQLAlchemyError):  # the session may be gone already
            self.connection.close()


def wait_for_scheduler_lock(
    engine: Engine,
    sleep: Callable[[float], None] = time.sleep,
    retry_seconds: float = STANDBY_RETRY_SECONDS,
) -> Connection:
    while True:
        connection = try_scheduler_lock(engine)
        if connection is not None:
            log.info("Scheduler lock taken: this process runs the jobs.")
            return connection
        log.info("Another scheduler holds the lock: standing by, retrying in %ss.", retry_seconds)
        sleep(retry_seconds)


def _in_transaction(
    app: Flask, work: Callable[[datetime], Any], now: datetime | None = None
) -> Any:
    """Run ``work(now)`` in an app context and commit; retry briefly if SQLite is busy."""
    for attempt in range(SQLITE_RETRIES):
        with app.app_context():
            try:
                outcome = work(now or utcnow())
                db.session.commit()
                return outcome
            except OperationalError:
                db.session.rollback()
                if db.engine.dialect.name != "sqlite" or attempt == SQLITE_RETRIES - 1:
                    raise
            finally:
                db.session.remove()
        time.sleep(0.5 * (attempt + 1))
    return None


def job_send_outbox(app: Flask, now: datetime | None = None) -> Any:
    result = send_pending(app, now if now is not None else utcnow)  # the clock, read per claim
    log.info("Outbox: %s", result)
    return result


def job_scan(app: Flask, now: datetime | None = None) -> Any:
    def scan(at: datetime) -> ScanResult:
        return run_scheduled_scan(db.session, at)

    result = _in_transaction(app, scan, now)
    log.info(
        "Scan: raised %s, resolved %s, could not check %s.",
        result.raised,
        result.resolved + result.closed_resolved,
        result.failed,
    )
    return result


def job_weekly(app: Flask, now: datetime | None = None) -> Any:
    result = _in_transaction(
        app, lambda at: queue_weekly(db.session, at, only_when_due=True, catch_up=True), now
    )
    log.info("Weekly email: %s", result)
    return result


#: the hour (service time zone) from which the day's reminders go out
REMINDER_HOUR = 9


def job_reminders(app: Flask, now: datetime | None = None) -> Any:
    """At 09:00, and at start when started later in the day (a catch-up); never before 09:00,
    so a restart at night emails nobody then. Once a day per volunteer whatever runs it."""
    at = now or utcnow()
    if at.astimezone(zone()).hour < REMINDER_HOUR:
        log.info("Reminders: not before %02d:00.", REMINDER_HOUR)
        return None
    result = _in_transaction(app, lambda moment: queue_reminders(db.session, moment), at)
    log.info("Reminders: %s", result)
    return result


def job_chase(app: Flask, now: datetime | None = None) -> Any:
    result = _in_transaction(app, lambda at: run_chase(db.session, at), now)
    log.info("Chase: %s", result)
    return result


#: the hour (service time zone) of the daily retention run
RETENTION_HOUR = 3


def job_retention(app: Flask, now: datetime | None = None) -> Any:
    """Daily: anonymise the parents past the retention period (running again erases nobody
    twice: an erased parent is never due again)."""
    result = _in_transaction(app, lambda at: run_retention(db.session, at), now)
    if result is not None and result.erased:
        with app.app_context():
            checkpoint(db.engine)
    log.info("Retention: %s", result.summary() if result is not None else result)
    return result


def job_background(app: Flask, now: datetime | None = None) -> Any:
    """The queued imports and exports, oldest first (each claimed, so never run twice)."""
    return run_jobs(app, now)


def job_lock_check(app: Flask, now: datetime | None = None) -> None:
    """The check before every job is the work (see ``run_guarded``); then the heartbeat
    that /healthz reads (``health.checks.record_heartbeat``)."""
    _in_transaction(app, lambda at: record_heartbeat(db.session, at), now)


_stopping = threading.Lock()


def run_guarded(
    job: Callable[[Flask], Any], app: Flask, lock: SchedulerLock | None, scheduler: Any
) -> Any:
    """Run ``job(app)`` only while the lock is held; on loss stop the scheduler instead."""
    if lock is not None and not lock.still_held():
        with _stopping:  # two jobs may find the loss at once; shut down once
            if scheduler.running:
                scheduler.shutdown(wait=False)  # start() returns in the main thread
        return None
    return job(app)


def build_scheduler(app: Flask, lock: SchedulerLock | None = None) -> Any:
    """A BlockingScheduler in the service time zone with the jobs, each checking ``lock``."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = service_zone()
    scheduler = BlockingScheduler(
        timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    start = datetime.now(scheduler.timezone)
    check_seconds = float(app.config.get("SCHEDULER_LOCK_CHECK_SECONDS", LOCK_CHECK_SECONDS))
    poll_seconds = float(app.config.get("JOBS_POLL_SECONDS", 3))
    jobs: list[tuple[str, Callable[[Flask], Any], Any]] = [
        ("outbox", job_send_outbox, IntervalTrigger(minutes=1, timezone=tz)),
        ("scan", job_scan, CronTrigger(hour=6, minute=0, timezone=tz)),
        ("weekly", job_weekly, CronTrigger(minute=0, timezone=tz)),
        ("chase", job_chase, IntervalTrigger(minutes=5, timezone=tz)),
        ("reminders", job_reminders, CronTrigger(hour=REMINDER_HOUR, minute=0, timezone=tz)),
        ("retention", job_retention, CronTrigger(hour=RETENTION_HOUR, minute=30, timezone=tz)),
        ("background", job_background, IntervalTrigger(seconds=poll_seconds, timezone=tz)),
        ("lock", job_lock_check, IntervalTrigger(seconds=check_seconds, timezone=tz)),
    ]
    for job_id, job, trigger in jobs:
        scheduler.add_job(
            run_guarded,
            trigger,
            args=[job, app, lock, scheduler],
            id=job_id,
            name=job_id,
            next_run_time=start,
        )
    return scheduler


def run_scheduler(app: Flask) -> int:
    """The ``flask scheduler run`` process: wait for the lock, then run the jobs until it is
    lost (exit status ``EXIT_LOCK_LOST``) or the process is stopped (0)."""
    with app.app_context():
        engine = db.engine
    standby = float(app.config.get("SCHEDULER_STANDBY_SECONDS", STANDBY_RETRY_SECONDS))
    lock = SchedulerLock(wait_for_scheduler_lock(engine, retry_seconds=standby))
    scheduler = build_scheduler(app, lock)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopping.")
    finally:
        lock.close()
    return EXIT_LOCK_LOST if lock.lost.is_set() else 0


@click.group("scheduler")
def scheduler_commands() -> None:
    """The scheduler process."""


def warn_if_mail_server_silent(app: Flask) -> str | None:
    """At start: connect to the mail server (EHLO, NOOP, a short timeout) and log a clear
    warning when it does not answer. The warning, or None when it answered."""
    problem = check_mail_server(app.config)
    if problem is None:
        log.info("Mail server %s:%s answered.", app.config["SMTP_HOST"], app.config["SMTP_PORT"])
        return None
    warning = (
        f"WARNING: the mail server {app.config['SMTP_HOST']}:{app.config['SMTP_PORT']} did not"
        f" answer: {problem} Emails wait in the outbox and are retried for a day."
    )
    log.warning(warning)
    return warning


@scheduler_commands.command("run")
@click.option(
    "--no-mail-check", is_flag=True, help="Do not check the mail server at start (make run does)."
)
@click.pass_context
def run_command(ctx: click.Context, no_mail_check: bool) -> None:
    """Run the scheduler (blocking): outbox every minute, chase every 5 minutes, scan at 06:00,
    weekly check hourly, volunteers' reminders at 09:00.

    Checks the mail server at start and warns when it does not answer. Exits with status 3
    if it loses the scheduler lock (PostgreSQL), to be restarted."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    refuse_unsafe_start(current_app._get_current_object())  # type: ignore[attr-defined]
    if not no_mail_check:
        warn_if_mail_server_silent(current_app._get_current_object())  # type: ignore[attr-defined]
    # each job logs its own line; APScheduler's "Added job", "Running job …" and "executed
    # successfully" lines would drown them (job errors are still logged, at ERROR)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    status = run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    ctx.exit(status)
