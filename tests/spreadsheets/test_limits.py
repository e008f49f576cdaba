"""Limits of one import: 200 problems listed (the rest counted), 200,000 rows a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.background import run_next_job
from app.extensions import SessionLike
from app.models import User
from app.spreadsheets.importer import import_spreadsheets
from app.spreadsheets.parsed import MAX_PROBLEMS, MAX_ROWS
from tests.factories import NOW, make_user
from tests.helpers import csrf_token, login
from tests.spreadsheets.data import VOLUNTEERS, table_counts, write_dir
from tests.spreadsheets.test_views import upload_and_run

HEADER = VOLUNTEERS.splitlines()[0]
ROW = "v{i}@example.org,Vi,Ng,,,,en,postnatal,,many,,,no,,,,active,"  # max_caseload is bad
TOO_MANY = "volunteers.csv: more than 200,000 rows; split the file"


@pytest.fixture
def admin(session: SessionLike) -> User:
    user = make_user(session, "admin", email="admin@example.org")
    session.commit()
    return user


def bad_rows(count: int) -> str:
    return "\n".join([HEADER, *(ROW.format(i=i) for i in range(count))]) + "\n"


def huge(rows: int) -> bytes:
    good = ROW.replace("many", "2").format(i=0).encode()
    return HEADER.encode() + b"\n" + (good + b"\n") * rows


def test_limits_are_the_documented_ones() -> None:
    assert (MAX_PROBLEMS, MAX_ROWS) == (200, 200_000)


def test_250_problems_list_200_and_count_the_rest(session: SessionLike) -> None:
    result = import_spreadsheets(session, NOW, {"volunteers.csv": bad_rows(250).encode()})
    assert not result.ok
    assert len(result.problems) == 200 and result.more == 50
    assert (
        str(result.problems[0]) == "volunteers.csv:2: max_caseload: " + result.problems[0].message
    )
    assert [p.line for p in result.problems] == list(range(2, 202))


def test_exactly_200_problems_say_no_more(session: SessionLike) -> None:
    result = import_spreadsheets(session, NOW, {"volunteers.csv": bad_rows(200).encode()})
    assert (len(result.problems), result.more) == (200, 0)


def test_cli_lists_200_and_says_how_many_more(
    app: Flask, session: SessionLike, tmp_path: Path
) -> None:
    directory = write_dir(tmp_path / "in", {"volunteers.csv": bad_rows(250)})
    result = app.test_cli_runner().invoke(args=["import", str(directory)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert sum(1 for line in lines if line.startswith("volunteers.csv:")) == 200
    assert "…and 50 more problems" in lines
    assert "Nothing was imported: 250 problems to fix first." in result.stderr


def test_page_lists_200_and_says_how_many_more(
    app: Flask, client: FlaskClient, admin: User
) -> None:
    login(client, admin.email)
    text = upload_and_run(app, client, {"volunteers.csv": bad_rows(250)})
    assert text.count("<li><code>volunteers.csv:") == 200
    assert "…and 50 more problems" in text
    assert "Nothing was imported: 250 problems to fix" in text


def test_more_than_200000_rows_are_refused_before_any_cell_is_parsed(
    session: SessionLike, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = huge(200_001)

    def no_parsing(*args: object) -> None:
        raise AssertionError("a cell parser was chosen: the file was parsed, not counted")

    monkeypatch.setattr("app.spreadsheets.reader.cell_parser", no_parsing)
    result = import_spreadsheets(session, NOW, {"volunteers.csv": data})
    assert [str(p) for p in result.problems] == [TOO_MANY] and result.more == 0
    assert table_counts(session)["volunteer_profiles"] == 0


def test_cli_and_page_refuse_more_than_200000_rows(
    app: Flask, client: FlaskClient, admin: User, tmp_path: Path
) -> None:
    data = huge(200_001)
    directory = write_dir(tmp_path / "in", {"volunteers.csv": data})
    result = app.test_cli_runner().invoke(args=["import", str(directory)])
    assert result.exit_code == 1
    assert TOO_MANY in result.stderr.splitlines()
    login(client, admin.email)
    token = csrf_token(client.get("/admin/import").get_data(as_text=True))
    # The body is encoded here: the test client spools a body over 500 KB to a temporary
    # file that it never closes (a ResourceWarning, an error under filterwarnings).
    boundary = "corner-limits-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{token}\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="volunteers"; filename="volunteers.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    page = client.post(
        "/admin/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert page.status_code == 302  # queued: the job finds the problem
    assert run_next_job(app, NOW) is not None
    assert TOO_MANY in client.get(page.headers["Location"]).get_data(as_text=True)
