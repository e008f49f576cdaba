"""Volunteer profiles, gates, scoring, suggestions and the optimal plan."""

from flask import Blueprint

bp = Blueprint("matching", __name__)

from app.matching import (  # noqa: E402,F401
    assignment_views,
    plan_views,
    settings_views,
    volunteer_views,
)
