"""`flask import DIR` and `flask export DIR` through Flask's CLI runner."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent
from app.spreadsheets.exporter import export_spreadsheets
from tests.factories import make_user
from tests.spreadsheets.data import COORDINATOR, GOOD, replace, table_counts, write_dir


@pytest.fixture
def with_coordinator(session: SessionLike) -> None:
    make_user(session, "coordinator", email=COORDINATOR)
    session.commit()


def test_import_then_export(
    app: Flask, session: SessionLike, tmp_path: Path, with_coordinator: None
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", str(write_dir(tmp_path / "in", dict(GOOD)))])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Imported 3 new volunteers, 0 volunteers updated, 4 parents, 4 assignments, "
        "6 check-ins, 2 new areas.\n"
    )
    assert table_counts(session)["checkins"] == 6

    out = tmp_path / "out"
    result = runner.invoke(args=["export", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Wrote 3 rows in volunteers.csv, 4 rows in parents.csv, 4 rows in assignments.csv, "
        f"6 rows in checkins.csv to {out}.\n"
    )
    expected = export_spreadsheets(session).files
    assert {path.name: path.read_bytes() for path in out.iterdir()} == expected
    assert stat.S_IMODE((out / "parents.csv").stat().st_mode) == 0o600
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["spreadsheets.imported", "spreadsheets.exported"]


def test_problems_go_to_stderr_and_nothing_is_imported(
    app: Flask, session: SessionLike, tmp_path: Path, with_coordinator: None
) -> None:
    files: dict[str, str | bytes] = dict(GOOD)
    files["checkins.csv"] = replace(GOOD["checkins.csv"], "yes,2,3,", "yes,two,3,")
    files["volunteers.csv"] = replace(GOOD["volunteers.csv"], "2028-01-05", "2028-01-32")
    files["notes.csv"] = "anything\n"
    files["README.txt"] = "not a spreadsheet: ignored\n"
    before = table_counts(session)
    result = app.test_cli_runner().invoke(args=["import", str(write_dir(tmp_path, files))])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        'volunteers.csv:2: dbs_expires_on: "2028-01-32" is not a real date\n'
        'checkins.csv:3: wellbeing: "two" is not a whole number\n'
        "notes.csv:1: file: unknown file name: use volunteers.csv, parents.csv, "
        "assignments.csv, checkins.csv\n"
        "Error: Nothing was imported: 3 problems to fix first.\n"
    )
    assert table_counts(session) == before


def test_a_directory_without_the_files_is_refused(app: Flask, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 1
    assert "has none of the files to import: volunteers.csv" in result.stderr


def test_a_database_error_half_way_rolls_everything_back(
    app: Flask,
    session: SessionLike,
    tmp_path: Path,
    with_coordinator: None,
    refusing_trigger: None,
) -> None:
    files: dict[str, str | bytes] = dict(GOOD)
    files["checkins.csv"] = replace(GOOD["checkins.csv"], ",Tired,", ",boom,")
    before = table_counts(session)
    result = app.test_cli_runner().invoke(args=["import", str(write_dir(tmp_path, files))])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: The database refused the import, so nothing was imported: "
    )
    assert "refused by the test trigger" in result.stderr
    # volunteers, parents and assignments were written before the check-ins: all undone
    assert table_counts(session) == before
