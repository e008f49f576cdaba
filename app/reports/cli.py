"""`flask reports …`: the funders' figures from the command line."""

from __future__ import annotations

import json
from datetime import date, datetime

import click
from sqlalchemy import select

from app.cli_options import now_option
from app.extensions import db
from app.models import Area
from app.reports.labels import as_text
from app.reports.periods import Period, parse_day
from app.reports.summary import summarise


@click.group()
def reports() -> None:
    """Reports: the figures funders ask for."""


def _day(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return parse_day(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None


@reports.command("summary")
@click.option(
    "--from",
    "start",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_day,
    help="The first day of the period (included).",
)
@click.option(
    "--to",
    "end",
    required=True,
    metavar="YYYY-MM-DD",
    callback=_day,
    help="The last day of the period (included).",
)
@click.option(
    "--area",
    "area_name",
    default=None,
    metavar="NAME",
    help="Only this area's cases and volunteers (its name); default: every area.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@now_option
def summary_command(
    start: date, end: date, area_name: str | None, as_json: bool, now: datetime
) -> None:
    """The report's figures for the days FROM to TO (service time zone, both included)."""
    try:
        period = Period(start, end)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--from' / '--to'") from None
    area_id = None
    if area_name is not None:
        area_id = db.session.scalar(select(Area.id).where(Area.name == area_name))
        if area_id is None:
            names = ", ".join(db.session.scalars(select(Area.name).order_by(Area.name)))
            raise click.BadParameter(
                f"no area is called {area_name!r} (areas: {names or 'none'})",
                param_hint="'--area'",
            )
    figures = summarise(db.session, period=period, area_id=area_id, now=now)
    db.session.rollback()
    click.echo(json.dumps(figures, indent=2, sort_keys=False) if as_json else as_text(figures))
