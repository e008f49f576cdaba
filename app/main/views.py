"""The home page: one for each role; and the site icon at the address browsers ask for."""

from __future__ import annotations

from flask import current_app, render_template
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import public, roles
from app.delivery import delivery_problem
from app.domain import CaseStatus
from app.escalation.queries import picked_up_concerns
from app.extensions import db
from app.main import bp, queries
from app.timeutil import local_date
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
            picked_up=picked_up_concerns(db.session, current_user, now()),
        )
    if role == "coordinator":
        moment = now()
        by_status = queries.case_counts_by_status(db.session, current_user)
        expiring, expiring_total = queries.expiring_checks(
            db.session, current_user, local_date(moment)
        )
        return render_template(
            "main/home_coordinator.html",
            flags=queries.flags_needing_attention(db.session, current_user),
            referrals=by_status.get(CaseStatus.REFERRED, 0),
            waiting=by_status.get(CaseStatus.WAITING, 0),
            active=by_status.get(CaseStatus.ACTIVE, 0),
            longest_waiting=queries.longest_waiting(db.session, current_user),
            expiring=expiring,
            expiring_total=expiring_total,
            expiry_days=queries.EXPIRY_DAYS,
            failed=queries.failed_email_count(db.session),
            delivery=delivery_problem(db.session),
            today=local_date(moment),
            now=moment,
        )
    return render_template(
        "main/home_admin.html",
        users=queries.user_counts_by_role(db.session),
        failed=queries.failed_email_count(db.session),
        delivery=delivery_problem(db.session),
    )


@bp.route("/favicon.ico")
@public
def favicon() -> Response:
    """Browsers that ignore the page's icon link ask here: the same icon."""
    return current_app.send_static_file("favicon.svg")
