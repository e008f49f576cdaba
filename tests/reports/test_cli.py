"""`flask reports summary`: the same figures as JSON or plain text; clear errors."""

from __future__ import annotations

import json

from flask import Flask

from app.extensions import db
from tests.reports.history import build
from tests.reports.test_summary import NORTH, WHOLE_SERVICE

OCTOBER = ["--from", "2026-10-01", "--to", "2026-10-31"]


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["reports", "summary", *args])
    return result.exit_code, result.output


def test_json_is_the_summary(app: Flask) -> None:
    build(db.session)
    db.session.commit()
    code, output = _run(app, *OCTOBER, "--json", "--now", "2026-11-02T10:00")
    assert code == 0, output
    assert json.loads(output) == WHOLE_SERVICE
    assert output.startswith('{\n  "from": "2026-10-01",\n  "to": "2026-10-31",\n  "area": null,')
    code, output = _run(app, *OCTOBER, "--area", "North", "--json", "--now", "2026-11-02T10:00")
    assert code == 0, output
    assert json.loads(output) == NORTH


def test_plain_text_names_each_figure(app: Flask) -> None:
    build(db.session)
    db.session.commit()
    code, output = _run(app, *OCTOBER, "--area", "North", "--now", "2026-11-02T10:00")
    assert code == 0, output
    assert output.splitlines()[0] == "Report 2026-10-01 to 2026-10-31 — North"
    for line in (
        "  Referrals: 2",
        "    Midwife: 2",
        "    Pregnancy: 1",
        "  Median days from referral to first match: 5.5",
        "  Hours of contact: 2.8",
        "    Support completed: 1",
        "    Safeguarding or domestic abuse concern: 1",
        "  Median minutes to acknowledge an urgent flag: 30.0",
        "  Active at the end of the period: 2",
        "  Ethnic group",
        "    English, Welsh, Scottish, Northern Irish or British: 1",
        "    Prefer not to say: 1",
        "    Not recorded: 1",
    ):
        assert line in output.splitlines(), line
    assert "Traceback" not in output


def test_an_unknown_area_is_a_clear_error(app: Flask) -> None:
    build(db.session)
    db.session.commit()
    code, output = _run(app, *OCTOBER, "--area", "Atlantis")
    assert code == 2
    assert "no area is called 'Atlantis' (areas: North, South)" in output
    assert "Traceback" not in output


def test_bad_dates_are_clear_errors(app: Flask) -> None:
    code, output = _run(app, "--from", "2026-02-30", "--to", "2026-03-31")
    assert code == 2
    assert "'2026-02-30' is not a date like 2026-04-01" in output
    code, output = _run(app, "--from", "2026-04-01", "--to", "2026-03-31")
    assert code == 2
    assert "the period starts (2026-04-01) after it ends (2026-03-31)" in output
    code, output = _run(app, "--to", "2026-03-31")
    assert code == 2
    assert "Missing option '--from'" in output
