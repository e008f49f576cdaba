"""Case work views (filled in by the cases issue)."""

from __future__ import annotations

from app.auth.access import roles
from app.cases import bp
from app.placeholder import not_built

OWNER = "the parents, referrals, cases and check-ins work"


@bp.route("/waiting")
@roles("coordinator", "admin")
def waiting_list() -> str:
    return not_built("Waiting list", OWNER)


@bp.route("/cases")
@roles("coordinator", "admin")
def case_list() -> str:
    return not_built("Cases", OWNER)


@bp.route("/my/parents")
@roles("volunteer")
def my_parents() -> str:
    return not_built("My parents", OWNER)


@bp.route("/my/drafts")
@roles("volunteer")
def my_drafts() -> str:
    return not_built("My drafts", OWNER)
