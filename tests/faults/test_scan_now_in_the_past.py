"""Issue 9, item 7: ``escalation scan --now`` in the past, and ``--now`` far outside the data.

A scan as of an earlier time auto-resolved 64 real open flags (a contact "not yet" made,
a wait "not yet" long). The command now refuses a ``--now`` earlier than the last completed
scan (the scheduler's daily scan counts too) unless ``--force``, and every command's
``--now`` outside the years 1900-2200 is a clear click error, never a traceback.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.escalation.scan_runs import last_completed_scan
from app.extensions import SessionLike
from app.jobs import job_scan
from app.models import AuditEvent, EscalationFlag, Setting
from tests.factories import NOW, make_assignment, make_case, make_parent, make_volunteer

DAY = timedelta(days=1)
ISO = "%Y-%m-%dT%H:%M"


def seed(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    active = make_case(session, make_parent(session), status="active")
    make_assignment(session, active, volunteer, started_at=NOW - 40 * DAY)  # NO_CONTACT
    make_case(session, make_parent(session), referred_at=NOW - 12 * DAY)  # UNMATCHED
    session.commit()


def state(session: SessionLike) -> tuple[Any, ...]:
    session.expire_all()
    flags = session.execute(
        select(EscalationFlag.id, EscalationFlag.status, EscalationFlag.resolved_at)
    ).all()
    settings = session.execute(select(Setting.key, Setting.value)).all()
    audits = session.scalar(select(func.count(AuditEvent.id)))
    return tuple(sorted(flags)), tuple(sorted(settings, key=str)), audits


def scan(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["escalation", "scan", *args])


def test_a_scan_as_of_a_time_before_the_last_one_is_refused_and_changes_nothing(
    app: Flask, session: SessionLike
) -> None:
    seed(session)
    first = scan(app, "--now", NOW.strftime(ISO))
    assert first.exit_code == 0, first.output
    assert "raised 2 flags" in first.output
    assert last_completed_scan(session) == NOW
    before = state(session)

    past = scan(app, "--now", (NOW - 30 * DAY).strftime(ISO))
    assert past.exit_code == 1, past.output
    assert "the last scan completed as of Mon 2 Nov, 10:00" in past.output
    assert "--force" in past.output and "resolve open flags" in past.output
    assert "Traceback" not in past.output
    assert state(session) == before  # no flag resolved, the record unchanged

    # the same instant again, or later, runs
    again = scan(app, "--now", NOW.strftime(ISO))
    assert again.exit_code == 0, again.output
    assert "raised 0 flags, resolved 0" in again.output


def test_force_scans_in_the_past_and_keeps_the_latest_scan_time(
    app: Flask, session: SessionLike
) -> None:
    """--force is for tests and replays: it runs (and shows the harm the refusal prevents:
    both open flags resolve, because 38 days earlier neither condition held yet: the volunteer
    had started 2 days before, and the waiting parent was not referred yet)."""
    seed(session)
    assert scan(app, "--now", NOW.strftime(ISO)).exit_code == 0
    forced = scan(app, "--now", (NOW - 38 * DAY).strftime(ISO), "--force")
    assert forced.exit_code == 0, forced.output
    assert "resolved 2" in forced.output
    assert last_completed_scan(session) == NOW  # the latest completed scan still counts
    assert scan(app, "--now", (NOW - DAY).strftime(ISO)).exit_code == 1


def test_the_schedulers_daily_scan_counts_as_the_last_scan(
    app: Flask, session: SessionLike
) -> None:
    seed(session)
    job_scan(app, NOW)
    assert last_completed_scan(session) == NOW
    refused = scan(app, "--now", (NOW - DAY).strftime(ISO))
    assert refused.exit_code == 1
    assert "last scan completed" in refused.output


NOW_COMMANDS = [
    ["escalation", "scan"],
    ["escalation", "check-dates"],
    ["emails", "weekly"],
    ["matching", "plan"],
    ["matching", "suggest", "REF"],
    ["seed", "demo"],
]
IMPLAUSIBLE = [
    "0001-01-01T00:00",
    "0001-01-01T00:00+05:00",  # past the start of the calendar in UTC
    "9999-12-31T23:59",
    "9999-12-31T23:59-05:00",
    "1899-12-31T12:00",
    "2201-01-01T00:00",
]


@pytest.mark.parametrize("command", NOW_COMMANDS, ids=lambda c: " ".join(c))
def test_now_far_outside_the_data_is_a_clear_error_for_every_command(
    app: Flask, session: SessionLike, command: list[str]
) -> None:
    seed(session)
    before = state(session)
    for value in IMPLAUSIBLE:
        result = app.test_cli_runner().invoke(args=[*command, "--now", value])
        assert result.exit_code == 2, (command, value, result.output)
        assert isinstance(result.exception, SystemExit), (command, value, result.exception)
        assert "Invalid value for '--now'" in result.output
        assert "is not a plausible time: give one between the years 1900 and 2200" in (
            result.output
        )
        assert "Traceback" not in result.output
    assert state(session) == before
