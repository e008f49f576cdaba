"""A plain 'not built yet' page for places a later issue fills in."""

from __future__ import annotations

from flask import render_template


def not_built(title: str, owner: str) -> str:
    return render_template("placeholder.html", title=title, owner=owner)
