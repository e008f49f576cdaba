"""`flask seed demo`: realistic demo data (filled in by the foundation work)."""

from __future__ import annotations

import click
from flask import Flask


@click.group()
def seed() -> None:
    """Load demo data."""


def register(app: Flask) -> None:
    app.cli.add_command(seed)
