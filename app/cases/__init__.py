"""Parents, referrals, cases and check-ins."""

from flask import Blueprint

bp = Blueprint("cases", __name__)

from app.cases import case_views, checkin_views, referral_views, settings_views  # noqa: E402,F401
