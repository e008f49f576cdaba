"""What the case views share: the signed-in user, today, a case or check-in or 404, form data."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort
from flask_login import current_user

from app.auth.forms import ConfirmForm
from app.cases import queries
from app.cases.service import ParentData
from app.equality import FIELD_NAMES
from app.extensions import db
from app.language_fields import picked_languages
from app.models import Case, CheckIn, User
from app.scope import case_for
from app.timeutil import local_date
from app.web import now

STAFF = ("coordinator", "admin")
ALL_ROLES = ("coordinator", "admin", "volunteer")


def me() -> User:
    """The signed-in user (the real object, not Flask-Login's proxy)."""
    user: User = current_user._get_current_object()
    return user


def today() -> date:
    """This request's date in the service time zone."""
    return local_date(now())


def case_or_404(case_id: int) -> Case:
    """The case if the signed-in user may see it; 404 otherwise (never 403: no hint it exists)."""
    case = case_for(db.session, me(), case_id)
    if case is None:
        abort(404)
    return case


def checkin_or_404(checkin_id: int) -> CheckIn:
    """The check-in if the signed-in user may see it; 404 otherwise."""
    checkin = queries.checkin_for(db.session, me(), checkin_id)
    if checkin is None:
        abort(404)
    return checkin


def confirm_or_400() -> None:
    """A POST button's CSRF token must be valid."""
    if not ConfirmForm().validate_on_submit():
        abort(400)


def parent_data(form: Any) -> ParentData:
    """What a referral, self-referral or parent edit form says about the parent."""
    return ParentData(
        first_name=form.first_name.data or "",
        last_name=form.last_name.data or "",
        email=form.email.data or None,
        phone=form.phone.data or None,
        postcode=form.postcode.data or None,
        languages=picked_languages(form),
        due_date=form.due_date.data,
        birth_date=form.birth_date.data,
        tags=list(form.tags.data or []),
        contact_mode=form.contact_mode.data or None,
        availability=list((getattr(form, "availability", None) and form.availability.data) or []),
        referral_source=getattr(form, "referral_source", None) and form.referral_source.data,
        consent_on=getattr(form, "consent_on", None) and form.consent_on.data,
        consent_method=getattr(form, "consent_method", None) and form.consent_method.data,
        consent_scope=getattr(form, "consent_scope", None) and form.consent_scope.data,
        **{name: getattr(form, name).data or None for name in FIELD_NAMES},
    )
