"""Options every command shares: ``--now`` (one parser for all of them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from app.timeutil import parse_now

F = TypeVar("F", bound=Callable[..., Any])

NOW_HELP = (
    "Run as of this ISO time, like 2026-11-02T08:00 (the service time zone, CORNER_TIMEZONE, "
    "when it has no offset); default: the clock."
)


#: the years a ``--now`` may fall in: far enough either side of any real data, and far enough
#: from the ends of the calendar (years 1 and 9999) that no date arithmetic can overflow
NOW_YEARS = (1900, 2200)


def _now_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    first, last = NOW_YEARS
    implausible = (
        f"{value!r} is not a plausible time: give one between the years {first} and {last}"
    )
    try:
        now = parse_now(value)
    except OverflowError:  # an offset past the ends of the calendar
        raise click.BadParameter(implausible, ctx=ctx, param=param) from None
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from None
    if not first <= now.year <= last:
        raise click.BadParameter(implausible, ctx=ctx, param=param)
    return now


def now_option(func: F) -> F:
    """``--now ISO``, passed to the command as ``now``: an aware UTC instant."""
    return click.option(
        "--now", "now", default=None, metavar="ISO", help=NOW_HELP, callback=_now_callback
    )(func)
