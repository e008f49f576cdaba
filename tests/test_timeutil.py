"""The service time zone and ``--now``: a time without an offset means CORNER_TIMEZONE."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import click
import pytest
from flask import Flask
from sqlalchemy import select

from app.cli_options import now_option
from app.extensions import db
from app.models import EscalationFlag
from app.timeutil import DEFAULT_TZ, parse_now, service_zone
from tests.factories import make_case
from tests.helpers import make_app

NEW_YORK = "America/New_York"
EIGHT_LOCAL = "2026-11-02T08:00"  # November: London is on GMT, New York on EST (UTC-5)


@click.command()
@now_option
def probe(now: datetime) -> None:
    """Prints the instant ``--now`` gave it."""
    click.echo(now.isoformat())


@pytest.fixture
def restore_zone(database_uri: str) -> Iterator[None]:
    """After the test, an app with the default config puts the default zone back."""
    yield
    make_app(database_uri)
    assert service_zone() == DEFAULT_TZ


@pytest.mark.usefixtures("restore_zone")
def test_a_time_without_offset_means_the_configured_zone(app: Flask) -> None:
    new_york = make_app(app.config["SQLALCHEMY_DATABASE_URI"], CORNER_TIMEZONE=NEW_YORK)
    assert service_zone() == NEW_YORK
    assert parse_now(EIGHT_LOCAL) == datetime(2026, 11, 2, 13, 0, tzinfo=UTC)
    result = new_york.test_cli_runner().invoke(probe, ["--now", EIGHT_LOCAL])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2026-11-02T13:00:00+00:00"
    # an explicit offset wins over the zone
    assert parse_now("2026-11-02T08:00+00:00") == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.mark.usefixtures("restore_zone")
def test_flask_escalation_scan_runs_at_the_local_time(app: Flask) -> None:
    """The real command: the flag it raises is stamped 08:00 New York time, 13:00 UTC."""
    new_york = make_app(app.config["SQLALCHEMY_DATABASE_URI"], CORNER_TIMEZONE=NEW_YORK)
    with new_york.app_context():
        make_case(db.session, referred_at=parse_now(EIGHT_LOCAL) - timedelta(days=20))
        db.session.commit()
        result = new_york.test_cli_runner().invoke(
            args=["escalation", "scan", "--now", EIGHT_LOCAL]
        )
        assert result.exit_code == 0, result.output
        raised = db.session.scalars(select(EscalationFlag.raised_at)).all()
        db.session.remove()
        db.engine.dispose()
    assert raised == [datetime(2026, 11, 2, 13, 0, tzinfo=UTC)]


def test_the_default_zone_is_london(app: Flask) -> None:
    assert service_zone() == DEFAULT_TZ == "Europe/London"
    assert parse_now(EIGHT_LOCAL) == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # GMT
    assert parse_now("2026-06-01T08:00") == datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # BST
    result = app.test_cli_runner().invoke(probe, ["--now", EIGHT_LOCAL])
    assert result.output.strip() == "2026-11-02T08:00:00+00:00"


def test_no_now_means_the_clock(app: Flask) -> None:
    before = datetime.now(UTC)
    instant = parse_now(None)
    assert instant.tzinfo is UTC and before <= instant <= datetime.now(UTC)


def test_a_bad_now_is_a_clear_click_error(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["escalation", "scan", "--now", "yesterday"])
    assert result.exit_code == 2  # click's usage error: nothing ran
    assert "Invalid value for '--now'" in result.output
    assert "'yesterday' is not an ISO time, like 2026-11-02T10:00" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(ValueError, match="is not an ISO time"):
        parse_now("2026-13-01T08:00")


def test_every_now_option_is_the_shared_one(app: Flask) -> None:
    """Every ``--now`` of every command parses with parse_now (through ``@now_option``)."""
    shared = probe.params[0]

    def commands(group: click.Group, path: str) -> Iterator[tuple[str, click.Command]]:
        for name, command in group.commands.items():
            yield f"{path} {name}", command
            if isinstance(command, click.Group):
                yield from commands(command, f"{path} {name}")

    found = []
    for path, command in commands(app.cli, "flask"):
        for param in command.params:
            if "--now" in param.opts:
                found.append(path)
                assert param.callback is shared.callback, f"{path}: --now without @now_option"
    assert "flask escalation scan" in found
