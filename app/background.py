"""Background jobs: spreadsheet imports and exports run by the scheduler process, not in a
web request, so no request waits on a big upload (issue 15).

* A view saves the upload under ``JOBS_DIR/<id>/`` (default ``instance/jobs``; the URL only
  ever names the job's id) and queues a ``BackgroundJob`` in one commit (``queue_import``,
  ``queue_export``).
* ``run_next_job`` *claims* the oldest queued job with a conditional UPDATE (``queued →
  running`` only if still queued, with a fresh claim token), committed before any work, so
  two runners (two schedulers, the scheduler and ``flask jobs run``) never take the same
  job. Progress and the outcome are written only while the claim holds.
* The import is the same all-or-nothing service as ``flask import``, in the runner's own
  session and transaction. Progress goes through a *separate* connection, committed at
  once, so the page sees it while the import's transaction is open. On SQLite, which has
  one writer, progress is written only before the import writes its first row (reading,
  checked); the rows written show with the outcome, after the commit.
* A job still ``running`` with no sign of life (claim or progress) for ``JOB_STALE_MINUTES``
  (30) is marked failed, never run again: its runner died (a restart, out of memory), and
  running it again could kill the next runner the same way. The import is all or nothing,
  so nothing of it was written; the admin uploads again.
* Files: an import's uploads are deleted when the job ends; an export's zip is kept for
  ``EXPORT_KEEP_HOURS`` (24) for its download, then deleted by the runner.
"""

from __future__ import annotations

import logging
import shutil
import uuid
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from app.db_statistics import refresh_after_load
from app.extensions import SessionLike, db
from app.models import BackgroundJob
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import FilesOnDisk, import_spreadsheets
from app.timeutil import utcnow, zone

log = logging.getLogger("corner.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STALE_MINUTES = 30
EXPORT_KEEP_HOURS = 24
PROBLEMS_REMOVED = (
    "The list of problems was removed a day after this import, because it quoted the "
    "spreadsheet's cells. Upload the files again to see it."
)
EXPORT_FILE = "corner-export.zip"
STOPPED = (
    "The job stopped before it finished (the scheduler was restarted or ran out of memory)."
    " Nothing was imported: upload the files again."
)
Clock = Callable[[], datetime]
JOB_STATUS_LABELS = {
    QUEUED: "Waiting to start",
    RUNNING: "Running",
    DONE: "Done",
    FAILED: "Failed",
}
JOB_PHASE_LABELS = {
    "reading": "reading the files",
    "checked": "checked, writing the rows",
    "written": "saving",
}
JOB_LABEL_FILTERS = {"job_status_label": JOB_STATUS_LABELS, "job_phase_label": JOB_PHASE_LABELS}


def jobs_root(app: Flask) -> Path:
    """Where the jobs' files live: ``JOBS_DIR``, or ``instance/jobs``."""
    configured = app.config.get("JOBS_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "jobs"


def job_dir(root: Path, job_id: int) -> Path:
    return root / str(int(job_id))


def _write_private(path: Path, data: bytes) -> None:
    """Personal data: readable by the owner only."""
    path.touch(mode=0o600, exist_ok=True)
    path.write_bytes(data)


# --------------------------------------------------------------------------- queueing


def queue_import(
    session: SessionLike, now: datetime, files: Mapping[str, bytes], *, user_id: int, root: Path
) -> BackgroundJob:
    """Save ``files`` (spreadsheet name -> bytes) under the job's directory and queue it."""
    job = BackgroundJob(
        kind="import", status=QUEUED, created_by_id=user_id, created_at=now,
        input_files=sorted(files), rows_checked=0, rows_written=0,
    )  # fmt: skip
    session.add(job)
    session.flush()
    directory = job_dir(root, job.id)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name, data in files.items():
        _write_private(directory / Path(name).name, data)
    return job


def queue_export(session: SessionLike, now: datetime, *, user_id: int) -> BackgroundJob:
    job = BackgroundJob(
        kind="export", status=QUEUED, created_by_id=user_id, created_at=now, input_files=[],
        rows_checked=0, rows_written=0,
    )  # fmt: skip
    session.add(job)
    session.flush()
    return job


def job_for(session: SessionLike, job_id: int) -> BackgroundJob | None:
    return session.get(BackgroundJob, job_id)


def export_zip(job: BackgroundJob, root: Path) -> Path | None:
    """The finished export's zip, or None (not an export, not done, or deleted since)."""
    if job.kind != "export" or job.status != DONE or not job.output_file:
        return None
    path = job_dir(root, job.id) / job.output_file
    return path if path.is_file() else None


# --------------------------------------------------------------------------- claiming


def fail_stale(session: SessionLike, now: datetime, stale: timedelta) -> int:
    """Running jobs silent for ``stale``: failed (committed). How many.

    The claim token stays: should the runner be alive after all (only slow), its outcome
    still replaces this guess (``_finish``), so a committed import never shows as failed."""
    outcome: Any = session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.status == RUNNING, BackgroundJob.heartbeat_at < now - stale)
        .values(status=FAILED, finished_at=now, result={"error": STOPPED})
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(outcome.rowcount or 0)


def claim_next(session: SessionLike, now: datetime) -> tuple[int, str] | None:
    """Take the oldest queued job (committed): its id and claim token, or None."""
    for _ in range(5):  # another runner may take the candidate first: try the next
        candidate = session.scalar(
            select(BackgroundJob.id)
            .where(BackgroundJob.status == QUEUED)
            .order_by(BackgroundJob.created_at, BackgroundJob.id)
            .limit(1)
        )
        if candidate is None:
            session.rollback()
            return None
        token = uuid.uuid4().hex
        outcome: Any = session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id == candidate, BackgroundJob.status == QUEUED)
            .values(
                status=RUNNING,
                claim_token=token,
                started_at=now,
                heartbeat_at=now,
                phase="starting",
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if outcome.rowcount == 1:
            return candidate, token
    return None


def _claimed(job_id: int, token: str) -> Any:
    return (
        update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            BackgroundJob.status == RUNNING,
            BackgroundJob.claim_token == token,
        )
        .execution_options(synchronize_session=False)
    )


class ProgressWriter:
    """``progress(phase, rows_checked, rows_written)`` for the importer: each call is one
    short UPDATE on its own connection, committed at once (visible while the import's
    transaction is still open). SQLite: nothing once the import has begun writing."""

    def __init__(self, engine: Engine, job_id: int, token: str, clock: Clock) -> None:
        self.engine, self.job_id, self.token, self.clock = engine, job_id, token, clock
        self.rows_checked = 0

    def __call__(self, phase: str, rows_checked: int, rows_written: int) -> None:
        self.rows_checked = rows_checked
        if self.engine.dialect.name == "sqlite" and phase == "written":
            return  # the import's transaction holds the only write lock until it commits
        values = {"phase": phase, "rows_checked": rows_checked, "rows_written": rows_written}
        with self.engine.begin() as connection:
            connection.execute(
                _claimed(self.job_id, self.token).values(**values, heartbeat_at=self.clock())
            )


def _finish(
    session: SessionLike, job_id: int, token: str, now: datetime, values: Mapping[str, Any]
) -> bool:
    """Record the outcome on the job this runner claimed (committed): even after it was
    marked failed for silence (``fail_stale``), since this runner knows what happened."""
    outcome: Any = session.execute(
        update(BackgroundJob)
        .where(BackgroundJob.id == job_id, BackgroundJob.claim_token == token)
        .values(**values, claim_token=None, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(outcome.rowcount == 1)


# --------------------------------------------------------------------------- running


@dataclass
class JobOutcome:
    job_id: int
    kind: str
    status: str
    summary: str


def _run_import(
    session: SessionLike, now: datetime, job: BackgroundJob, root: Path, progress: ProgressWriter
) -> dict[str, Any]:
    files = FilesOnDisk(job_dir(root, job.id), job.input_files)
    actor = job.created_by_id
    try:
        result = import_spreadsheets(session, now, files, actor_id=actor, progress=progress)
        if result.ok:
            session.commit()
            refresh_after_load(session)  # the planner's counts (app.db_statistics)
    except SQLAlchemyError as error:
        session.rollback()
        # The class only: the error's text can hold the rows' values (personal data).
        reason = type(getattr(error, "orig", None) or error).__name__
        log.warning("Import job %s refused by the database (%s)", job.id, reason)
        return {
            "status": FAILED,
            "result": {"error": f"The database refused the import ({reason}), so nothing"
                       " was imported. Try again; `flask import` shows the reason."},
        }  # fmt: skip
    if not result.ok:
        session.rollback()
        return {
            "status": FAILED,
            "result": {"problems": [str(p) for p in result.problems], "more": result.more},
        }
    return {
        "status": DONE,
        "phase": "written",
        "rows_checked": progress.rows_checked,
        "rows_written": progress.rows_checked,  # all or nothing: every row checked is written
        "rows_total": progress.rows_checked,
        "result": {"summary": result.counts.summary(), "counts": asdict(result.counts)},
    }


def _run_export(
    session: SessionLike, now: datetime, job: BackgroundJob, root: Path
) -> dict[str, Any]:
    result = export_spreadsheets(session)
    session.rollback()  # read only
    stamp = now.astimezone(zone()).timetuple()[:6]
    directory = job_dir(root, job.id)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = directory / f".{EXPORT_FILE}"
    temp.touch(mode=0o600, exist_ok=True)
    with zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in result.files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    temp.replace(directory / EXPORT_FILE)
    rows = sum(result.counts.values())
    return {
        "status": DONE,
        "phase": "written",
        "output_file": EXPORT_FILE,
        "rows_checked": rows,
        "rows_written": rows,
        "rows_total": rows,
        "result": {"summary": result.summary(), "counts": dict(result.counts)},
    }


def _work(app: Flask, job_id: int, token: str, clock: Clock) -> dict[str, Any]:
    session = db.session
    job = session.get(BackgroundJob, job_id)
    assert job is not None  # claimed a moment ago; jobs are never deleted
    root = jobs_root(app)
    at = clock()
    try:
        if job.kind == "import":
            progress = ProgressWriter(db.engine, job_id, token, clock)
            return _run_import(session, at, job, root, progress)
        return _run_export(session, at, job, root)
    except Exception as error:  # any failure is the job's outcome, never the runner's end
        session.rollback()
        # The class only: a message or traceback can hold the rows' values (personal data).
        log.error("Background job %s failed (%s)", job_id, type(error).__name__)
        return {"status": FAILED, "result": {"error": "Something went wrong: try again."}}
    finally:
        if job.kind == "import":
            shutil.rmtree(job_dir(root, job_id), ignore_errors=True)  # the uploads: done with


def _clock(now: datetime | Clock | None) -> Clock:
    if now is None:
        return utcnow
    if isinstance(now, datetime):
        fixed = now
        return lambda: fixed
    return now


def run_next_job(app: Flask, now: datetime | Clock | None = None) -> JobOutcome | None:
    """Claim and run the oldest queued job; None when none is waiting.

    ``now`` is a clock (``utcnow`` by default) or one fixed instant (tests). Each step
    commits itself: the claim, the progress, the import's transaction, the outcome.
    """
    clock = _clock(now)
    stale = timedelta(minutes=float(app.config.get("JOB_STALE_MINUTES", STALE_MINUTES)))
    with app.app_context():
        try:
            session = db.session
            if fail_stale(session, clock(), stale):
                log.warning("Background jobs silent for %s marked failed", stale)
            purge_old_exports(session, clock(), jobs_root(app))
            claimed = claim_next(session, clock())
            if claimed is None:
                return None
            job_id, token = claimed
            kind = session.get(BackgroundJob, job_id).kind  # type: ignore[union-attr]
            values = _work(app, job_id, token, clock)
            if not _finish(session, job_id, token, clock(), values):
                log.warning("Background job %s: its claim was lost", job_id)
        finally:
            db.session.remove()
    result = values.get("result") or {}
    summary = result.get("summary") or (
        f"{len(result.get('problems', [])) + result.get('more', 0)} problems"
        if "problems" in result
        else result.get("error", "")
    )
    log.info("Background job %s (%s): %s, %s", job_id, kind, values["status"], summary)
    return JobOutcome(job_id, kind, values["status"], summary)


def run_jobs(app: Flask, now: datetime | Clock | None = None, limit: int = 20) -> list[JobOutcome]:
    """Run queued jobs until none is left (at most ``limit``, so a scheduler tick ends)."""
    outcomes: list[JobOutcome] = []
    while len(outcomes) < limit:
        outcome = run_next_job(app, now)
        if outcome is None:
            break
        outcomes.append(outcome)
    return outcomes


def purge_old_exports(session: SessionLike, now: datetime, root: Path) -> int:
    """Delete the zips of exports finished more than ``EXPORT_KEEP_HOURS`` ago, and the problem
    lists of imports that failed as long ago (committed)."""
    old = list(
        session.scalars(
            select(BackgroundJob.id).where(
                BackgroundJob.kind == "export",
                BackgroundJob.output_file.is_not(None),
                BackgroundJob.finished_at < now - timedelta(hours=EXPORT_KEEP_HOURS),
            )
        )
    )
    for job_id in old:
        shutil.rmtree(job_dir(root, job_id), ignore_errors=True)
    if old:
        session.execute(
            update(BackgroundJob)
            .where(BackgroundJob.id.in_(old))
            .values(output_file=None)
            .execution_options(synchronize_session=False)
        )
    # A failed import's problems quote the spreadsheet's cells (names, notes): kept for a
    # day, like an export, so nothing of a parent outlives erasure in this table.
    session.execute(
        update(BackgroundJob)
        .where(
            BackgroundJob.kind == "import",
            BackgroundJob.status == "failed",
            BackgroundJob.finished_at < now - timedelta(hours=EXPORT_KEEP_HOURS),
        )
        .values(result={"error": PROBLEMS_REMOVED})
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return len(old)


# --------------------------------------------------------------------------- CLI


@click.group("jobs")
def jobs_commands() -> None:
    """Background jobs (spreadsheet imports and exports queued from the web pages)."""


@jobs_commands.command("run")
@click.option("--once", is_flag=True, help="Run at most one job.")
def run_command(once: bool) -> None:
    """Run the queued jobs now (the scheduler does this every few seconds); idempotent."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    outcomes = [run_next_job(app)] if once else run_jobs(app, limit=10_000)
    done = [outcome for outcome in outcomes if outcome is not None]
    if not done:
        click.echo("No job waiting.")
    for outcome in done:
        click.echo(f"Job {outcome.job_id} ({outcome.kind}): {outcome.status}. {outcome.summary}")
