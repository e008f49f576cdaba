"""Background jobs: the claim, the progress seen from outside the import's transaction, the
outcome, a runner that died, the CLI, access, and a 19 MB upload through a real server."""

from __future__ import annotations

import http.cookiejar
import threading
import time
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import background
from app.background import (
    PROBLEMS_REMOVED,
    STOPPED,
    ProgressWriter,
    claim_next,
    jobs_root,
    queue_export,
    queue_import,
    run_jobs,
    run_next_job,
)
from app.extensions import SessionLike, db
from app.models import BackgroundJob, User
from app.spreadsheets.importer import FilesOnDisk
from tests.browser import LiveServer
from tests.factories import NOW, PASSWORD, make_user
from tests.helpers import csrf_token, login
from tests.spreadsheets.data import COORDINATOR, GOOD, encoded, large_files, replace, table_counts


@pytest.fixture
def admin(session: SessionLike) -> User:
    user = make_user(session, "admin", email="admin@example.org")
    make_user(session, "coordinator", email=COORDINATOR)
    session.commit()
    return user


def _queue(app: Flask, session: SessionLike, admin: User, files: dict[str, str]) -> int:
    job = queue_import(session, NOW, encoded(files), user_id=admin.id, root=jobs_root(app))
    session.commit()
    return job.id


def _job(job_id: int) -> dict[str, Any]:
    """The job's row as another connection sees it (committed data only)."""
    with db.engine.connect() as connection:
        row = connection.execute(
            sa.select(BackgroundJob.__table__).where(BackgroundJob.id == job_id)
        ).one()
    return dict(row._mapping)


def test_an_import_job_runs_once_and_reports_progress(
    app: Flask, session: SessionLike, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    job_id = _queue(app, session, admin, dict(GOOD))
    directory = jobs_root(app) / str(job_id)
    assert sorted(p.name for p in directory.iterdir()) == sorted(GOOD)
    assert oct(directory.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o600" for p in directory.iterdir())
    seen: list[tuple[str, str, int, int]] = []
    write = ProgressWriter.__call__

    def watching(self: ProgressWriter, phase: str, checked: int, written: int) -> None:
        write(self, phase, checked, written)
        row = _job(self.job_id)  # while the import's transaction is still open
        seen.append((phase, row["status"], row["rows_checked"], row["rows_written"]))

    monkeypatch.setattr(ProgressWriter, "__call__", watching)
    outcome = run_next_job(app, NOW)
    assert outcome is not None and (outcome.job_id, outcome.status) == (job_id, "done")
    assert seen[-2] == ("checked", "running", 17, 0)
    if db.engine.dialect.name == "postgresql":
        # the rows are written but not committed: the page already shows them
        assert seen[-1] == ("written", "running", 17, 17)
    else:  # SQLite's one writer is the import until it commits: shown with the outcome
        assert seen[-1] == ("written", "running", 17, 0)
    assert [phase for phase, *_ in seen[:4]] == ["reading"] * 4
    row = _job(job_id)
    assert (row["status"], row["rows_checked"], row["rows_written"]) == ("done", 17, 17)
    assert row["claim_token"] is None and row["finished_at"] is not None
    assert row["result"]["counts"] == {
        "volunteers_created": 3, "volunteers_updated": 0, "parents": 4, "assignments": 4,
        "checkins": 6, "areas_created": 2,
    }  # fmt: skip
    assert table_counts(session)["checkins"] == 6
    if db.engine.dialect.name == "postgresql":  # the planner has the new counts at once
        estimated = session.scalar(
            sa.text("SELECT reltuples FROM pg_class WHERE relname = 'checkins'")
        )
        assert estimated == 6
    assert not directory.exists()  # the uploads are deleted once the job is over
    assert run_next_job(app, NOW) is None  # nothing runs twice


def test_a_bad_file_fails_with_every_problem_and_imports_nothing(
    app: Flask, session: SessionLike, admin: User
) -> None:
    files = dict(GOOD)
    files["checkins.csv"] = replace(GOOD["checkins.csv"], "P003,tom.ng", "P404,tom.ng")
    before = table_counts(session)
    job_id = _queue(app, session, admin, files)
    outcome = run_next_job(app, NOW)
    assert outcome is not None and outcome.status == "failed"
    row = _job(job_id)
    assert row["status"] == "failed" and row["result"]["more"] == 0
    assert row["result"]["problems"] == [
        "checkins.csv:7: parent_ref: no parent has the ref P404 (neither in parents.csv nor "
        "in Corner)"
    ]
    after = table_counts(session)
    assert after.pop("background_jobs") == before.pop("background_jobs") + 1
    assert after == before
    assert not (jobs_root(app) / str(job_id)).exists()
    # the problems quote cells: a day later they are gone, the outcome stays
    assert run_next_job(app, NOW + timedelta(hours=23)) is None
    assert _job(job_id)["result"]["problems"]
    assert run_next_job(app, NOW + timedelta(hours=25)) is None
    row = _job(job_id)
    assert row["status"] == "failed" and row["result"] == {"error": PROBLEMS_REMOVED}
    assert "P404" not in str(row)


def test_two_runners_never_take_the_same_job(app: Flask, session: SessionLike, admin: User) -> None:
    ids = [queue_export(session, NOW, user_id=admin.id).id for _ in range(6)]
    session.commit()
    start = threading.Barrier(3)
    taken: list[list[int]] = [[], [], []]

    def runner(number: int) -> None:
        start.wait()
        taken[number] = [outcome.job_id for outcome in run_jobs(app, NOW)]

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    everything = [job_id for ran in taken for job_id in ran]
    assert sorted(everything) == ids  # each job exactly once
    assert {_job(job_id)["status"] for job_id in ids} == {"done"}


def test_a_claim_is_taken_once(app: Flask, session: SessionLike, admin: User) -> None:
    job = queue_export(session, NOW, user_id=admin.id)
    session.commit()
    other = sa.orm.Session(db.engine)
    try:
        first = claim_next(session, NOW)
        second = claim_next(other, NOW)
    finally:
        other.close()
    assert first is not None and first[0] == job.id and second is None


def test_a_job_whose_runner_died_is_failed_not_run_again(
    app: Flask, session: SessionLike, admin: User
) -> None:
    job_id = _queue(app, session, admin, dict(GOOD))
    assert claim_next(session, NOW) is not None  # ...and the runner dies here
    assert run_next_job(app, NOW + timedelta(minutes=29)) is None  # still within the time
    assert _job(job_id)["status"] == "running"
    assert run_next_job(app, NOW + timedelta(minutes=31)) is None  # failed, never re-run
    row = _job(job_id)
    assert row["status"] == "failed" and row["result"] == {"error": STOPPED}
    assert table_counts(session)["checkins"] == 0


def test_a_slow_runner_marked_dead_still_records_what_it_did(
    app: Flask, session: SessionLike, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Silent for over 30 minutes (SQLite writes no progress while the rows go in), the job
    is marked failed by another runner; when the import then commits, the outcome is the
    truth: done, never "nothing was imported"."""
    job_id = _queue(app, session, admin, dict(GOOD))
    later = NOW + timedelta(minutes=31)
    write = ProgressWriter.__call__

    def slow(self: ProgressWriter, phase: str, checked: int, written: int) -> None:
        write(self, phase, checked, written)
        if phase == "checked":  # meanwhile another runner gives the job up
            other = sa.orm.Session(db.engine)
            try:
                assert background.fail_stale(other, later, timedelta(minutes=30)) == 1
            finally:
                other.close()

    monkeypatch.setattr(ProgressWriter, "__call__", slow)
    outcome = run_next_job(app, NOW)
    assert outcome is not None and outcome.status == "done"
    assert _job(job_id)["status"] == "done" and table_counts(session)["checkins"] == 6


def test_an_export_job_writes_the_zip_and_old_zips_are_deleted(
    app: Flask, session: SessionLike, admin: User
) -> None:
    job = queue_export(session, NOW, user_id=admin.id)
    session.commit()
    outcome = run_next_job(app, NOW)
    assert outcome is not None and outcome.status == "done"
    path = jobs_root(app) / str(job.id) / "corner-export.zip"
    assert path.is_file() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert run_next_job(app, NOW + timedelta(hours=23)) is None
    assert path.is_file()
    assert run_next_job(app, NOW + timedelta(hours=25)) is None
    assert not path.exists() and _job(job.id)["output_file"] is None


def test_a_failure_of_the_job_itself_is_its_outcome(
    app: Flask, session: SessionLike, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("P001 Jane Example")  # a message with personal data

    monkeypatch.setattr(background, "export_spreadsheets", broken)
    job = queue_export(session, NOW, user_id=admin.id)
    session.commit()
    outcome = run_next_job(app, NOW)
    assert outcome is not None and outcome.status == "failed"
    assert _job(job.id)["result"] == {"error": "Something went wrong: try again."}


def test_flask_jobs_run(app: Flask, session: SessionLike, admin: User) -> None:
    runner = app.test_cli_runner()
    assert runner.invoke(args=["jobs", "run"]).output == "No job waiting.\n"
    first = _queue(app, session, admin, dict(GOOD))
    export = queue_export(session, NOW, user_id=admin.id)
    session.commit()
    once = runner.invoke(args=["jobs", "run", "--once"])
    assert once.exit_code == 0 and once.output.startswith(f"Job {first} (import): done.")
    rest = runner.invoke(args=["jobs", "run"])
    assert rest.output.startswith(f"Job {export.id} (export): done. 3 rows in volunteers.csv")
    assert runner.invoke(args=["jobs", "run", "--once"]).output == "No job waiting.\n"


@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_only_admins_see_jobs_and_downloads(
    app: Flask, session: SessionLike, admin: User, role: str
) -> None:
    job = queue_export(session, NOW, user_id=admin.id)
    session.commit()
    run_next_job(app, NOW)
    other = make_user(session, role)
    session.commit()
    client = app.test_client()
    login(client, other.email)
    assert client.get(f"/admin/jobs/{job.id}").status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(f"/admin/jobs/{job.id}/download", data={"csrf_token": token})
    assert response.status_code == 403


def test_job_pages_and_downloads_that_do_not_exist(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    job_id = _queue(app, session, admin, dict(GOOD))
    login(client, admin.email)
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "Waiting to start" in page and "Check again" in page and "job-progress.js" in page
    assert client.get("/admin/jobs/999999").status_code == 404
    token = csrf_token(page)
    # an import has nothing to download; an unknown job neither
    for url in (f"/admin/jobs/{job_id}/download", "/admin/jobs/999999/download"):
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert client.post(f"/admin/jobs/{job_id}/download", data={}).status_code == 400


# --------------------------------------------------------------------------- a 19 MB upload


def _nineteen_megabytes() -> dict[str, bytes]:
    """A valid set of files, 19 MB in all: 20,000 check-ins with long notes."""
    files = large_files(parents=2000, checkins=20_000)
    size = sum(len(text.encode()) for text in files.values())
    pad = (19 * 1024 * 1024 - size) // 20_000
    note = ("We talked it through and agreed to speak again next week. " * 40)[: pad - 1]
    files["checkins.csv"] = files["checkins.csv"].replace(",Call ", f",{note} Call ")
    return encoded(files)


def _multipart(fields: dict[str, str], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = "corner-19mb-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, data in files.items():
        field = name.removesuffix(".csv")
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.mark.slow
def test_a_19_mb_upload_returns_at_once_and_finishes_in_the_background(
    app: Flask, live_server: LiveServer, session: SessionLike, admin: User, tmp_path: Path
) -> None:
    files = _nineteen_megabytes()
    size = sum(map(len, files.values()))
    assert 19 * 1024 * 1024 - 100_000 < size <= 19 * 1024 * 1024
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def get(path: str) -> str:
        with opener.open(f"{live_server.url}{path}", timeout=60) as response:
            return str(response.read().decode())

    login_form = {
        "email": admin.email,
        "password": PASSWORD,
        "csrf_token": csrf_token(get("/login")),
    }
    opener.open(
        f"{live_server.url}/login", urllib.parse.urlencode(login_form).encode(), timeout=60
    ).close()
    body, content_type = _multipart({"csrf_token": csrf_token(get("/admin/import"))}, files)
    request = urllib.request.Request(  # noqa: S310  (http to the test's own server)
        f"{live_server.url}/admin/import", data=body, headers={"Content-Type": content_type}
    )
    started = time.perf_counter()
    with opener.open(request, timeout=60) as response:  # follows the redirect to the job
        page = response.read().decode()
        landed = response.url
    took = time.perf_counter() - started
    print(f"\n19 MB upload ({size:,} bytes) answered in {took:.2f}s ({db.engine.dialect.name})")
    assert "Waiting to start" in page and "/admin/jobs/" in landed
    job_id = int(landed.rsplit("/", 1)[1])
    assert _job(job_id)["status"] == "queued"
    assert table_counts(session)["checkins"] == 0  # nothing imported in the request

    started = time.perf_counter()
    outcome = run_next_job(app)
    took = time.perf_counter() - started
    print(f"the job imported it in {took:.2f}s")
    assert outcome is not None and outcome.status == "done", outcome
    assert "Imported 50 new volunteers" in get(f"/admin/jobs/{job_id}")
    assert _job(job_id)["rows_written"] == 50 + 2000 * 2 + 20_000
    assert table_counts(session)["checkins"] == 20_000


def test_an_import_job_reads_each_upload_only_when_the_import_asks(tmp_path: Path) -> None:
    """The runner hands the import its uploads as a mapping that reads each file on access,
    so no file's bytes stay held once it is parsed (the import's peak memory)."""
    (tmp_path / "checkins.csv").write_bytes(b"first")
    files = FilesOnDisk(tmp_path, ["checkins.csv"])
    (tmp_path / "checkins.csv").write_bytes(b"second")  # nothing read yet
    assert (list(files), len(files), files["checkins.csv"]) == (["checkins.csv"], 1, b"second")
    with pytest.raises(KeyError):
        files["other.csv"]
