"""The admin upload page: success, problems (nothing imported), access and CSRF."""

from __future__ import annotations

import html
import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app import timeutil
from app.background import run_next_job
from app.extensions import SessionLike
from app.models import AuditEvent, User
from app.spreadsheets.exporter import export_spreadsheets
from tests.factories import NOW, make_user
from tests.helpers import csrf_token, login
from tests.spreadsheets.data import COORDINATOR, GOOD, replace, table_counts

URL = "/admin/import"
FIELDS = {
    "volunteers.csv": "volunteers",
    "parents.csv": "parents",
    "assignments.csv": "assignments",
    "checkins.csv": "checkins",
}


@pytest.fixture
def admin(session: SessionLike) -> User:
    user = make_user(session, "admin", email="admin@example.org")
    make_user(session, "coordinator", email=COORDINATOR)
    session.commit()
    return user


def upload_and_run(app: Flask, client: FlaskClient, files: dict[str, str | bytes]) -> str:
    """Upload, check the job is queued, run it as the scheduler would: the job's page."""
    response = upload(client, files)
    assert response.status_code == 302, response.get_data(as_text=True)  # type: ignore[attr-defined]
    location = response.headers["Location"]  # type: ignore[attr-defined]
    assert location.startswith("/admin/jobs/")
    assert "Waiting to start" in client.get(location).get_data(as_text=True)
    outcome = run_next_job(app, NOW)
    assert outcome is not None and location == f"/admin/jobs/{outcome.job_id}"
    return html.unescape(client.get(location).get_data(as_text=True))


def upload(client: FlaskClient, files: dict[str, str | bytes], token: str | None = None) -> object:
    if token is None:
        token = csrf_token(client.get(URL).get_data(as_text=True))
    data: dict[str, object] = {"csrf_token": token}
    for name, content in files.items():
        raw = content.encode() if isinstance(content, str) else content
        data[FIELDS[name]] = (io.BytesIO(raw), f"My {name}")  # any file name will do
    return client.post(URL, data=data, content_type="multipart/form-data")


def test_page_explains_the_files(client: FlaskClient, admin: User) -> None:
    login(client, admin.email)
    page = client.get(URL)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in text
    for name in FIELDS:
        assert f"<code>{name}</code>" in text
    assert "<code>coordinator_email</code>" in text and "may be empty or left out" in text
    assert "<code>DD/MM/YYYY</code>" in text
    assert "(UK time unless an offset" in text


def test_page_names_the_configured_time_zone(
    client: FlaskClient, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeutil, "_service_zone", "America/New_York")
    login(client, admin.email)
    text = client.get(URL).get_data(as_text=True)
    assert "(America/New_York time unless an offset" in text


def test_upload_imports_everything(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    login(client, admin.email)
    page = upload_and_run(app, client, dict(GOOD))
    assert "Rows checked</dt><dd>17" in page and "Rows written</dt><dd>17 of 17" in page
    assert (
        "Imported 3 new volunteers, 0 volunteers updated, 4 parents, 4 assignments, "
        "6 check-ins, 2 new areas." in page
    )
    counts = table_counts(session)
    assert (counts["parents"], counts["checkins"], counts["volunteer_profiles"]) == (4, 6, 3)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "spreadsheets.imported"))
    assert event is not None and event.actor_id == admin.id
    queued = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "spreadsheets.import_queued")
    )
    assert queued is not None and queued.actor_id == admin.id and queued.ip == "127.0.0.1"


def test_upload_of_one_file(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    login(client, admin.email)
    assert "Imported 3 new volunteers" in upload_and_run(
        app, client, {"volunteers.csv": GOOD["volunteers.csv"]}
    )
    assert table_counts(session)["volunteer_profiles"] == 3


def test_upload_with_problems_lists_them_all_and_imports_nothing(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    login(client, admin.email)
    files: dict[str, str | bytes] = dict(GOOD)
    files["parents.csv"] = replace(GOOD["parents.csv"], "2027-01-15", "01/15/2027")
    files["checkins.csv"] = replace(GOOD["checkins.csv"], "P003,tom.ng", "P404,tom.ng")
    files["volunteers.csv"] = GOOD["volunteers.csv"].replace("Zoë", "Zoë").encode("latin-1")
    before = {k: v for k, v in table_counts(session).items() if k != "audit_events"}
    text = upload_and_run(app, client, files)
    assert "Nothing was imported: 3 problems to fix" in text
    problems = [
        'volunteers.csv:3: first_name: is not UTF-8 text: save the file as "CSV UTF-8" and '
        "try again",
        'parents.csv:2: due_date: "01/15/2027" has the month first (US order): write the '
        "day first, 15/01/2027, or 2027-01-15",
        "checkins.csv:7: parent_ref: no parent has the ref P404 (neither in parents.csv nor "
        "in Corner)",
    ]
    positions = [text.index(f"<li><code>{problem}</code></li>") for problem in problems]
    assert positions == sorted(positions)  # in file order, then line
    after = table_counts(session)
    assert after.pop("background_jobs") == before.pop("background_jobs") + 1
    assert {k: v for k, v in after.items() if k != "audit_events"} == before


def test_no_file_chosen(client: FlaskClient, session: SessionLike, admin: User) -> None:
    login(client, admin.email)
    response = upload(client, {})
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "Choose at least one file to import." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_upload_without_csrf_token_is_refused(
    client: FlaskClient, session: SessionLike, admin: User
) -> None:
    login(client, admin.email)
    before = table_counts(session)
    response = upload(client, dict(GOOD), token="not-a-token")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert table_counts(session) == before


def test_a_file_over_the_size_limit_is_refused(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] == 50 * 1024 * 1024
    # The same limit, made small so the test client keeps the body in memory.
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    login(client, admin.email)
    before = table_counts(session)
    response = upload(client, {"checkins.csv": GOOD["checkins.csv"] + "x" * 60_000})
    assert response.status_code == 413  # type: ignore[attr-defined]
    text = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "That file is too big" in text and "Uploads can be up to 48 KB in all" in text
    assert table_counts(session) == before


@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_only_admins_may_import(app: Flask, session: SessionLike, role: str) -> None:
    other = make_user(session, role)
    session.commit()
    client = app.test_client()
    login(client, other.email)
    assert client.get(URL).status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))  # their own valid token
    before = table_counts(session)
    response = upload(client, {"volunteers.csv": GOOD["volunteers.csv"]}, token=token)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert table_counts(session) == before


def test_logged_out_visitors_are_sent_to_log_in(client: FlaskClient) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_database_error_rolls_back_and_says_so(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User, refusing_trigger: None
) -> None:
    login(client, admin.email)
    files: dict[str, str | bytes] = dict(GOOD)
    files["checkins.csv"] = replace(GOOD["checkins.csv"], ",Tired,", ",boom,")
    before = table_counts(session)
    page = upload_and_run(app, client, files)
    assert "The database refused the import" in page and "so nothing was imported" in page
    after = table_counts(session)
    assert after["parents"] == before["parents"] and after["checkins"] == before["checkins"]


def test_download_everything_as_a_zip(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    app.config["CORNER_NOW"] = NOW
    login(client, admin.email)
    upload_and_run(app, client, dict(GOOD))
    token = csrf_token(client.get(URL).get_data(as_text=True))
    queued = client.post("/admin/export", data={"csrf_token": token})
    assert queued.status_code == 302
    assert "Download" not in client.get(queued.headers["Location"]).get_data(as_text=True)
    assert run_next_job(app, NOW) is not None
    page = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "Exported 3 rows in volunteers.csv" in page
    response = client.post(
        f"{queued.headers['Location']}/download", data={"csrf_token": csrf_token(page)}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=corner-export-2026-11-02.zip"
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = response.data
    response.close()  # (the file is streamed)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert files == export_spreadsheets(session).files
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "spreadsheets.exported"))
    assert event is not None and event.actor_id == admin.id
    assert event.detail == (
        "3 rows in volunteers.csv, 4 rows in parents.csv, 4 rows in assignments.csv, "
        "6 rows in checkins.csv"
    )


def test_download_needs_csrf_and_an_admin(
    app: Flask, client: FlaskClient, session: SessionLike, admin: User
) -> None:
    login(client, admin.email)
    assert client.post("/admin/export", data={}).status_code == 400
    coordinator = make_user(session, "coordinator")
    session.commit()
    other = app.test_client()
    login(other, coordinator.email)
    token = csrf_token(other.get("/").get_data(as_text=True))
    assert other.post("/admin/export", data={"csrf_token": token}).status_code == 403
    assert (
        session.scalar(select(AuditEvent).where(AuditEvent.action == "spreadsheets.exported"))
        is None
    )
