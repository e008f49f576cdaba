"""`flask seed demo`: a believable demo service (see app/demo/build.py), and its logins."""

from __future__ import annotations

import time
from datetime import datetime

import click

from app.cli_options import now_option
from app.db_statistics import refresh_after_load
from app.demo.build import build_demo, demo_exists
from app.demo.remove import DemoInUse, remove_demo
from app.demo.vocab import DEMO_LOGINS, DEMO_PASSWORD
from app.extensions import db
from app.urls import absolute_url


def demo_logins_text() -> str:
    """The demo accounts and their password, for people trying Corner out."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {role:<12} {email:<32} {what}" for email, role, what in DEMO_LOGINS]
    return "\n".join(lines)


def load_demo(now: datetime, scale: int = 1) -> dict[str, int] | None:
    """Load the demo data and commit; None when it is already there (nothing changes)."""
    if demo_exists(db.session):
        return None
    counts = build_demo(db.session, now, scale=scale)
    db.session.commit()
    refresh_after_load(db.session)  # PostgreSQL plans the first pages from real counts
    return counts


@click.group("demo")
def demo_commands() -> None:
    """The demo service."""


@demo_commands.command("remove")
@now_option
@click.option("--yes", is_flag=True, help="Really delete the demo service (it asks otherwise).")
def remove(now: datetime, yes: bool) -> None:
    """Delete the demo service: its accounts, parents, cases, areas, emails and audit events.

    Production refuses to serve while demo accounts exist (their password is published)."""
    if not demo_exists(db.session):
        click.echo("There are no demo accounts; nothing changed.")
        return
    if not yes:
        click.confirm(
            "Delete the demo accounts, parents, cases and everything they made?", abort=True
        )
    try:
        counts = remove_demo(db.session, now)
    except DemoInUse as in_use:
        db.session.rollback()
        raise click.ClickException(str(in_use)) from None
    db.session.commit()
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    click.echo(f"Demo removed: {summary}.")


@click.group()
def seed() -> None:
    """Load demo data."""


@seed.command("demo")
@now_option
@click.option(
    "--scale",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Times as many parents and volunteers (for trying Corner at a large charity's size).",
)
def demo(now: datetime, scale: int) -> None:
    """Build a believable demo service: areas, accounts, parents, cases, check-ins."""
    started = time.perf_counter()
    counts = load_demo(now, scale)
    if counts is None:
        click.echo("Demo data is already loaded; nothing changed.")
        return
    took = time.perf_counter() - started
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    click.echo(f"Demo data loaded in {took:.1f}s: {summary}.")
    click.echo(demo_logins_text())
    click.echo(f"Log in at {absolute_url('auth.login')}")
