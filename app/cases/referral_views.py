"""Referrals and lists: the public self-referral, a coordinator's referral, waiting list, cases."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app import ratelimit
from app.auth.access import public, roles
from app.cases import bp, queries
from app.cases.duplicates import duplicates_of
from app.cases.forms import SELF_REFERRAL_CONSENT_SCOPE, ReferralForm, SelfReferralForm, opts
from app.cases.referral_settings import WINDOW_SECONDS, referral_settings
from app.cases.service import create_referral
from app.cases.view_helpers import STAFF, me, parent_data, today
from app.domain import Role, Stage
from app.extensions import db
from app.search_keys import parse_query
from app.web import audit, client_ip, list_args, now, page_arg

STATUS_FILTERS = [
    ("open", "Open"),
    ("referred", "New self-referrals"),
    ("waiting", "Waiting"),
    ("active", "Active"),
    ("closed", "Closed"),
    ("", "All"),
]


@bp.route("/refer", methods=["GET", "POST"])
@public
def self_referral() -> str | tuple[str, int] | Response:
    form = SelfReferralForm()
    areas = queries.areas_by_name(db.session)
    form.area.choices = opts([(0, "I'm not sure")] + [(a.id, a.name) for a in areas])
    show_area = len(areas) > 1
    if form.validate_on_submit():
        if form.website.data:
            # A bot filled the hidden field: look like success, store nothing.
            return redirect(url_for("cases.self_referral_done"))
        settings = referral_settings(db.session)
        if not _within_limits(form.email.data, settings):
            # The parent keeps what they typed, and is told how else to reach us.
            page = render_template(
                "cases/self_referral.html", form=form, show_area=show_area, limited=settings
            )
            return page, 429
        area_id = form.area.data or None
        if len(areas) == 1:
            area_id = areas[0].id
        elif area_id not in {a.id for a in areas}:
            area_id = None
        data = parent_data(form)
        data.referral_source = "self-referral"
        data.consent_on = today()
        data.consent_method = "online form"
        data.consent_scope = SELF_REFERRAL_CONSENT_SCOPE
        case = create_referral(db.session, now(), data, area_id=area_id, self_referral=True)
        audit("parent.created", "parent", case.parent_id)
        audit("referral.self", "case", case.id)
        db.session.commit()
        return redirect(url_for("cases.self_referral_done"))
    return render_template("cases/self_referral.html", form=form, show_area=show_area)


def _within_limits(email: str | None, settings: dict[str, Any]) -> bool:
    """Count this accepted referral against its address and its email address, if both are
    within the hour's limits (a form sent back with a mistake never gets here)."""
    limits = [(ratelimit.address_key("self_referral", client_ip()), int(settings["per_address"]))]
    if email:
        key = ratelimit.address_key("self_referral_email", email.strip().casefold())
        limits.append((key, int(settings["per_email"])))
    return ratelimit.take(db.engine, limits, now(), WINDOW_SECONDS)


@bp.route("/refer/thanks")
@public
def self_referral_done() -> str:
    return render_template("cases/self_referral_done.html")


@bp.route("/referrals/new", methods=["GET", "POST"])
@roles(*STAFF)
def referral_new() -> str | Response:
    form = ReferralForm()
    areas = queries.referral_areas(db.session, me())
    form.area.choices = opts([(a.id, a.name) for a in areas] or [(0, "No area")])
    coordinators = queries.active_coordinators(db.session)
    form.owner.choices = opts([(0, "Nobody yet")] + [(c.id, c.full_name) for c in coordinators])
    if request.method == "GET":
        form.owner.data = me().id if me().role == Role.COORDINATOR else 0
        form.consent_on.data = today()
    if form.validate_on_submit():
        area_id = form.area.data if any(a.id == form.area.data for a in areas) else None
        if len(areas) == 1:
            area_id = areas[0].id
        case = create_referral(
            db.session,
            now(),
            parent_data(form),
            area_id=area_id,
            owner_id=form.owner.data or None,
            high_risk=bool(form.high_risk.data),
        )
        audit("parent.created", "parent", case.parent_id)
        audit("case.created", "case", case.id)
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
    rows, page = queries.waiting_list(db.session, me(), today(), stage, page_arg())
    return render_template(
        "cases/waiting_list.html",
        rows=rows,
        page=page,
        args=list_args(),
        now=now(),
        stage=stage,
        stages=list(Stage),
        show_area=queries.area_count(db.session) > 1,
    )


@bp.route("/cases")
@roles(*STAFF)
def case_list() -> str:
    terms = parse_query(request.args.get("q"))
    # A search looks at every case unless a status is asked for: a parent calling back may
    # have a closed case.
    status = request.args.get("status", "" if terms.text else "open")
    if status not in dict(STATUS_FILTERS):
        status = "open"
    rows, page = queries.case_list(db.session, me(), today(), status or None, page_arg(), terms)
    return render_template(
        "cases/case_list.html",
        rows=rows,
        page=page,
        args={"status": status, "q": terms.text or None},
        status=status,
        q=terms.text,
        filters=STATUS_FILTERS,
        show_area=queries.area_count(db.session) > 1,
        now=now(),
    )
