"""Item 5: a scheduler whose lock session is terminated stops running jobs; the stand-by
takes over. Two real ``flask scheduler run`` processes on PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import text

from app.extensions import db
from app.jobs import ADVISORY_LOCK_KEY, EXIT_LOCK_LOST, lock_application_name
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
INTERVAL = 0.3  # the lock check and the stand-by retry, in seconds (30 by default)
JOB_LINES = ("Outbox:", "Scan:", "Weekly email:")


class Scheduler:
    """One ``flask scheduler run`` process with its log lines (standard error) collected."""

    def __init__(self, database_uri: str, tmp_path: Path, name: str) -> None:
        env = {
            **os.environ,
            "CORNER_ENV": "development",
            "CORNER_INSTANCE_DIR": str(tmp_path / name),
            "SECRET_KEY": "subprocess-test-key",
            "DATABASE_URL": database_uri,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(free_port()),  # nothing is queued, so nothing is sent
            "SCHEDULER_LOCK_CHECK_SECONDS": str(INTERVAL),
            "SCHEDULER_STANDBY_SECONDS": str(INTERVAL),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "app", "scheduler", "run"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self.arrived: list[float] = []  # time.monotonic() when each line was read
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self.arrived.append(time.monotonic())
                self._changed.notify_all()

    def wait_for(self, words: str, timeout: float, after: int = 0) -> int:
        """The index of the first log line from ``after`` on containing ``words``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for index in range(after, len(self.lines)):
                    if words in self.lines[index]:
                        return index
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {words!r} within {timeout}s:\n" + self.log())
                self._changed.wait(left)

    def log(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._reader.join(10)
        if self.process.stderr is not None:
            self.process.stderr.close()


def lock_holders() -> list[int]:
    with db.engine.connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objid = CAST(:objid AS oid) AND database ="
                    " (SELECT oid FROM pg_database WHERE datname = current_database())"
                ),
                {"objid": ADVISORY_LOCK_KEY & 0xFFFFFFFF},
            )
        )


def test_terminated_lock_session_stops_the_first_scheduler_and_the_standby_takes_over(
    app: Flask, tmp_path: Path
) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip(
            "SQLite has no advisory lock: one scheduler process by design"
            " (runs on PostgreSQL: set TEST_DATABASE_URL)"
        )
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    first = Scheduler(uri, tmp_path, "a")
    second: Scheduler | None = None
    try:
        first.wait_for("Scheduler lock taken", 60)
        for words in JOB_LINES:  # the jobs run at start
            first.wait_for(words, 30)
        second = Scheduler(uri, tmp_path, "b")
        second.wait_for("standing by", 60)
        time.sleep(3 * INTERVAL)  # a few lock checks of A pass with the lock held
        assert first.process.poll() is None

        # A's lock session, found by its application name, is the one holding the lock
        with db.engine.connect() as connection:
            backend = connection.scalar(
                text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                {"name": lock_application_name(first.process.pid)},
            )
            assert backend is not None and lock_holders() == [backend]
            assert connection.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            connection.commit()
        terminated_at = time.monotonic()
        lost_line = len(first.lines)

        # A notices within a lock check, runs no more jobs and exits non-zero
        lost = first.wait_for("Scheduler lock lost", 10, after=lost_line)
        assert first.process.wait(10) == EXIT_LOCK_LOST
        exited = time.monotonic() - terminated_at
        first._reader.join(10)
        after_loss = first.lines[lost:]
        assert not [line for line in after_loss if any(w in line for w in JOB_LINES)], first.log()

        # B takes the lock within a stand-by retry and runs the jobs
        taken = second.wait_for("Scheduler lock taken", 10)
        for words in JOB_LINES:
            second.wait_for(words, 30, after=taken)
        assert second.process.poll() is None
        assert len(lock_holders()) == 1
        noticed = first.arrived[lost] - terminated_at
        took_over = second.arrived[taken] - terminated_at
        print(
            f"\nA noticed the loss {noticed:.2f}s and exited {exited:.2f}s after the"
            f" termination; B took the lock after {took_over:.2f}s"
        )
        assert noticed < 3 and took_over < 3
    finally:
        first.stop()
        if second is not None:
            second.stop()
