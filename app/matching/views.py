"""Matching pages: volunteers, suggestions and assigning, the plan, settings, postcodes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, true
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.audit import record
from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.matching import bp, queries, service
from app.matching.forms import (
    AvailabilityForm,
    DeclineForm,
    EndForm,
    PostcodeUploadForm,
    ProfileForm,
    SettingsForm,
)
from app.matching.postcodes import ImportProblems, centroid_for, import_centroids
from app.matching.scoring import PART_LABELS, PARTS, SETTINGS_DEFAULTS, SETTINGS_KEY
from app.matching.service import MatchError
from app.matching.vocab import (
    LANGUAGES,
    language_label,
    tag_label,
)
from app.models import Area, Case, Role, User, VolunteerProfile, VolunteerStatus
from app.scope import case_for, visible_cases
from app.settings import get_settings, save_settings
from app.timeutil import local_date
from app.web import client_ip, now

WARN_DAYS = 30


def _case_or_404(case_id: int) -> Case:
    case = case_for(db.session, current_user, case_id)
    if case is None:
        abort(404)
    return case


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


# --------------------------------------------------------------------------- volunteers


def visible_volunteers(user: User) -> Any:
    """WHERE clause over User (outer-joined to VolunteerProfile): volunteers this user
    manages. Admins and coordinators without areas: everyone; a coordinator with areas:
    volunteers of those areas, with no area, or with no profile yet (to set one up)."""
    if user.role == Role.ADMIN:
        return true()
    area_ids = [area.id for area in user.areas]
    if not area_ids:
        return true()
    return (
        VolunteerProfile.id.is_(None)
        | VolunteerProfile.area_id.is_(None)
        | VolunteerProfile.area_id.in_(area_ids)
    )


@bp.route("/volunteers")
@roles("coordinator", "admin")
def volunteer_list() -> str:
    status = request.args.get("status", "")
    counts = queries.open_counts_subquery()
    query = (
        select(User, VolunteerProfile, func.coalesce(counts.c.n, 0))
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(counts, counts.c.volunteer_id == User.id)
        .where(User.role == Role.VOLUNTEER.value, visible_volunteers(current_user))
        .order_by(User.last_name, User.first_name, User.id)
    )
    if status in {s.value for s in VolunteerStatus}:
        query = query.where(VolunteerProfile.status == status)
    rows = db.session.execute(query).all()
    today = local_date(now())
    return render_template(
        "matching/volunteers.html",
        rows=rows,
        status=status,
        today=today,
        check_state=check_state,
        now=now(),
    )


def _area_choices() -> list[SelectChoice]:
    areas = db.session.scalars(select(Area).order_by(Area.name))
    return [SelectChoice(0, "No area")] + [SelectChoice(a.id, a.name) for a in areas]


@bp.route("/volunteers/<int:user_id>/edit", methods=["GET", "POST"])
@roles("coordinator", "admin")
def volunteer_edit(user_id: int) -> str | Response:
    user = db.session.scalar(
        select(User)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.id == user_id, User.role == Role.VOLUNTEER.value)
        .where(visible_volunteers(current_user))
    )
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
            known = set(LANGUAGES)
            form.languages.data = [c for c in profile.languages if c in known]
            form.other_languages.data = ", ".join(c for c in profile.languages if c not in known)
    if form.validate_on_submit():
        if profile is None:
            profile = VolunteerProfile(user_id=user.id)
            db.session.add(profile)
        profile.status = form.status.data or VolunteerStatus.ACTIVE.value
        profile.area_id = form.area.data or None
        profile.phone = form.phone.data or None
        old_postcode = profile.postcode
        old_coords = (profile.latitude, profile.longitude)
        profile.postcode = form.postcode.data or None
        profile.latitude = float(form.latitude.data) if form.latitude.data is not None else None
        profile.longitude = float(form.longitude.data) if form.longitude.data is not None else None
        moved = profile.postcode != old_postcode
        if moved and (profile.latitude, profile.longitude) == old_coords:
            # A new postcode with the old coordinates left in place: they no longer apply.
            profile.latitude = profile.longitude = None
        if profile.latitude is None or profile.longitude is None:
            found = centroid_for(db.session, profile.postcode)
            profile.latitude, profile.longitude = found if found else (None, None)
        profile.languages = form.all_languages()
        profile.stages = list(form.stages.data or [])
        profile.tags = list(form.tags.data or [])
        profile.availability = list(form.availability.data or [])
        profile.max_caseload = int(form.max_caseload.data or 0)
        profile.travel_km = float(form.travel_km.data) if form.travel_km.data is not None else None
        profile.remote_only = bool(form.remote_only.data)
        profile.training_completed_on = form.training_completed_on.data
        profile.dbs_checked_on = form.dbs_checked_on.data
        profile.dbs_expires_on = form.dbs_expires_on.data
        profile.updated_at = now()
        db.session.flush()
        record(
            db.session,
            now(),
            "volunteer.profile_updated",
            actor_id=current_user.id,
            object_type="user",
            object_id=user.id,
            ip=client_ip(),
        )
        db.session.commit()
        flash(f"{user.full_name}'s profile is saved.", "success")
        return redirect(url_for("matching.volunteer_list"))
    return render_template("matching/volunteer_edit.html", form=form, volunteer=user)


def _own_profile() -> VolunteerProfile | None:
    return db.session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.user_id == current_user.id)
    )


@bp.route("/my/profile", methods=["GET", "POST"])
@roles("volunteer")
def my_profile() -> str | Response:
    profile = _own_profile()
    form = AvailabilityForm(obj=profile if request.method == "GET" else None)
    if profile is not None and form.validate_on_submit():
        profile.availability = list(form.availability.data or [])
        profile.updated_at = now()
        record(
            db.session,
            now(),
            "volunteer.availability_updated",
            actor_id=current_user.id,
            object_type="user",
            object_id=current_user.id,
            ip=client_ip(),
        )
        db.session.commit()
        flash("Your availability is saved.", "success")
        return redirect(url_for("matching.my_profile"))
    today = local_date(now())
    return render_template(
        "matching/my_profile.html",
        profile=profile,
        form=form,
        pause_form=ConfirmForm(),
        dbs=check_state(profile.dbs_expires_on if profile else None, today, "DBS check"),
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
    profile = _own_profile()
    if profile is None:
        abort(404)
    if profile.status == VolunteerStatus.LEFT:
        flash("Your profile says you have left the service: ask your coordinator.", "error")
        return redirect(url_for("matching.my_profile"))
    profile.status = status.value
    profile.updated_at = now()
    record(
        db.session,
        now(),
        f"volunteer.{status.value}",
        actor_id=current_user.id,
        object_type="user",
        object_id=current_user.id,
        ip=client_ip(),
    )
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("matching.my_profile"))


# --------------------------------------------------------------------------- suggestions


def _suggestions_page(case: Case, **extra: Any) -> str:
    current = queries.open_assignment(db.session, case.id)
    result = (
        service.suggest(
            db.session,
            now(),
            case.parent,
            current_volunteer_id=current.volunteer_id if current else None,
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


def _volunteer_or_404(volunteer_id: int) -> User:
    volunteer = db.session.get(User, volunteer_id)
    if volunteer is None or volunteer.role != Role.VOLUNTEER or volunteer.volunteer_profile is None:
        abort(404)
    return volunteer


@bp.route("/cases/<int:case_id>/assign/<int:volunteer_id>", methods=["GET", "POST"])
@roles("coordinator", "admin")
def assign(case_id: int, volunteer_id: int) -> str | Response:
    case = _case_or_404(case_id)
    volunteer = _volunteer_or_404(volunteer_id)
    current = queries.open_assignment(db.session, case.id)
    form: EndForm | ConfirmForm = EndForm() if current is not None else ConfirmForm()
    back = redirect(url_for("matching.suggestions", case_id=case.id))
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
            return back
    if form.validate_on_submit():
        try:
            if isinstance(form, EndForm):
                service.reassign(
                    db.session, now(), case.id, volunteer.id, form.reason_text(), current_user.id
                )
            else:
                service.assign(db.session, now(), case.id, volunteer.id, current_user.id)
        except MatchError as error:
            db.session.rollback()
            flash(str(error), "error")
            return back
        db.session.commit()
        flash(
            f"{volunteer.full_name} is now supporting {case.parent.first_name} ({case.reference}).",
            "success",
        )
        return back
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
        try:
            service.decline(
                db.session, now(), case.id, volunteer.id, form.who.data or "parent", current_user.id
            )
        except MatchError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("matching.suggestions", case_id=case.id))
        db.session.commit()
        flash(
            f"Noted: {volunteer.full_name} will not be suggested for this parent again.", "success"
        )
        return redirect(url_for("matching.suggestions", case_id=case.id))
    return render_template("matching/decline.html", case=case, volunteer=volunteer, form=form)


@bp.route("/cases/<int:case_id>/end", methods=["GET", "POST"])
@roles("coordinator", "admin")
def end(case_id: int) -> str | Response:
    case = _case_or_404(case_id)
    current = queries.open_assignment(db.session, case.id)
    form = EndForm()
    if current is None:
        flash("This case has no volunteer at the moment.", "error")
        return redirect(url_for("matching.suggestions", case_id=case.id))
    if form.validate_on_submit():
        try:
            service.end_assignment(db.session, now(), case.id, form.reason_text(), current_user.id)
        except MatchError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("matching.suggestions", case_id=case.id))
        db.session.commit()
        flash(f"The assignment has ended. {case.reference} is back on the waiting list.", "success")
        return redirect(url_for("matching.suggestions", case_id=case.id))
    return render_template("matching/end.html", case=case, current=current, form=form)


# --------------------------------------------------------------------------- plan


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
        visible = set(
            db.session.scalars(
                select(Case.id).where(
                    visible_cases(current_user), Case.id.in_([c for c, _ in pairs])
                )
            )
        )
        pairs = [p for p in pairs if p[0] in visible]
        result = service.confirm_plan(db.session, now(), pairs, current_user.id)
        db.session.commit()
        return render_template("matching/plan_done.html", result=result, refs=_refs(result))
    proposal = service.propose(db.session, now(), visible_cases(current_user))
    return render_template("matching/plan.html", proposal=proposal, form=form)


def _chosen_pairs(values: list[str]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    for value in values:
        case_id, _, volunteer_id = value.partition(":")
        if case_id.isdigit() and volunteer_id.isdigit():
            pairs.append((int(case_id), int(volunteer_id)))
    return pairs


def _refs(result: service.ConfirmResult) -> dict[str, dict[int, str]]:
    case_ids = {a.case_id for a in result.made} | {c for c, _, _ in result.not_made}
    volunteer_ids = {a.volunteer_id for a in result.made} | {v for _, v, _ in result.not_made}
    cases: list[Case] = list(db.session.scalars(select(Case).where(Case.id.in_(case_ids))))
    users: list[User] = list(db.session.scalars(select(User).where(User.id.in_(volunteer_ids))))
    return {
        "case": {c.id: c.reference for c in cases},
        "volunteer": {u.id: u.full_name for u in users},
    }


# --------------------------------------------------------------------------- admin


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
                result = import_centroids(db.session, text, name)
            except ImportProblems as error:
                db.session.rollback()
                problems = error.problems
            else:
                record(
                    db.session,
                    now(),
                    "postcodes.imported",
                    actor_id=current_user.id,
                    detail=f"{result.postcodes} postcodes",
                    ip=client_ip(),
                )
                db.session.commit()
                flash(
                    f"Imported {result.postcodes} postcodes. Filled in the location of "
                    f"{result.parents_filled} parents and {result.volunteers_filled} volunteers.",
                    "success",
                )
                return redirect(url_for("matching.postcodes"))
    return render_template("matching/postcodes.html", form=form, problems=problems)


@bp.app_template_filter("match_language")
def _language_filter(code: str) -> str:
    return language_label(code)


@bp.app_template_filter("match_tag")
def _tag_filter(code: str) -> str:
    return tag_label(code)
