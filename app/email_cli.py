"""`flask emails …`: send the outbox, queue the weekly escalation email and the volunteers'
daily reminders."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app

from app.cli_options import now_option
from app.email import send_pending
from app.escalation.digest import queue_weekly
from app.extensions import db
from app.reminders import queue_reminders
from app.timeutil import utcnow


@click.group()
def emails() -> None:
    """The outbox, the weekly escalation email and the volunteers' reminders."""


@emails.command("weekly")
@now_option
def weekly_command(now: datetime) -> None:
    """Queue the weekly escalation email for the week containing --now (never twice)."""
    result = queue_weekly(db.session, now, only_when_due=False)
    db.session.commit()
    click.echo(str(result))


@emails.command("reminders")
@now_option
def reminders_command(now: datetime) -> None:
    """Queue today's reminder for each volunteer with something due (at most one a day)."""
    result = queue_reminders(db.session, now)
    db.session.commit()
    click.echo(str(result))


@emails.command("send")
def send_command() -> None:
    """Send what is due in the outbox (retries included)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    result = send_pending(app, utcnow)  # the clock: each claim's lease starts when it is taken
    click.echo(str(result))
