"""`flask users …`: create accounts; email and print their set-password links."""

from __future__ import annotations

import click
from sqlalchemy import select

from app.auth.service import AccountError, create_user, invite_by_email
from app.extensions import db
from app.models import Area
from app.timeutil import utcnow


@click.group()
def users() -> None:
    """Manage accounts."""


def _print_link(url: str, email: str) -> None:
    click.echo(f"Set-password link (works once, for 7 days): {url}")
    click.echo(
        f"It has been emailed to {email} (the scheduler or `flask emails send` sends it); "
        "with no email, give them the link yourself."
    )


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["admin", "coordinator", "volunteer"]), required=True)
@click.option("--area", "area_name", default=None, help="Area name (created if new).")
@click.option("--first-name", default="", help="First name (defaults to the email's name part).")
@click.option("--last-name", default="")
def create(email: str, role: str, area_name: str | None, first_name: str, last_name: str) -> None:
    """Create an account; email and print a one-time link to set the password."""
    now = utcnow()
    areas = []
    if area_name:
        area = db.session.scalar(select(Area).where(Area.name == area_name))
        if area is None:
            area = Area(name=area_name, created_at=now)
            db.session.add(area)
        areas.append(area)
    try:
        user = create_user(
            db.session,
            now,
            email=email,
            role=role,
            first_name=first_name,
            last_name=last_name,
            areas=areas,
        )
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    url = invite_by_email(db.session, now, user)
    db.session.commit()
    click.echo(f"Created {role} {user.email}.")
    _print_link(url, user.email)


@users.command("create-admin")
@click.argument("email")
def create_admin(email: str) -> None:
    """Create an admin account; email and print a one-time link to set the password."""
    now = utcnow()
    try:
        user = create_user(db.session, now, email=email, role="admin")
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    url = invite_by_email(db.session, now, user)
    db.session.commit()
    click.echo(f"Created admin {user.email}.")
    _print_link(url, user.email)
