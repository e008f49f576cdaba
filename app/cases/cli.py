"""`flask` commands of the cases area."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Add this area's command groups to the app."""
    from app.spreadsheets.cli import register as register_spreadsheets

    register_spreadsheets(app)
