"""The admin's audit log page (filled in by the cases issue)."""

from __future__ import annotations

from app.auth.access import roles
from app.cases import bp
from app.placeholder import not_built


@bp.route("/admin/audit")
@roles("admin")
def audit_log() -> str:
    return not_built("Audit log", "the parents, referrals, cases and check-ins work")
