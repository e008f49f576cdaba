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


def _now_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    try:
        return parse_now(value)
    except ValueError as error:
        raise click.BadParameter(str(error), ctx=ctx, param=param) from error


def now_option(func: F) -> F:
    """``--now ISO``, passed to the command as ``now``: an aware UTC instant."""
    return click.option(
        "--now", "now", default=None, metavar="ISO", help=NOW_HELP, callback=_now_callback
    )(func)
