"""The scheduler process: APScheduler wiring and its ``flask scheduler run`` command; each job
calls the same service as the CLI.

* outbox every minute (``email.send_pending``);
* the scan daily at 06:00 in the service time zone (``escalation.scan.run_scan``), and once
  at start;
* the weekly email check every hour and once at start (``digest.queue_weekly`` with
  ``only_when_due``): after downtime it catches up with any coordinator still missing
  this week's email.

Only one scheduler acts per database. On PostgreSQL the process holds a session-level
advisory lock (``pg_try_advisory_lock``) on a dedicated connection for its whole life; a
second scheduler logs that it is on standby and retries until the first goes away. On
SQLite there is one process by design (the README says so). Every job is idempotent
anyway, so even two schedulers would neither lose nor duplicate anything.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from app.email import send_pending
from app.escalation.digest import queue_weekly
from app.escalation.scan import ScanResult, run_scan
from app.escalation.scan_runs import record_completed_scan
from app.extensions import db
from app.timeutil import service_zone, utcnow

log = logging.getLogger("corner.scheduler")

#: The advisory lock's key: any fixed 64-bit number, the same in every scheduler process.
ADVISORY_LOCK_KEY = 0x0C0E11E5  # "corner"
STANDBY_RETRY_SECONDS = 30
SQLITE_RETRIES = 5


def try_scheduler_lock(engine: Engine) -> Connection | None:
    """PostgreSQL: a connection holding the scheduler lock, or None if another has it.

    SQLite: a plain connection (one scheduler process by design). The connection is
    outside the pool: closing it really ends the session, and with it the lock.
    """
    dedicated = create_engine(engine.url, poolclass=NullPool)
    connection = dedicated.connect()
    if engine.dialect.name != "postgresql":
        return connection
    got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
    if got.scalar():
        connection.commit()  # end the transaction; the session-level lock stays
        return connection
    connection.rollback()
    connection.close()
    return None


def wait_for_scheduler_lock(
    engine: Engine, sleep: Callable[[float], None] = time.sleep
) -> Connection:
    while True:
        connection = try_scheduler_lock(engine)
        if connection is not None:
            log.info("Scheduler lock taken: this process runs the jobs.")
            return connection
        log.info(
            "Another scheduler holds the lock: standing by, retrying in %ss.", STANDBY_RETRY_SECONDS
        )
        sleep(STANDBY_RETRY_SECONDS)


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
        outcome = run_scan(db.session, at)
        record_completed_scan(db.session, at)
        return outcome

    result = _in_transaction(app, scan, now)
    log.info(
        "Scan: raised %s, resolved %s, could not check %s.",
        result.raised,
        result.resolved + result.closed_resolved,
        result.failed,
    )
    return result


def job_weekly(app: Flask, now: datetime | None = None) -> Any:
    result = _in_transaction(app, lambda at: queue_weekly(db.session, at, only_when_due=True), now)
    log.info("Weekly email: %s", result)
    return result


def build_scheduler(app: Flask) -> Any:
    """A BlockingScheduler in the service time zone with the three jobs."""
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    tz = service_zone()
    scheduler = BlockingScheduler(
        timezone=tz, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}
    )
    start = datetime.now(scheduler.timezone)
    scheduler.add_job(
        job_send_outbox,
        IntervalTrigger(minutes=1, timezone=tz),
        args=[app],
        id="outbox",
        next_run_time=start,
    )
    scheduler.add_job(
        job_scan,
        CronTrigger(hour=6, minute=0, timezone=tz),
        args=[app],
        id="scan",
        next_run_time=start,
    )
    scheduler.add_job(
        job_weekly,
        CronTrigger(minute=0, timezone=tz),
        args=[app],
        id="weekly",
        next_run_time=start,
    )
    return scheduler


def run_scheduler(app: Flask) -> None:
    """The ``flask scheduler run`` process: wait for the lock, then run the jobs forever."""
    with app.app_context():
        engine = db.engine
    lock = wait_for_scheduler_lock(engine)
    scheduler = build_scheduler(app)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        log.info("Scheduler stopping.")
    finally:
        lock.close()


@click.group("scheduler")
def scheduler_commands() -> None:
    """The scheduler process."""


@scheduler_commands.command("run")
def run_command() -> None:
    """Run the scheduler (blocking): outbox every minute, scan at 06:00, weekly check hourly."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
