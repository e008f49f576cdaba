"""Parents, referrals, cases, check-ins, audit log and spreadsheets."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from app.cases import audit_views, views  # noqa: E402,F401
