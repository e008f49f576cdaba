"""`flask reports …`: the funders' figures from the command line."""

from __future__ import annotations

import click


@click.group()
def reports() -> None:
    """Reports: the figures funders ask for."""
