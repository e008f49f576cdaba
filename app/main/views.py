"""The home page: one for each role; and the site icon at the address browsers ask for."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import public, roles
from app.domain import CaseStatus
from app.extensions import db
from app.main import bp, queries
from app.web import now


@bp.route("/")
@roles("admin", "coordinator", "volunteer")
def home() -> str:
    role = current_user.role
    if role == "volunteer":
        return render_template(
            "main/home_volunteer.html",
            parents=queries.open_assignment_count(db.session, current_user),
            drafts=queries.draft_count(db.session, current_user),
        )
    if role == "coordinator":
        by_status = queries.case_counts_by_status(db.session, current_user)
        return render_template(
            "main/home_coordinator.html",
            waiting=by_status.get(CaseStatus.WAITING, 0) + by_status.get(CaseStatus.REFERRED, 0),
            active=by_status.get(CaseStatus.ACTIVE, 0),
            flags=queries.unresolved_flag_counts_by_severity(db.session, current_user),
            now=now(),
        )
    return render_template(
        "main/home_admin.html",
        users=queries.user_counts_by_role(db.session),
        failed=queries.failed_email_count(db.session),
    )


@bp.route("/favicon.ico")
@public
def favicon() -> Response:
    """Browsers that ignore the page's icon link ask here: the same icon."""
    return current_app.send_static_file("favicon.svg")
