"""`flask …` commands: each area's group lives in its own cli module; this only registers them."""

from __future__ import annotations

from flask import Flask

from app.auth.cli import users
from app.background import jobs_commands
from app.demo.cli import demo_commands, seed
from app.email_cli import emails
from app.escalation.cli import escalation
from app.jobs import scheduler_commands
from app.matching.cli import matching
from app.privacy import (
    access_cli,  # noqa: F401  (adds `parents export` to the group)
    erasure_cli,  # noqa: F401  (adds erase and retention to parents)
)
from app.privacy.cli import parents
from app.reports.cli import reports
from app.spreadsheets.cli import export_command, import_command

COMMANDS = (
    users,
    seed,
    demo_commands,
    import_command,
    export_command,
    matching,
    escalation,
    emails,
    scheduler_commands,
    jobs_commands,
    parents,
    reports,
)


def register(app: Flask) -> None:
    """Add every area's command group (and the spreadsheet import and export) to the app."""
    for command in COMMANDS:
        app.cli.add_command(command)
