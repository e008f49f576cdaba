"""Pages: erase a parent (admins), record that she withdrew consent, the privacy settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.cases.view_helpers import STAFF, case_or_404, me, today
from app.extensions import db
from app.privacy.consent import record_consent_withdrawn, withdrawal_problem
from app.privacy.erasure import checkpoint, erase_parent, erasure_problem
from app.privacy.erasure_forms import ConsentWithdrawnForm, EraseForm, PrivacySettingsForm
from app.privacy.retention import upcoming
from app.privacy.settings import SETTINGS_KEY, privacy_settings
from app.settings import save_settings
from app.web import client_ip, now

bp = Blueprint("erasure", __name__)


@bp.route("/cases/<int:case_id>/erase", methods=["GET", "POST"])
@roles("admin")
def erase(case_id: int) -> str | Response:
    case = case_or_404(case_id)
    parent = case.parent
    problem = erasure_problem(db.session, parent)
    form = EraseForm()
    if not problem and form.validate_on_submit() and form.confirmed(parent.ref):
        erase_parent(
            db.session,
            parent.id,
            actor_id=me().id,
            reason=form.reason.data or "",
            now=now(),
            ip=client_ip(),
        )
        db.session.commit()
        checkpoint(db.engine)
        flash(f"{parent.ref}: her details are erased. She now shows as “Erased parent”.", "success")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template(
        "privacy/erase.html", form=form, case=case, parent=parent, problem=problem
    )


@bp.route("/cases/<int:case_id>/consent-withdrawn", methods=["GET", "POST"])
@roles(*STAFF)
def consent_withdrawn(case_id: int) -> str | Response:
    case = case_or_404(case_id)
    parent = case.parent
    form = ConsentWithdrawnForm()
    if request.method == "GET":
        form.withdrawn_on.data = today()
    if form.validate_on_submit() and form.withdrawn_on.data is not None:
        problem = withdrawal_problem(parent, form.withdrawn_on.data, now())
        if problem:
            form.withdrawn_on.errors = [*form.withdrawn_on.errors, problem]
        else:
            closed = record_consent_withdrawn(
                db.session,
                now(),
                parent,
                on=form.withdrawn_on.data,
                actor_id=me().id,
                ip=client_ip(),
            )
            db.session.commit()
            flash(
                "Recorded that she withdrew consent" + (": her case is closed." if closed else "."),
                "success",
            )
            return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("privacy/consent_withdrawn.html", form=form, case=case, parent=parent)


@bp.route("/admin/settings/privacy", methods=["GET", "POST"])
@roles("admin")
def privacy_settings_page() -> str | Response:
    current = privacy_settings(db.session)
    form = PrivacySettingsForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        save_settings(db.session, now(), SETTINGS_KEY, form.values(), me().id, client_ip())
        db.session.commit()
        flash("Privacy settings saved.", "success")
        return redirect(url_for("erasure.privacy_settings_page"))
    return render_template(
        "privacy/retention_settings.html",
        form=form,
        months=current["retention_months"],
        rows=upcoming(db.session, now()),
        today=today(),
    )
