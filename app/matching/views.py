"""Matching views (filled in by the matching issue)."""

from __future__ import annotations

from app.auth.access import roles
from app.matching import bp
from app.placeholder import not_built

OWNER = "the matching work"


@bp.route("/volunteers")
@roles("coordinator", "admin")
def volunteer_list() -> str:
    return not_built("Volunteers", OWNER)


@bp.route("/plan")
@roles("coordinator", "admin")
def plan() -> str:
    return not_built("Plan for everyone waiting", OWNER)


@bp.route("/my/profile")
@roles("volunteer")
def my_profile() -> str:
    return not_built("My availability", OWNER)


@bp.route("/admin/settings/matching")
@roles("admin")
def settings() -> str:
    return not_built("Matching weights", OWNER)


@bp.route("/cases/<int:case_id>/suggestions")
@roles("coordinator", "admin")
def suggestions(case_id: int) -> str:
    return not_built("Suggested volunteers", OWNER)
