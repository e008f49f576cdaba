"""The admin's page of self-referral settings: limits, and the charity's phone and email."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.cases import bp
from app.cases.referral_settings import SETTINGS_KEY, ReferralSettingsForm, referral_settings
from app.extensions import db
from app.settings import save_settings
from app.web import client_ip, now


@bp.route("/admin/settings/referrals", methods=["GET", "POST"])
@roles("admin")
def referral_settings_page() -> str | Response:
    current = referral_settings(db.session)
    form = ReferralSettingsForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        values = form.values()
        save_settings(db.session, now(), SETTINGS_KEY, values, current_user.id, client_ip())
        db.session.commit()
        flash("Self-referral settings saved.", "success")
        return redirect(url_for("cases.referral_settings_page"))
    return render_template("cases/referral_settings.html", form=form)
