"""Escalation views (filled in by the escalation issue)."""

from __future__ import annotations

from app.auth.access import roles
from app.escalation import bp
from app.placeholder import not_built

OWNER = "the escalation work"


@bp.route("/flags")
@roles("coordinator", "admin")
def inbox() -> str:
    return not_built("Flags", OWNER)


@bp.route("/admin/emails")
@roles("admin")
def outbox() -> str:
    return not_built("Emails", OWNER)


@bp.route("/admin/settings/escalation")
@roles("admin")
def settings() -> str:
    return not_built("Escalation thresholds", OWNER)


@bp.route("/flags/<int:flag_id>")
@roles("coordinator", "admin")
def flag_detail(flag_id: int) -> str:
    return not_built("Flag", OWNER)
