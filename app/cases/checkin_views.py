"""Volunteers' work: my parents, my drafts, the check-in form; edit, delete and restore."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.cases import bp, queries
from app.cases.forms import CheckInForm
from app.cases.service import (
    CheckInData,
    checkin_problems,
    correct_checkin,
    create_checkin,
    delete_checkin,
    restore_checkin,
    update_checkin,
    volunteer_may_edit,
)
from app.cases.view_helpers import (
    ALL_ROLES,
    STAFF,
    case_or_404,
    checkin_or_404,
    confirm_or_400,
    me,
    today,
)
from app.domain import CheckInStatus, Role
from app.escalation.hooks import raised_urgent
from app.extensions import db
from app.models import CheckIn
from app.timeutil import zone
from app.web import audit, audit_viewed, now


@bp.route("/my/parents")
@roles("volunteer")
def my_parents() -> str:
    rows = queries.my_parents(db.session, me(), today())
    return render_template("cases/my_parents.html", rows=rows, now=now())


@bp.route("/my/drafts")
@roles("volunteer")
def my_drafts() -> str:
    drafts = queries.my_drafts(db.session, me())
    return render_template("cases/my_drafts.html", drafts=drafts, now=now())


# --------------------------------------------------------------------------- the form


def _local_input(instant: datetime) -> datetime:
    """An instant as the naive local time a datetime-local input shows."""
    return instant.astimezone(zone()).replace(tzinfo=None, second=0, microsecond=0)


def _from_local(value: datetime) -> datetime:
    return value.replace(tzinfo=zone()).astimezone(UTC)


def _checkin_data(form: CheckInForm) -> CheckInData:
    def yes_no(value: str | None) -> bool | None:
        return None if value is None else value == "yes"

    return CheckInData(
        occurred_at=_from_local(form.occurred_at.data) if form.occurred_at.data else now(),
        mode=form.mode.data or "phone",
        duration_min=form.duration_min.data,
        successful=form.successful.data == "yes",
        wellbeing=int(form.wellbeing.data) if form.wellbeing.data else None,
        bonding=int(form.bonding.data) if form.bonding.data else None,
        whooley_down=yes_no(form.whooley_down.data),
        whooley_interest=yes_no(form.whooley_interest.data),
        topics=list(form.topics.data or []),
        concerns=list(form.concerns.data or []),
        coordinator_today=bool(form.coordinator_today.data),
        notes=(form.notes.data or "").strip(),
    )


def _fill_form(form: CheckInForm, checkin: CheckIn) -> None:
    form.mode.data = checkin.mode
    form.occurred_at.data = _local_input(checkin.occurred_at)
    form.duration_min.data = checkin.duration_min
    form.successful.data = "yes" if checkin.successful else "no"
    form.wellbeing.data = str(checkin.wellbeing) if checkin.wellbeing else None
    form.bonding.data = str(checkin.bonding) if checkin.bonding else None
    for name in ("whooley_down", "whooley_interest"):
        value = getattr(checkin, name)
        getattr(form, name).data = None if value is None else ("yes" if value else "no")
    form.topics.data = list(checkin.topics or [])
    form.concerns.data = list(checkin.concerns or [])
    form.coordinator_today.data = checkin.coordinator_today
    form.notes.data = checkin.notes


def _validated(form: CheckInForm, submitting: bool) -> CheckInData | None:
    """The form's data when valid; otherwise None with errors on the form."""
    if not form.validate_on_submit():
        form.check_choices()
        return None
    if not form.check_choices():
        return None
    data = _checkin_data(form)
    problems = checkin_problems(data, now(), submitting=submitting)
    for name, message in problems.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]
    return None if problems else data


# --------------------------------------------------------------------------- check-ins


@bp.route("/cases/<int:case_id>/checkins/new", methods=["GET", "POST"])
@roles("volunteer")
def checkin_new(case_id: int) -> str | Response:
    case = case_or_404(case_id)
    form = CheckInForm()
    if request.method == "GET":
        form.occurred_at.data = _local_input(now())
    submitting = request.form.get("action") == "submit"
    data = _validated(form, submitting) if request.method == "POST" else None
    if data is not None:
        checkin = create_checkin(db.session, now(), case, me(), data, submit=submitting)
        audit("checkin.created", "checkin", checkin.id)
        if submitting:
            audit("checkin.submitted", "checkin", checkin.id)
        db.session.commit()
        if submitting:
            flash(f"Check-in for {case.parent.first_name} submitted. Thank you.", "success")
            return _after_submit(checkin)
        flash("Saved as a draft. You can finish it from My drafts.", "success")
        return redirect(url_for("cases.my_drafts"))
    return render_template("cases/checkin_form.html", form=form, case=case, checkin=None)


@bp.route("/checkins/<int:checkin_id>")
@roles(*ALL_ROLES)
def checkin_view(checkin_id: int) -> str:
    checkin = checkin_or_404(checkin_id)
    html = render_template(
        "cases/checkin_view.html",
        checkin=checkin,
        case=checkin.case,
        may_edit=volunteer_may_edit(checkin, now()),
        now=now(),
        form=ConfirmForm(),
    )
    return audit_viewed(html, "checkin.viewed", "checkin", checkin.id)


@bp.route("/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@roles(*ALL_ROLES)
def checkin_edit(checkin_id: int) -> str | Response:
    checkin = checkin_or_404(checkin_id)
    correcting = me().role != Role.VOLUNTEER
    if correcting and checkin.status != CheckInStatus.SUBMITTED:
        abort(404)  # coordinators correct submitted check-ins; drafts are the volunteer's
    if not correcting and not volunteer_may_edit(checkin, now()):
        flash(
            "This check-in was submitted more than 24 hours ago and can no longer be changed. "
            "Ask your coordinator if something needs correcting.",
            "error",
        )
        return redirect(url_for("cases.checkin_view", checkin_id=checkin.id))
    form = CheckInForm()
    if request.method == "GET":
        _fill_form(form, checkin)
        audit("checkin.viewed", "checkin", checkin.id)
        db.session.commit()
    submitting = correcting or checkin.status == CheckInStatus.SUBMITTED
    submitting = submitting or request.form.get("action") == "submit"
    data = _validated(form, submitting) if request.method == "POST" else None
    if data is not None:
        if correcting:
            return _save_correction(checkin, data)
        return _save_own(checkin, data, submitting)
    return render_template(
        "cases/checkin_form.html",
        form=form,
        case=checkin.case,
        checkin=checkin,
        correcting=correcting,
    )


def _save_correction(checkin: CheckIn, data: CheckInData) -> Response:
    """A coordinator's correction of a submitted check-in."""
    changed = correct_checkin(db.session, now(), checkin, data)
    if changed:
        audit("checkin.corrected", "checkin", checkin.id, detail="fields: " + ", ".join(changed))
    db.session.commit()
    flash("Correction saved." if changed else "Nothing was changed.", "success")
    return redirect(url_for("cases.case_detail", case_id=checkin.case_id))


def _save_own(checkin: CheckIn, data: CheckInData, submitting: bool) -> Response:
    """The volunteer's change to their draft (maybe submitting it) or a recent submission."""
    was_draft = checkin.status == CheckInStatus.DRAFT
    changed = update_checkin(db.session, now(), checkin, data, submit=submitting)
    audit("checkin.updated", "checkin", checkin.id, detail="fields: " + ", ".join(changed))
    if was_draft and submitting:
        audit("checkin.submitted", "checkin", checkin.id)
    db.session.commit()
    if was_draft and not submitting:
        flash("Draft saved.", "success")
        return redirect(url_for("cases.my_drafts"))
    flash("Check-in submitted. Thank you." if was_draft else "Check-in saved.", "success")
    return _after_submit(checkin) if was_draft else redirect(url_for("cases.my_parents"))


def _after_submit(checkin: CheckIn) -> Response:
    """An urgent concern goes on to the page saying who was alerted; else My parents."""
    if raised_urgent(checkin):
        return redirect(url_for("cases.checkin_alerted", checkin_id=checkin.id))
    return redirect(url_for("cases.my_parents"))


@bp.route("/checkins/<int:checkin_id>/alerted")
@roles("volunteer")
def checkin_alerted(checkin_id: int) -> str | Response:
    """After an urgent concern: the coordinator was alerted, the duty phone, and 999."""
    checkin = checkin_or_404(checkin_id)
    if not raised_urgent(checkin):
        return redirect(url_for("cases.checkin_view", checkin_id=checkin.id))
    case = checkin.case
    return render_template(
        "cases/checkin_alerted.html",
        checkin=checkin,
        case=case,
        duty_phone=case.area.duty_phone if case.area is not None else None,
    )


@bp.route("/checkins/<int:checkin_id>/delete", methods=["GET", "POST"])
@roles("volunteer")
def checkin_delete(checkin_id: int) -> str | Response:
    """GET asks "Delete this draft?"; only the POST of that page (``confirmed``) deletes."""
    if request.method == "POST":
        confirm_or_400()
    checkin = checkin_or_404(checkin_id)
    if not volunteer_may_edit(checkin, now()):
        flash("This check-in can no longer be deleted. Ask your coordinator.", "error")
        return redirect(url_for("cases.checkin_view", checkin_id=checkin.id))
    if request.method == "GET":
        return render_template(
            "cases/checkin_delete.html", checkin=checkin, case=checkin.case, form=ConfirmForm()
        )
    if request.form.get("confirmed") != "yes":  # a delete button without the question
        return redirect(url_for("cases.checkin_delete", checkin_id=checkin.id))
    was_draft = checkin.status == CheckInStatus.DRAFT
    delete_checkin(db.session, now(), checkin, me())
    audit("checkin.deleted", "checkin", checkin.id)
    db.session.commit()
    flash("Check-in deleted.", "success")
    return redirect(url_for("cases.my_drafts" if was_draft else "cases.my_parents"))


@bp.route("/checkins/<int:checkin_id>/restore", methods=["POST"])
@roles(*STAFF)
def checkin_restore(checkin_id: int) -> Response:
    confirm_or_400()
    checkin = checkin_or_404(checkin_id)
    restore_checkin(db.session, now(), checkin)
    audit("checkin.restored", "checkin", checkin.id)
    db.session.commit()
    flash("Check-in restored.", "success")
    return redirect(url_for("cases.case_detail", case_id=checkin.case_id, deleted=1))
