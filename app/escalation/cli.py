"""`flask escalation …`: run the scan once, list the flags."""

from __future__ import annotations

import json
from datetime import datetime

import click

from app.cli_options import now_option
from app.escalation.chase import run_chase
from app.escalation.date_check import implausible_dates
from app.escalation.queries import list_flags
from app.escalation.scan import run_scheduled_scan
from app.escalation.scan_runs import ScanTimeError, refuse_scan_before_last
from app.extensions import db
from app.timeutil import local_date


@click.group()
def escalation() -> None:
    """Escalation flags: the scan and the list."""


@escalation.command("scan")
@now_option
@click.option(
    "--force",
    is_flag=True,
    help="Scan even when --now is earlier than the last completed scan (tests, replays).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Evaluate every open case (by default only those that can have changed since the "
    "last scan; the first scan each week is full anyway).",
)
def scan_command(now: datetime, force: bool, full: bool) -> None:
    """Run the scheduled rules once over the open cases."""
    if not force:
        try:
            refuse_scan_before_last(db.session, now)
        except ScanTimeError as error:
            raise click.ClickException(str(error)) from None
    result = run_scheduled_scan(db.session, now, full=full)
    db.session.commit()
    resolved = result.resolved + result.closed_resolved
    click.echo(
        f"Scanned {result.cases} open cases: raised {result.raised} flags, resolved {resolved}"
        f" ({result.closed_resolved} of closed cases)."
    )
    if result.failed:
        click.echo(
            f"Could not check {result.failed} case(s): each has a 'Could not check this case'"
            " flag; see `flask escalation check-dates`.",
            err=True,
        )


@escalation.command("chase")
@now_option
def chase_command(now: datetime) -> None:
    """Email again the urgent flags nobody has acknowledged in time (each step once per flag)."""
    result = run_chase(db.session, now)
    db.session.commit()
    click.echo(str(result))


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


@escalation.command("check-dates")
@now_option
def check_dates_command(now: datetime) -> None:
    """List stored dates no form would accept (by reference, no names); exit 1 if any."""
    issues = implausible_dates(db.session, local_date(now))
    if not issues:
        click.echo("No implausible dates.")
        return
    for issue in issues:
        click.echo(f"{issue.reference}: {issue.field}: {issue.value.isoformat()}: {issue.problem}")
    click.echo(
        f"{len(issues)} implausible date(s): correct them on the parent's or volunteer's page.",
        err=True,
    )
    raise SystemExit(1)
