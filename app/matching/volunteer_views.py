"""Volunteer pages: the coordinators' list and profile edit, a volunteer's own profile."""

from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.domain import VolunteerStatus
from app.extensions import db
from app.language_fields import show_languages
from app.matching import bp, profiles, queries
from app.matching.forms import AvailabilityForm, ProfileForm
from app.matching.vocab import language_label, tag_label
from app.search_keys import parse_query
from app.timeutil import local_date
from app.web import audit, list_args, now, page_arg

WARN_DAYS = 30


def check_state(day: date | None, today: date, what: str) -> tuple[str, str]:
    """('ok'|'soon'|'expired'|'missing', words) for a DBS expiry date."""
    if day is None:
        return "missing", f"No {what} recorded"
    if day < today:
        days = (today - day).days
        return "expired", f"Expired {days} {'day' if days == 1 else 'days'} ago"
    if day <= today + timedelta(days=WARN_DAYS):
        days = (day - today).days
        when = "today" if days == 0 else f"in {days} {'day' if days == 1 else 'days'}"
        return "soon", f"Expires {when}"
    return "ok", "Valid"


def training_state(day: date | None, today: date) -> tuple[str, str]:
    """As ``check_state`` for a training renewal date; none recorded: it does not expire."""
    if day is None:
        return "ok", "No renewal date"
    state, words = check_state(day, today, "renewal date")
    return state, words if state == "ok" else "Training " + words[0].lower() + words[1:]


@bp.route("/volunteers")
@roles("coordinator", "admin")
def volunteer_list() -> str:
    status = request.args.get("status", "")
    terms = parse_query(request.args.get("q"))
    rows, page = queries.volunteer_list(db.session, current_user, status, terms, page_arg())
    return render_template(
        "matching/volunteers.html",
        rows=rows,
        page=page,
        args=list_args(),
        status=status,
        q=terms.text,
        today=local_date(now()),
        check_state=check_state,
        training_state=training_state,
        now=now(),
    )


def _area_choices() -> list[SelectChoice]:
    areas = queries.areas_by_name(db.session)
    return [SelectChoice(0, "No area")] + [SelectChoice(a.id, a.name) for a in areas]


@bp.route("/volunteers/<int:user_id>/edit", methods=["GET", "POST"])
@roles("coordinator", "admin")
def volunteer_edit(user_id: int) -> str | Response:
    user = queries.managed_volunteer(db.session, current_user, user_id)
    if user is None:
        abort(404)
    profile = user.volunteer_profile
    form = ProfileForm(obj=profile if request.method == "GET" else None)
    form.area.choices = _area_choices()
    if request.method == "GET":
        if profile is None:
            form.status.data = VolunteerStatus.ACTIVE.value
            form.max_caseload.data = 3
        else:
            form.area.data = profile.area_id or 0
            show_languages(form, profile.languages)
    if form.validate_on_submit():
        profiles.save_profile(db.session, now(), user, form.profile_fields())
        audit("volunteer.profile_updated", "user", user.id)
        db.session.commit()
        flash(f"{user.full_name}'s profile is saved.", "success")
        return redirect(url_for("matching.volunteer_list"))
    return render_template("matching/volunteer_edit.html", form=form, volunteer=user)


@bp.route("/my/profile", methods=["GET", "POST"])
@roles("volunteer")
def my_profile() -> str | Response:
    profile = queries.profile_of(db.session, current_user.id)
    form = AvailabilityForm(obj=profile if request.method == "GET" else None)
    if profile is not None and form.validate_on_submit():
        slots = list(form.availability.data or [])
        reminders = bool(form.email_reminders.data)
        profiles.set_availability(db.session, now(), profile, slots, reminders)
        audit("volunteer.availability_updated", "user", current_user.id)
        db.session.commit()
        flash("Your availability and reminder choice are saved.", "success")
        return redirect(url_for("matching.my_profile"))
    today = local_date(now())
    return render_template(
        "matching/my_profile.html",
        profile=profile,
        form=form,
        pause_form=ConfirmForm(),
        dbs=check_state(profile.dbs_expires_on if profile else None, today, "DBS check"),
        training=training_state(profile.training_expires_on if profile else None, today),
        language_label=language_label,
        tag_label=tag_label,
    )


@bp.route("/my/profile/pause", methods=["POST"])
@roles("volunteer")
def my_pause() -> Response:
    return _set_own_status(
        VolunteerStatus.PAUSED, "You are paused: coordinators will not offer you new parents."
    )


@bp.route("/my/profile/resume", methods=["POST"])
@roles("volunteer")
def my_resume() -> Response:
    return _set_own_status(
        VolunteerStatus.ACTIVE, "Welcome back: you can be offered new parents again."
    )


def _set_own_status(status: VolunteerStatus, message: str) -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    profile = queries.profile_of(db.session, current_user.id)
    if profile is None:
        abort(404)
    profiles.set_own_status(db.session, now(), profile, status)  # MatchError: back, flashed
    audit(f"volunteer.{status.value}", "user", current_user.id)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("matching.my_profile"))


@bp.app_template_filter("match_tag")
def _tag_filter(code: str) -> str:
    return tag_label(code)
