"""The admin's audit log: every event newest first, paginated and filterable."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request

from app.admin import bp, queries
from app.admin.forms import AuditFilterForm
from app.audit_labels import AUDIT_ACTION_LABELS, AUDIT_OBJECT_LABELS
from app.auth.access import roles
from app.cases.forms import opts
from app.extensions import db
from app.models import AuditEvent
from app.search_keys import parse_query
from app.timeutil import day_start
from app.web import list_args, page_arg

#: settings keys (``app.settings``) in words, with the page that edits them
SETTINGS_PAGES = {
    "matching": queries.AuditObject("Matching weights", "matching.settings"),
    "escalation": queries.AuditObject("Escalation thresholds", "escalation.settings"),
    "referrals": queries.AuditObject("Self-referral settings", "cases.referral_settings_page"),
}


def _by_words(labels: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(labels.items(), key=lambda item: (item[1].casefold(), item[0]))


#: the menus name every action and object Corner writes (``tests/admin/test_audit_words.py``
#: checks each written one has words), so they need no pass over the events
ACTION_CHOICES = opts([("", "Any action"), *_by_words(AUDIT_ACTION_LABELS)])
OBJECT_CHOICES = opts([("", "Any object"), *_by_words(AUDIT_OBJECT_LABELS)])


@bp.route("/audit")
@roles("admin")
def audit_log() -> str:
    form = AuditFilterForm(request.args)
    form.action.choices = ACTION_CHOICES
    form.object_type.choices = OBJECT_CHOICES
    valid = form.validate()  # before any query: it refuses ids no database column can hold
    chosen = form.actor.data if valid and form.actor.data else None
    form.actor.choices = opts([(0, "Anyone"), *queries.audit_people(db.session, chosen)])
    flt = queries.AuditFilter()
    if valid:
        flt = queries.AuditFilter(
            actor_id=form.actor.data or None,
            person=parse_query(form.person.data) if form.person.data else None,
            action=form.action.data or None,
            object_type=form.object_type.data or None,
            start=day_start(form.date_from.data) if form.date_from.data else None,
            end=day_start(form.date_to.data + timedelta(days=1)) if form.date_to.data else None,
        )
    events, page = queries.audit_events(db.session, flt, page_arg())
    objects, names = queries.audit_objects(db.session, events)
    return render_template(
        "admin/audit_log.html",
        form=form,
        events=events,
        objects={e.id: _object_of(e, objects) for e in events},
        details={e.id: queries.detail_words(e.detail, names) for e in events},
        page=page,
        args=list_args(),
    )


def _object_of(
    event: AuditEvent, objects: dict[tuple[str, str], queries.AuditObject]
) -> queries.AuditObject | None:
    """What the event acted on, in words; None when it acted on nothing in particular."""
    kind, key = event.object_type, event.object_id
    if not kind:
        return None
    if kind == "settings" and key in SETTINGS_PAGES:
        return SETTINGS_PAGES[key]
    found = objects.get((kind, key or ""))
    if found is not None:
        return found
    label = AUDIT_OBJECT_LABELS.get(kind, kind.replace("_", " ").capitalize())
    if kind in ("export", "demo", "settings") or not key:
        return queries.AuditObject(label)
    return queries.AuditObject(f"{label} (no longer in Corner)")
