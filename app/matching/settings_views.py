"""Admin pages of matching: the weights and travel setting, the postcode-centroid import."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.extensions import db
from app.matching import bp
from app.matching.forms import PostcodeUploadForm, SettingsForm
from app.matching.postcodes import ImportProblems, import_centroids
from app.matching.scoring import PARTS, SETTINGS_DEFAULTS, SETTINGS_KEY
from app.settings import get_settings, save_settings
from app.web import audit, client_ip, now


@bp.route("/admin/settings/matching", methods=["GET", "POST"])
@roles("admin")
def settings() -> str | Response:
    current = get_settings(db.session, SETTINGS_KEY, SETTINGS_DEFAULTS)
    form = SettingsForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        values: dict[str, float] = {
            f"weight_{p}": int(getattr(form, f"weight_{p}").data) for p in PARTS
        }
        values["default_travel_km"] = float(form.default_travel_km.data)
        save_settings(db.session, now(), SETTINGS_KEY, values, current_user.id, client_ip())
        db.session.commit()
        flash("Matching weights saved. Suggestions use them from now on.", "success")
        return redirect(url_for("matching.settings"))
    return render_template("matching/settings.html", form=form, parts=PARTS)


@bp.route("/admin/postcodes", methods=["GET", "POST"])
@roles("admin")
def postcodes() -> str | Response:
    form = PostcodeUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        name = upload.filename or "upload.csv"
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            problems = [f"{name}:1: file: not UTF-8 text; save it as CSV UTF-8"]
        else:
            try:
                result = import_centroids(db.session, now(), text, name)
            except ImportProblems as error:
                db.session.rollback()
                problems = error.problems
            else:
                audit("postcodes.imported", detail=f"{result.postcodes} postcodes")
                db.session.commit()
                flash(
                    f"Imported {result.postcodes} postcodes. Filled in the location of "
                    f"{result.parents_filled} parents and {result.volunteers_filled} volunteers.",
                    "success",
                )
                return redirect(url_for("matching.postcodes"))
    return render_template("matching/postcodes.html", form=form, problems=problems)
