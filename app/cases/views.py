"""Case work views: referrals, waiting list, cases, check-ins. Thin: one commit per request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.audit import record
from app.auth.access import public, roles
from app.auth.forms import ConfirmForm
from app.cases import bp, queries, ratelimit
from app.cases.forms import (
    SELF_REFERRAL_CONSENT_SCOPE,
    CheckInForm,
    CloseCaseForm,
    ParentEditForm,
    ReferralForm,
    SelfReferralForm,
    opts,
    split_list,
)
from app.cases.service import (
    CaseError,
    CheckInData,
    ParentData,
    accept_referral,
    checkin_problems,
    close_case,
    correct_checkin,
    create_checkin,
    create_referral,
    delete_checkin,
    duplicates_of,
    reopen_case,
    restore_checkin,
    set_high_risk,
    update_checkin,
    update_parent,
    volunteer_may_edit,
)
from app.domain import CLOSE_REASON_LABELS
from app.extensions import db
from app.models import Area, Case, CaseStatus, CheckIn, CheckInStatus, Role, User
from app.scope import case_for
from app.stage import Stage, is_birth_overdue
from app.timeutil import local_date, zone
from app.web import client_ip, now

STAFF = ("coordinator", "admin")
ALL_ROLES = ("coordinator", "admin", "volunteer")
STATUS_FILTERS = [
    ("open", "Open"),
    ("referred", "New self-referrals"),
    ("waiting", "Waiting"),
    ("active", "Active"),
    ("closed", "Closed"),
    ("", "All"),
]
SELF_REFERRAL_LIMIT = 5  # posts per address per window
SELF_REFERRAL_WINDOW = 3600  # seconds


# --------------------------------------------------------------------------- helpers


def _me() -> User:
    user: User = current_user._get_current_object()
    return user


def _tz() -> str:
    return str(current_app.config["CORNER_TIMEZONE"])


def _today() -> Any:
    return local_date(now(), _tz())


def _audit(action: str, object_type: str, object_id: int, detail: str | None = None) -> None:
    record(
        db.session,
        now(),
        action,
        actor_id=_me().id,
        object_type=object_type,
        object_id=object_id,
        ip=client_ip(),
        detail=detail,
    )


def _case_or_404(case_id: int) -> Case:
    case = case_for(db.session, _me(), case_id)
    if case is None:
        abort(404)
    return case


def _checkin_or_404(checkin_id: int) -> CheckIn:
    checkin = queries.checkin_for(db.session, _me(), checkin_id)
    if checkin is None:
        abort(404)
    return checkin


def _confirm_or_400() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _page() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _parent_data(form: Any) -> ParentData:
    return ParentData(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or None,
        phone=form.phone.data or None,
        postcode=form.postcode.data or None,
        languages=split_list(form.languages.data),
        due_date=form.due_date.data,
        birth_date=form.birth_date.data,
        tags=list(form.tags.data or []),
        contact_mode=form.contact_mode.data or None,
        availability=list((getattr(form, "availability", None) and form.availability.data) or []),
        referral_source=getattr(form, "referral_source", None) and form.referral_source.data,
        consent_on=getattr(form, "consent_on", None) and form.consent_on.data,
        consent_method=getattr(form, "consent_method", None) and form.consent_method.data,
        consent_scope=getattr(form, "consent_scope", None) and form.consent_scope.data,
    )


def _visible_areas() -> list[Area]:
    user = _me()
    if user.role == Role.COORDINATOR and user.areas:
        return list(user.areas)
    return list(db.session.scalars(select(Area).order_by(Area.name)))


# --------------------------------------------------------------------------- self-referral


@bp.route("/refer", methods=["GET", "POST"])
@public
def self_referral() -> str | tuple[str, int] | Response:
    form = SelfReferralForm()
    areas = list(db.session.scalars(select(Area).order_by(Area.name)))
    form.area.choices = opts([(0, "I'm not sure")] + [(a.id, a.name) for a in areas])
    if request.method == "POST":
        limit = current_app.config.get("SELF_REFERRAL_LIMIT", SELF_REFERRAL_LIMIT)
        window = current_app.config.get("SELF_REFERRAL_WINDOW", SELF_REFERRAL_WINDOW)
        key = ratelimit.address_key("self_referral", client_ip())
        with db.engine.begin() as conn:
            ok = ratelimit.allowed(conn, key, now(), limit, window)
        if not ok:
            return render_template("cases/self_referral_limited.html"), 429
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled the hidden field: look like success, store nothing.
            return redirect(url_for("cases.self_referral_done"))
        area_id = form.area.data or None
        if len(areas) == 1:
            area_id = areas[0].id
        elif area_id not in {a.id for a in areas}:
            area_id = None
        data = _parent_data(form)
        data.referral_source = "self-referral"
        data.consent_on = local_date(now(), _tz())
        data.consent_method = "online form"
        data.consent_scope = SELF_REFERRAL_CONSENT_SCOPE
        case = create_referral(db.session, now(), data, area_id=area_id, self_referral=True)
        for action, kind, object_id in (
            ("parent.created", "parent", case.parent_id),
            ("referral.self", "case", case.id),
        ):
            record(
                db.session,
                now(),
                action,
                actor_id=None,
                object_type=kind,
                object_id=object_id,
                ip=client_ip(),
            )
        db.session.commit()
        return redirect(url_for("cases.self_referral_done"))
    return render_template("cases/self_referral.html", form=form, show_area=len(areas) > 1)


@bp.route("/refer/thanks")
@public
def self_referral_done() -> str:
    return render_template("cases/self_referral_done.html")


# --------------------------------------------------------------------------- coordinator work


@bp.route("/referrals/new", methods=["GET", "POST"])
@roles(*STAFF)
def referral_new() -> str | Response:
    form = ReferralForm()
    areas = _visible_areas()
    form.area.choices = opts([(a.id, a.name) for a in areas] or [(0, "No area")])
    coordinators = list(
        db.session.scalars(
            select(User)
            .where(User.role == Role.COORDINATOR.value, User.active.is_(True))
            .order_by(User.first_name, User.last_name)
        )
    )
    form.owner.choices = opts([(0, "Nobody yet")] + [(c.id, c.full_name) for c in coordinators])
    if request.method == "GET":
        form.owner.data = _me().id if _me().role == Role.COORDINATOR else 0
        form.consent_on.data = _today()
    if form.validate_on_submit():
        area_id = form.area.data if any(a.id == form.area.data for a in areas) else None
        if len(areas) == 1:
            area_id = areas[0].id
        case = create_referral(
            db.session,
            now(),
            _parent_data(form),
            area_id=area_id,
            owner_id=form.owner.data or None,
            high_risk=bool(form.high_risk.data),
        )
        _audit("parent.created", "parent", case.parent_id)
        _audit("case.created", "case", case.id)
        db.session.commit()
        duplicates = duplicates_of(db.session, case.parent)
        message = f"Referral saved. {case.parent.first_name} is on the waiting list."
        if duplicates:
            message += " This may be a parent we already know: check the possible duplicates."
        flash(message, "success")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("cases/referral_form.html", form=form, show_area=len(areas) > 1)


@bp.route("/waiting")
@roles(*STAFF)
def waiting_list() -> str:
    stage = request.args.get("stage") or None
    if stage not in {s.value for s in Stage}:
        stage = None
    rows = queries.waiting_list(db.session, _me(), _today(), stage)
    return render_template(
        "cases/waiting_list.html",
        rows=rows,
        now=now(),
        stage=stage,
        stages=list(Stage),
        show_area=queries.area_count(db.session) > 1,
    )


@bp.route("/cases")
@roles(*STAFF)
def case_list() -> str:
    status = request.args.get("status", "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    page = _page()
    rows, total = queries.case_list(db.session, _me(), _today(), status or None, page)
    return render_template(
        "cases/case_list.html",
        rows=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        status=status,
        filters=STATUS_FILTERS,
        show_area=queries.area_count(db.session) > 1,
        now=now(),
    )


@bp.route("/cases/<int:case_id>")
@roles(*ALL_ROLES)
def case_detail(case_id: int) -> str:
    case = _case_or_404(case_id)
    parent = case.parent
    _audit("parent.viewed", "parent", parent.id, detail=f"case {case.id}")
    today = _today()
    if _me().role == Role.VOLUNTEER:
        checkins = queries.volunteer_checkins(db.session, case, _me())
        html = render_template(
            "cases/my_case.html",
            case=case,
            parent=parent,
            stage=parent.stage(today),
            checkins=checkins,
            now=now(),
        )
        db.session.commit()  # the audit event; after rendering, so nothing reloads
        return html
    show_deleted = request.args.get("deleted") == "1"
    timeline = queries.case_timeline(db.session, case, show_deleted=show_deleted)
    duplicates = queries.visible_duplicate_cases(
        db.session, _me(), duplicates_of(db.session, parent)
    )
    html = render_template(
        "cases/case_detail.html",
        case=case,
        parent=parent,
        stage=parent.stage(today),
        birth_overdue=is_birth_overdue(parent.due_date, parent.birth_date, today),
        timeline=timeline,
        show_deleted=show_deleted,
        duplicates=duplicates,
        assignment=queries.open_assignment(db.session, case),
        close_reasons=CLOSE_REASON_LABELS,
        show_area=queries.area_count(db.session) > 1,
        form=ConfirmForm(),
        now=now(),
    )
    db.session.commit()  # the audit event; after rendering, so nothing reloads
    return html


@bp.route("/cases/<int:case_id>/parent", methods=["GET", "POST"])
@roles(*STAFF)
def parent_edit(case_id: int) -> str | Response:
    case = _case_or_404(case_id)
    parent = case.parent
    form = ParentEditForm(obj=parent)
    if request.method == "GET":
        form.languages.data = ", ".join(parent.languages or [])
        form.consent_method.data = parent.consent_method or "verbal"
        _audit("parent.viewed", "parent", parent.id, detail=f"case {case.id} edit")
        db.session.commit()
    if form.validate_on_submit():
        changed = update_parent(db.session, now(), parent, _parent_data(form))
        if changed:
            _audit("parent.updated", "parent", parent.id, detail="fields: " + ", ".join(changed))
        db.session.commit()
        flash("Parent details saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("cases/parent_form.html", form=form, case=case, parent=parent)


@bp.route("/cases/<int:case_id>/high-risk", methods=["POST"])
@roles(*STAFF)
def high_risk(case_id: int) -> Response:
    _confirm_or_400()
    case = _case_or_404(case_id)
    value = request.form.get("high_risk") == "1"
    set_high_risk(db.session, now(), case, value)
    _audit("case.high_risk_set" if value else "case.high_risk_cleared", "case", case.id)
    db.session.commit()
    flash("Marked as high risk." if value else "No longer marked as high risk.", "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/accept", methods=["POST"])
@roles(*STAFF)
def accept(case_id: int) -> Response:
    _confirm_or_400()
    case = _case_or_404(case_id)
    try:
        accept_referral(db.session, now(), case)
    except CaseError as error:
        flash(str(error), "error")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    _audit("case.accepted", "case", case.id)
    db.session.commit()
    flash("Referral accepted: the parent is on the waiting list.", "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/close", methods=["GET", "POST"])
@roles(*STAFF)
def close(case_id: int) -> str | Response:
    case = _case_or_404(case_id)
    form = CloseCaseForm()
    if case.status == CaseStatus.CLOSED:
        flash("This case is already closed.", "error")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    if form.validate_on_submit():
        close_case(db.session, now(), case, CLOSE_REASON_LABELS[form.reason.data or "other"])
        _audit("case.closed", "case", case.id)
        db.session.commit()
        flash("The case is closed.", "success")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    return render_template("cases/close_form.html", form=form, case=case)


@bp.route("/cases/<int:case_id>/reopen", methods=["POST"])
@roles(*STAFF)
def reopen(case_id: int) -> Response:
    _confirm_or_400()
    case = _case_or_404(case_id)
    try:
        reopen_case(db.session, now(), case)
    except CaseError as error:
        flash(str(error), "error")
        return redirect(url_for("cases.case_detail", case_id=case.id))
    _audit("case.reopened", "case", case.id)
    db.session.commit()
    flash("The case is open again and back on the waiting list.", "success")
    return redirect(url_for("cases.case_detail", case_id=case.id))


# --------------------------------------------------------------------------- volunteers


@bp.route("/my/parents")
@roles("volunteer")
def my_parents() -> str:
    rows = queries.my_parents(db.session, _me(), _today())
    return render_template("cases/my_parents.html", rows=rows, now=now())


@bp.route("/my/drafts")
@roles("volunteer")
def my_drafts() -> str:
    drafts = queries.my_drafts(db.session, _me())
    return render_template("cases/my_drafts.html", drafts=drafts, now=now())


def _local_input(instant: datetime) -> datetime:
    """An instant as the naive local time a datetime-local input shows."""
    return instant.astimezone(zone(_tz())).replace(tzinfo=None, second=0, microsecond=0)


def _from_local(value: datetime) -> datetime:
    return value.replace(tzinfo=zone(_tz())).astimezone(UTC)


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


@bp.route("/cases/<int:case_id>/checkins/new", methods=["GET", "POST"])
@roles("volunteer")
def checkin_new(case_id: int) -> str | Response:
    case = _case_or_404(case_id)
    form = CheckInForm()
    if request.method == "GET":
        form.occurred_at.data = _local_input(now())
    submitting = request.form.get("action") == "submit"
    data = _validated(form, submitting) if request.method == "POST" else None
    if data is not None:
        checkin = create_checkin(db.session, now(), case, _me(), data, submit=submitting)
        _audit("checkin.created", "checkin", checkin.id)
        if submitting:
            _audit("checkin.submitted", "checkin", checkin.id)
        db.session.commit()
        if submitting:
            flash(f"Check-in for {case.parent.first_name} submitted. Thank you.", "success")
            return redirect(url_for("cases.my_parents"))
        flash("Saved as a draft. You can finish it from My drafts.", "success")
        return redirect(url_for("cases.my_drafts"))
    return render_template("cases/checkin_form.html", form=form, case=case, checkin=None)


@bp.route("/checkins/<int:checkin_id>")
@roles(*ALL_ROLES)
def checkin_view(checkin_id: int) -> str:
    checkin = _checkin_or_404(checkin_id)
    _audit("checkin.viewed", "checkin", checkin.id)
    html = render_template(
        "cases/checkin_view.html",
        checkin=checkin,
        case=checkin.case,
        may_edit=volunteer_may_edit(checkin, now()),
        now=now(),
        form=ConfirmForm(),
    )
    db.session.commit()
    return html


@bp.route("/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@roles(*ALL_ROLES)
def checkin_edit(checkin_id: int) -> str | Response:
    checkin = _checkin_or_404(checkin_id)
    me = _me()
    correcting = me.role != Role.VOLUNTEER
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
        _audit("checkin.viewed", "checkin", checkin.id)
        db.session.commit()
    submitting = correcting or checkin.status == CheckInStatus.SUBMITTED
    submitting = submitting or request.form.get("action") == "submit"
    data = _validated(form, submitting) if request.method == "POST" else None
    if data is not None:
        if correcting:
            changed = correct_checkin(db.session, now(), checkin, data)
            if changed:
                _audit("checkin.corrected", "checkin", checkin.id, "fields: " + ", ".join(changed))
            db.session.commit()
            flash("Correction saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("cases.case_detail", case_id=checkin.case_id))
        was_draft = checkin.status == CheckInStatus.DRAFT
        changed = update_checkin(db.session, now(), checkin, data, submit=submitting)
        _audit("checkin.updated", "checkin", checkin.id, "fields: " + ", ".join(changed))
        if was_draft and submitting:
            _audit("checkin.submitted", "checkin", checkin.id)
        db.session.commit()
        if was_draft and not submitting:
            flash("Draft saved.", "success")
            return redirect(url_for("cases.my_drafts"))
        flash("Check-in submitted. Thank you." if was_draft else "Check-in saved.", "success")
        return redirect(url_for("cases.my_parents"))
    return render_template(
        "cases/checkin_form.html",
        form=form,
        case=checkin.case,
        checkin=checkin,
        correcting=correcting,
    )


@bp.route("/checkins/<int:checkin_id>/delete", methods=["POST"])
@roles("volunteer")
def checkin_delete(checkin_id: int) -> Response:
    _confirm_or_400()
    checkin = _checkin_or_404(checkin_id)
    if not volunteer_may_edit(checkin, now()):
        flash("This check-in can no longer be deleted. Ask your coordinator.", "error")
        return redirect(url_for("cases.checkin_view", checkin_id=checkin.id))
    was_draft = checkin.status == CheckInStatus.DRAFT
    delete_checkin(db.session, now(), checkin, _me())
    _audit("checkin.deleted", "checkin", checkin.id)
    db.session.commit()
    flash("Check-in deleted.", "success")
    return redirect(url_for("cases.my_drafts" if was_draft else "cases.my_parents"))


@bp.route("/checkins/<int:checkin_id>/restore", methods=["POST"])
@roles(*STAFF)
def checkin_restore(checkin_id: int) -> Response:
    _confirm_or_400()
    checkin = _checkin_or_404(checkin_id)
    try:
        restore_checkin(db.session, now(), checkin)
    except CaseError as error:
        flash(str(error), "error")
        return redirect(url_for("cases.case_detail", case_id=checkin.case_id))
    _audit("checkin.restored", "checkin", checkin.id)
    db.session.commit()
    flash("Check-in restored.", "success")
    return redirect(url_for("cases.case_detail", case_id=checkin.case_id, deleted=1))
