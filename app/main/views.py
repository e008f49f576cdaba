"""The home page: one for each role."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user
from sqlalchemy import func, select

from app.auth.access import roles
from app.extensions import db
from app.main import bp
from app.models import (
    Assignment,
    Case,
    CaseStatus,
    CheckIn,
    CheckInStatus,
    EmailStatus,
    EscalationFlag,
    FlagStatus,
    OutboxEmail,
    User,
)
from app.scope import visible_cases
from app.web import now


@bp.route("/")
@roles("admin", "coordinator", "volunteer")
def home() -> str:
    role = current_user.role
    if role == "volunteer":
        parents = db.session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.volunteer_id == current_user.id, Assignment.ended_at.is_(None))
        )
        drafts = db.session.scalar(
            select(func.count())
            .select_from(CheckIn)
            .where(CheckIn.volunteer_id == current_user.id, CheckIn.status == CheckInStatus.DRAFT)
        )
        return render_template("main/home_volunteer.html", parents=parents, drafts=drafts)
    if role == "coordinator":
        mine = visible_cases(current_user)  # only the coordinator's own areas
        by_status = dict(
            db.session.execute(
                select(Case.status, func.count()).where(mine).group_by(Case.status)
            ).all()
        )
        flags = dict(
            db.session.execute(
                select(EscalationFlag.severity, func.count())
                .join(Case, Case.id == EscalationFlag.case_id)
                .where(EscalationFlag.status != FlagStatus.RESOLVED, mine)
                .group_by(EscalationFlag.severity)
            ).all()
        )
        return render_template(
            "main/home_coordinator.html",
            waiting=by_status.get(CaseStatus.WAITING, 0) + by_status.get(CaseStatus.REFERRED, 0),
            active=by_status.get(CaseStatus.ACTIVE, 0),
            flags=flags,
            now=now(),
        )
    users = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    failed = db.session.scalar(
        select(func.count())
        .select_from(OutboxEmail)
        .where(OutboxEmail.status == EmailStatus.FAILED)
    )
    return render_template("main/home_admin.html", users=users, failed=failed)
