"""Admin: accounts and invitations, the audit log, settings index."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from app.admin import area_views, audit_views, views  # noqa: E402,F401
