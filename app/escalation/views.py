"""Escalation pages: the coordinators' inbox and flag page, the admin outbox and thresholds."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.domain import (
    EMAIL_STATUS_LABELS,
    MAYBE_DELIVERED,
    RULE_LABELS,
    SEVERITY_LABELS,
    EmailStatus,
)
from app.email import retry_email
from app.escalation import bp
from app.escalation.forms import ResolveForm, thresholds_form
from app.escalation.inbox_filters import STATUS_CHOICES, parse_inbox_args
from app.escalation.queries import (
    case_flags,
    chase_steps,
    flag_for,
    inbox_areas,
    inbox_page,
    outbox_counts,
    outbox_emails,
    outbox_maybe_delivered_count,
    users_by_id,
)
from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, SETTINGS_KEY, THRESHOLD_FIELDS
from app.escalation.scan import save_thresholds, thresholds_saved_message
from app.escalation.service import FlagError, acknowledge, resolve
from app.extensions import db
from app.models import EscalationFlag, OutboxEmail
from app.settings import get_settings
from app.timeutil import local_date
from app.web import audit, client_ip, list_args, now, page_arg


@bp.route("/flags")
@roles("coordinator", "admin")
def inbox() -> str:
    """The flag inbox: one row per case; filters in the query string (see inbox_filters)."""
    moment = now()
    areas = inbox_areas(db.session, current_user)
    parsed = parse_inbox_args(request.args, {area.id for area in areas})
    result = inbox_page(db.session, current_user, parsed.filters)
    return render_template(
        "escalation/inbox.html",
        result=result,
        filters=parsed.filters,
        messages=parsed.messages,
        areas=areas if len(areas) > 1 else [],
        severities=SEVERITY_LABELS,
        rules=sorted(RULE_LABELS.items(), key=lambda item: item[1]),
        statuses=STATUS_CHOICES,
        today=local_date(moment),
        now=moment,
    )


def _flag_or_404(flag_id: int) -> EscalationFlag:
    flag = flag_for(db.session, current_user, flag_id)
    if flag is None:
        abort(404)
    return flag


def _render_flag(flag: EscalationFlag, form: ResolveForm, status: int = 200) -> tuple[str, int]:
    moment = now()
    case = flag.case
    history = [other for other in case_flags(db.session, case.id) if other.id != flag.id]
    users = users_by_id(
        db.session,
        [uid for f in [flag, *history] for uid in (f.acknowledged_by_id, f.resolved_by_id)],
    )
    html = render_template(
        "escalation/flag.html",
        flag=flag,
        case=case,
        stage=case.parent.stage(local_date(moment)),
        history=history,
        chases=chase_steps(db.session, flag.id),
        users=users,
        form=form,
        confirm=ConfirmForm(),
        now=moment,
    )
    return html, status


@bp.route("/flags/<int:flag_id>")
@roles("coordinator", "admin")
def flag_detail(flag_id: int) -> tuple[str, int]:
    return _render_flag(_flag_or_404(flag_id), ResolveForm())


@bp.route("/flags/<int:flag_id>/acknowledge", methods=["POST"])
@roles("coordinator", "admin")
def acknowledge_flag(flag_id: int) -> Response:
    flag = _flag_or_404(flag_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    acknowledge(db.session, now(), flag, current_user)
    audit("flag.acknowledged", "flag", flag.id)
    db.session.commit()
    flash("Flag acknowledged. Resolve it when it has been dealt with.", "success")
    return redirect(url_for("escalation.flag_detail", flag_id=flag.id))


@bp.route("/flags/<int:flag_id>/resolve", methods=["POST"])
@roles("coordinator", "admin")
def resolve_flag(flag_id: int) -> Response | tuple[str, int]:
    flag = _flag_or_404(flag_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return _render_flag(flag, form, 400)
    try:
        resolve(
            db.session,
            now(),
            flag,
            current_user,
            outcome=form.outcome.data or "",
            note=form.note.data or "",
        )
    except FlagError as error:
        form.outcome.errors = [*form.outcome.errors, str(error)]
        return _render_flag(flag, form, 409)
    audit("flag.resolved", "flag", flag.id)
    db.session.commit()
    flash(f"Flag for case {flag.case.reference} resolved.", "success")
    return redirect(url_for("escalation.inbox"))


# --------------------------------------------------------------------------- admin


OUTBOX_FILTERS = {
    "all": None,
    "failed": EmailStatus.FAILED,
    "queued": EmailStatus.QUEUED,
    "sent": EmailStatus.SENT,
}


@bp.route("/admin/emails")
@roles("admin")
def outbox() -> str:
    show = request.args.get("show", "all")
    if show not in OUTBOX_FILTERS and show != "maybe":
        show = "all"
    emails, page = outbox_emails(
        db.session, OUTBOX_FILTERS.get(show), maybe_delivered=show == "maybe", page=page_arg()
    )
    return render_template(
        "escalation/outbox.html",
        emails=emails,
        page=page,
        args=list_args(),
        counts=outbox_counts(db.session),
        maybe_delivered=outbox_maybe_delivered_count(db.session),
        labels=EMAIL_STATUS_LABELS,
        maybe_label=MAYBE_DELIVERED,
        show=show,
        form=ConfirmForm(),
        now=now(),
    )


@bp.route("/admin/emails/<int:email_id>")
@roles("admin")
def email_detail(email_id: int) -> str:
    """One email as it was sent: its text (bodies hold no personal data by design)."""
    email = db.session.get(OutboxEmail, email_id)
    if email is None:
        abort(404)
    return render_template(
        "escalation/email.html",
        email=email,
        labels=EMAIL_STATUS_LABELS,
        maybe_label=MAYBE_DELIVERED,
        form=ConfirmForm(),
    )


@bp.route("/admin/emails/<int:email_id>/retry", methods=["POST"])
@roles("admin")
def retry(email_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    email = db.session.get(OutboxEmail, email_id)
    if email is None:
        abort(404)
    if not retry_email(db.session, now(), email):
        flash("That email is being sent or was already sent, so nothing changed.", "error")
        return redirect(url_for("escalation.outbox"))
    audit("email.retried", "email", email.id)
    db.session.commit()
    flash("The email will be tried again within a minute.", "success")
    return redirect(url_for("escalation.outbox", show="failed"))


@bp.route("/admin/settings/escalation", methods=["GET", "POST"])
@roles("admin")
def settings() -> str | Response | tuple[str, int]:
    current = get_settings(db.session, SETTINGS_KEY, DEFAULT_THRESHOLDS)
    form = thresholds_form(current, request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            values = {name: int(getattr(form, name).data) for name in THRESHOLD_FIELDS}
            result = save_thresholds(db.session, now(), values, current_user.id, client_ip())
            db.session.commit()
            flash(thresholds_saved_message(result), "success")
            return redirect(url_for("escalation.settings"))
        return render_template(
            "escalation/settings.html",
            form=form,
            fields=THRESHOLD_FIELDS,
            defaults=DEFAULT_THRESHOLDS,
        ), 400
    return render_template(
        "escalation/settings.html", form=form, fields=THRESHOLD_FIELDS, defaults=DEFAULT_THRESHOLDS
    )
