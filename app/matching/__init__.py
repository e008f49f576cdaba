"""Volunteer profiles, gates, scoring, suggestions and the optimal plan."""

from flask import Blueprint

bp = Blueprint("matching", __name__)

from app.matching import views  # noqa: E402,F401
