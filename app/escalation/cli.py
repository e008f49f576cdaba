"""`flask` commands of the escalation area: escalation, emails, scheduler."""

from __future__ import annotations

import json
from datetime import datetime

import click
from flask import Flask, current_app

from app.cli_options import now_option
from app.extensions import db
from app.timeutil import utcnow


@click.group()
def escalation() -> None:
    """Escalation flags: the scan and the list."""


@escalation.command("scan")
@now_option
def scan_command(now: datetime) -> None:
    """Run the scheduled rules once over every open case."""
    from app.escalation.scan import run_scan

    result = run_scan(db.session, now)
    db.session.commit()
    resolved = result.resolved + result.closed_resolved
    click.echo(
        f"Scanned {result.cases} open cases: raised {result.raised} flags, resolved {resolved}"
        f" ({result.closed_resolved} of closed cases)."
    )


@escalation.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.option(
    "--status",
    type=click.Choice(["open", "acknowledged", "resolved"]),
    default=None,
    help="open = not yet resolved (open or acknowledged).",
)
def list_command(as_json: bool, status: str | None) -> None:
    """List flags (most severe first, then oldest)."""
    from app.escalation.service import list_flags

    rows = list_flags(db.session, status)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "parent_ref": ref,
                        "rule": flag.rule,
                        "severity": flag.severity,
                        "status": flag.status,
                        "raised_at": flag.raised_at.isoformat(),
                    }
                    for flag, ref in rows
                ],
                indent=2,
            )
        )
        return
    if not rows:
        click.echo("No flags.")
        return
    for flag, ref in rows:
        click.echo(
            f"{ref:<12} {flag.rule:<18} {flag.severity:<7} {flag.status:<13} "
            f"{flag.raised_at.isoformat()}"
        )


@click.group()
def emails() -> None:
    """The outbox and the weekly escalation email."""


@emails.command("weekly")
@now_option
def weekly_command(now: datetime) -> None:
    """Queue the weekly escalation email for the week containing --now (never twice)."""
    from app.escalation.digest import queue_weekly

    result = queue_weekly(db.session, now, only_when_due=False)
    db.session.commit()
    click.echo(str(result))


@emails.command("send")
def send_command() -> None:
    """Send what is queued in the outbox."""
    from app.email import send_pending

    result = send_pending(current_app._get_current_object(), utcnow())  # type: ignore[attr-defined]
    click.echo(str(result))


@click.group()
def scheduler() -> None:
    """The scheduler process."""


@scheduler.command("run")
def run_command() -> None:
    """Run the scheduler (blocking): outbox every minute, scan at 06:00, weekly check hourly."""
    import logging

    from app.jobs import run_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    run_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]


def register(app: Flask) -> None:
    """Add this area's command groups to the app."""
    app.cli.add_command(escalation)
    app.cli.add_command(emails)
    app.cli.add_command(scheduler)
