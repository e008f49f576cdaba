"""`flask seed demo`: a believable demo service (see app/demo/build.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import click
from flask import Flask, current_app

from app.demo.build import build_demo, demo_exists
from app.demo.vocab import DEMO_LOGINS, DEMO_PASSWORD
from app.extensions import db
from app.timeutil import utcnow


def parse_now(value: str | None) -> datetime:
    """``--now`` as an aware UTC instant (a time without an offset is UTC)."""
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(
            f"{value!r} is not an ISO time, like 2026-11-02T10:00", param_hint="--now"
        ) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def demo_logins_text() -> str:
    """The demo accounts and their password, for people trying Corner out."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role:<12} {email:<32} {what}" for email, role, what in DEMO_LOGINS]
    return "\n".join(lines)


def load_demo(now: datetime) -> dict[str, int] | None:
    """Load the demo data and commit; None when it is already there (nothing changes)."""
    if demo_exists(db.session):
        return None
    counts = build_demo(db.session, now)
    db.session.commit()
    return counts


@click.group()
def seed() -> None:
    """Load demo data."""


@seed.command("demo")
@click.option("--now", "now_text", default=None, help="Build the demo as of this ISO time.")
def demo(now_text: str | None) -> None:
    """Build a believable demo service: areas, accounts, parents, cases, check-ins."""
    now = parse_now(now_text)
    started = time.perf_counter()
    counts = load_demo(now)
    if counts is None:
        click.echo("Demo data is already loaded; nothing changed.")
        return
    took = time.perf_counter() - started
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    click.echo(f"Demo data loaded in {took:.1f}s: {summary}.")
    click.echo(demo_logins_text())
    click.echo(f"Log in at {current_app.config['BASE_URL']}/login")


def register(app: Flask) -> None:
    app.cli.add_command(seed)
