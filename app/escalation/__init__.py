"""Escalation rules, the scan, flags, the weekly email."""

from flask import Blueprint

bp = Blueprint("escalation", __name__)

from app.escalation import views  # noqa: E402,F401
