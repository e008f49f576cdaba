"""The plan page: the optimal proposal for the waiting list, and confirming pairs."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.domain import DB_INT_MAX
from app.extensions import db
from app.matching import bp, planning, queries
from app.scope import visible_cases
from app.web import now


@bp.route("/plan", methods=["GET", "POST"])
@roles("coordinator", "admin")
def plan() -> str | Response:
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        pairs = _chosen_pairs(request.form.getlist("pair"))
        if not pairs:
            flash("Tick at least one pair to confirm.", "error")
            return redirect(url_for("matching.plan"))
        visible = queries.visible_case_ids(db.session, current_user, [c for c, _ in pairs])
        pairs = [p for p in pairs if p[0] in visible]
        result = planning.confirm_plan(db.session, now(), pairs, current_user.id)
        db.session.commit()
        refs = queries.references_for(
            db.session,
            {a.case_id for a in result.made} | {c for c, _, _ in result.not_made},
            {a.volunteer_id for a in result.made} | {v for _, v, _ in result.not_made},
        )
        return render_template("matching/plan_done.html", result=result, refs=refs)
    proposal = planning.propose(db.session, now(), visible_cases(current_user))
    return render_template("matching/plan.html", proposal=proposal, form=form)


def _is_id(text: str) -> bool:
    return text.isdigit() and int(text) <= DB_INT_MAX


def _chosen_pairs(values: list[str]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for value in values:
        case_id, _, volunteer_id = value.partition(":")
        if _is_id(case_id) and _is_id(volunteer_id):
            pairs.append((int(case_id), int(volunteer_id)))
    return pairs
