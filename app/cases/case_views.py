"""One case: its page, the parent's details, high risk, accept, close, reopen."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.cases import bp, queries
from app.cases.forms import CloseCaseForm, ParentEditForm
from app.cases.service import (
    accept_referral,
    close_case,
    reopen_case,
    set_high_risk,
    update_parent,
)
from app.cases.timeline import case_timeline
from app.cases.view_helpers import (
    ALL_ROLES,
    STAFF,
    case_or_404,
    confirm_or_400,
    me,
    parent_data,
    today,
)
from app.domain import CaseStatus, Role
from app.equality import FIELD_NAMES, answers
from app.extensions import db
from app.language_fields import show_languages
from app.stage import is_birth_overdue
from app.web import audit, audit_viewed, now


@bp.route("/cases/<int:case_id>")
@roles(*ALL_ROLES)
def case_detail(case_id: int) -> str:
    case = case_or_404(case_id)
    parent = case.parent
    detail = f"case {case.id}"
    day = today()
    if me().role == Role.VOLUNTEER:
        checkins = queries.volunteer_checkins(db.session, case, me())
        html = render_template(
            "cases/my_case.html",
            case=case,
            parent=parent,
            stage=parent.stage(day),
            checkins=checkins,
            now=now(),
        )
        return audit_viewed(html, "parent.viewed", "parent", parent.id, detail=detail)
    show_deleted = request.args.get("deleted") == "1"
    timeline = case_timeline(db.session, case, show_deleted=show_deleted)
    duplicates = queries.possible_duplicates(db.session, me(), parent)
    html = render_template(
        "cases/case_detail.html",
        case=case,
        parent=parent,
        stage=parent.stage(day),
        birth_overdue=is_birth_overdue(parent.due_date, parent.birth_date, day),
        timeline=timeline,
        show_deleted=show_deleted,
        duplicates=duplicates,
        equality=answers({name: getattr(parent, name) for name in FIELD_NAMES}),
        assignment=timeline.open_assignment,
        show_area=queries.area_count(db.session) > 1,
        form=ConfirmForm(),
        now=now(),
    )
    return audit_viewed(html, "parent.viewed", "parent", parent.id, detail=detail)


@bp.route("/cases/<int:case_id>/parent", methods=["GET", "POST"])
@roles(*STAFF)
def parent_edit(case_id: int) -> str | Response:
    case = case_or_404(case_id)
    parent = case.parent
    if parent.erased_at is not None:  # nothing to edit: new details would undo the erasure
        flash("Her details were erased: there is nothing to edit.", "error")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    form = ParentEditForm(obj=parent)
    if request.method == "GET":
        show_languages(form, parent.languages)
        form.consent_method.data = parent.consent_method or "verbal"
        audit("parent.viewed", "parent", parent.id, detail=f"case {case.id} edit")
        db.session.commit()
    if form.validate_on_submit():
        changed = update_parent(db.session, now(), parent, parent_data(form))
        if changed:
            audit("parent.updated", "parent", parent.id, detail="fields: " + ", ".join(changed))
        db.session.commit()
        flash("Parent details saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("cases/parent_form.html", form=form, case=case, parent=parent)


@bp.route("/cases/<int:case_id>/high-risk", methods=["POST"])
@roles(*STAFF)
def high_risk(case_id: int) -> Response:
    confirm_or_400()
    case = case_or_404(case_id)
    value = request.form.get("high_risk") == "1"
    set_high_risk(db.session, now(), case, value)
    audit("case.high_risk_set" if value else "case.high_risk_cleared", "case", case.id)
    db.session.commit()
    flash("Marked as high risk." if value else "No longer marked as high risk.", "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/accept", methods=["POST"])
@roles(*STAFF)
def accept(case_id: int) -> Response:
    confirm_or_400()
    case = case_or_404(case_id)
    accept_referral(db.session, now(), case)
    audit("case.accepted", "case", case.id)
    db.session.commit()
    flash("Referral accepted: the parent is on the waiting list.", "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@roles(*STAFF)
def close(case_id: int) -> str | Response:
    case = case_or_404(case_id)
    form = CloseCaseForm()
    if case.status == CaseStatus.CLOSED:
        flash("This case is already closed.", "error")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    if form.validate_on_submit():
        reason = form.reason.data or "other"
        close_case(db.session, now(), case, form.reason_text())
        audit("case.closed", "case", case.id, detail=f"reason: {reason}")  # a code, not free text
        db.session.commit()
        flash("The case is closed.", "success")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("cases/close_form.html", form=form, case=case)


@bp.route("/cases/<int:case_id>/reopen", methods=["POST"])
@roles(*STAFF)
def reopen(case_id: int) -> Response:
    confirm_or_400()
    case = case_or_404(case_id)
    reopen_case(db.session, now(), case)
    audit("case.reopened", "case", case.id)
    db.session.commit()
    flash("The case is open again and back on the waiting list.", "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))
