"""A case's suggested volunteers, and assigning, reassigning, ending and declining."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.domain import Role
from app.extensions import db
from app.matching import assignments, bp, queries
from app.matching.forms import DeclineForm, EndForm
from app.matching.scoring import PART_LABELS, PARTS
from app.matching.suggestions import suggest
from app.matching.vocab import language_label, tag_label
from app.models import Case, User
from app.scope import case_for
from app.web import now, on_refusal_go_to


def _case_or_404(case_id: int) -> Case:
    case = case_for(db.session, current_user, case_id)
    if case is None:
        abort(404)
    return case


def _volunteer_or_404(volunteer_id: int) -> User:
    volunteer = db.session.get(User, volunteer_id)
    if volunteer is None or volunteer.role != Role.VOLUNTEER or volunteer.volunteer_profile is None:
        abort(404)
    return volunteer


def _to_suggestions(case: Case) -> Response:
    return redirect(url_for("matching.suggestions", case_id=case.id))


def _refusal_to_suggestions(case: Case) -> None:
    """A refusal goes back to the case's suggestions, not to the confirmation page."""
    on_refusal_go_to(url_for("matching.suggestions", case_id=case.id))


def _suggestions_page(case: Case, **extra: Any) -> str:
    current = queries.open_assignment(db.session, case.id)
    result = (
        suggest(
            db.session,
            now(),
            case.parent,
            current_volunteer_id=current.volunteer_id if current else None,
            case=case,
        )
        if case.is_open
        else None
    )
    return render_template(
        "matching/suggestions.html",
        case=case,
        parent=case.parent,
        current=current,
        result=result,
        part_labels=PART_LABELS,
        parts=PARTS,
        tag_label=tag_label,
        language_label=language_label,
        now=now(),
        **extra,
    )


@bp.route("/cases/<int:case_id>/suggestions")
@roles("coordinator", "admin")
def suggestions(case_id: int) -> str:
    return _suggestions_page(_case_or_404(case_id))


@bp.route("/cases/<int:case_id>/assign/<int:volunteer_id>", methods=["GET", "POST"])
@roles("coordinator", "admin")
def assign(case_id: int, volunteer_id: int) -> str | Response:
    case = _case_or_404(case_id)
    volunteer = _volunteer_or_404(volunteer_id)
    current = queries.open_assignment(db.session, case.id)
    form: EndForm | ConfirmForm = EndForm() if current is not None else ConfirmForm()
    if request.method == "POST":
        # The page was made for the assignment as it was then; if it changed since
        # (another coordinator assigned someone), say so rather than act on stale ground.
        seen = request.form.get("current_assignment", "")
        if seen != str(current.id if current else 0):
            flash(
                "Someone has just changed who supports this parent. "
                "Check the current volunteer below before choosing again.",
                "error",
            )
            return _to_suggestions(case)
    if form.validate_on_submit():
        _refusal_to_suggestions(case)
        if isinstance(form, EndForm):
            assignments.reassign(
                db.session, now(), case.id, volunteer.id, form.reason_text(), current_user.id
            )
        else:
            assignments.assign(db.session, now(), case.id, volunteer.id, current_user.id)
        db.session.commit()
        flash(
            f"{volunteer.full_name} is now supporting {case.parent.first_name} ({case.reference}).",
            "success",
        )
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template(
        "matching/confirm_assign.html", case=case, volunteer=volunteer, current=current, form=form
    )


@bp.route("/cases/<int:case_id>/decline/<int:volunteer_id>", methods=["GET", "POST"])
@roles("coordinator", "admin")
def decline(case_id: int, volunteer_id: int) -> str | Response:
    case = _case_or_404(case_id)
    volunteer = _volunteer_or_404(volunteer_id)
    form = DeclineForm()
    if form.validate_on_submit():
        _refusal_to_suggestions(case)
        assignments.decline(
            db.session, now(), case.id, volunteer.id, form.who.data or "parent", current_user.id
        )
        db.session.commit()
        flash(
            f"Noted: {volunteer.full_name} will not be suggested for this parent again.", "success"
        )
        return _to_suggestions(case)
    return render_template("matching/decline.html", case=case, volunteer=volunteer, form=form)


@bp.route("/cases/<int:case_id>/end", methods=["GET", "POST"])
@roles("coordinator", "admin")
def end(case_id: int) -> str | Response:
    case = _case_or_404(case_id)
    current = queries.open_assignment(db.session, case.id)
    form = EndForm()
    if current is None:
        flash("This case has no volunteer at the moment.", "error")
        return _to_suggestions(case)
    if form.validate_on_submit():
        _refusal_to_suggestions(case)
        assignments.end_assignment(db.session, now(), case.id, form.reason_text(), current_user.id)
        db.session.commit()
        flash(f"The assignment has ended. {case.reference} is back on the waiting list.", "success")
        return _to_suggestions(case)
    return render_template("matching/end.html", case=case, current=current, form=form)
