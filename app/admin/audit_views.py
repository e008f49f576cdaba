"""The admin's audit log: every event newest first, paginated and filterable."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from app.admin import bp, queries
from app.admin.forms import AuditFilterForm
from app.auth.access import roles
from app.cases.forms import opts
from app.extensions import db
from app.timeutil import day_start
from app.web import PAGE_MAX, int_arg


@bp.route("/audit")
@roles("admin")
def audit_log() -> str:
    actions, types, users = queries.audit_choices(db.session)
    form = AuditFilterForm(request.args)
    form.actor.choices = opts(
        [(0, "Anyone")] + [(u.id, f"{u.full_name} ({u.email})") for u in users]
    )
    form.action.choices = opts([("", "Any action")] + [(a, a) for a in actions])
    form.object_type.choices = opts([("", "Any object")] + [(t, t) for t in types])
    flt = queries.AuditFilter()
    if form.validate():
        flt = queries.AuditFilter(
            actor_id=form.actor.data or None,
            action=form.action.data or None,
            object_type=form.object_type.data or None,
            start=day_start(form.date_from.data) if form.date_from.data else None,
            end=day_start(form.date_to.data + timedelta(days=1)) if form.date_to.data else None,
        )
    page = int_arg("page", 1, high=PAGE_MAX)
    events, total = queries.audit_events(db.session, flt, page)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/audit_log.html",
        form=form,
        events=events,
        total=total,
        page=page,
        pages=max(1, -(-total // queries.PAGE_SIZE)),
        args=args,
    )
