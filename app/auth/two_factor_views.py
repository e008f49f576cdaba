"""Two-factor sign-in pages: the code asked after the password, setting it up (QR code and
recovery codes), turning it off, and the admin's sign-in setting.

Between the password and the code the session holds only ``PENDING`` (whose account, until
when); nobody is logged in, so every other page still sends the visitor to the login page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from app.auth import bp, login_limits, two_factor
from app.auth.access import MUST_ENROL, public, roles
from app.auth.forms import CodeForm, SignInSettingsForm
from app.auth.two_factor_service import (
    DEFAULTS,
    SETTINGS_KEY,
    STAFF_ROLES,
    check_code,
    enrol,
    is_staff,
    must_enrol,
    recovery_codes_left,
    turn_off,
    two_factor_required,
)
from app.extensions import db
from app.models import User
from app.settings import get_settings, save_settings
from app.web import audit, client_ip, now

PENDING = "two_factor_pending"
NEW_SECRET = "two_factor_new_secret"  # noqa: S105 (the name of a session key)
#: how long the code may take after the password
PENDING_LIFETIME = timedelta(minutes=5)
WRONG_CODE = (
    "That code is not right, or it has been used already. Type the 6 digits your app shows "
    "now, or one of your recovery codes."
)


def start_second_step(user: User, next_url: str) -> Response:
    """The password was right and the account uses two-factor sign-in: ask for the code."""
    session.clear()
    until = now() + PENDING_LIFETIME
    session[PENDING] = {
        "user": user.id,
        "token": user.session_token,  # a password change or reset in between ends it
        "until": until.timestamp(),
        "next": next_url,
    }
    return redirect(url_for("auth.two_factor_code"))


def sign_in(user: User, next_url: str) -> Response:
    """Log ``user`` in (a fresh session), or send staff who must set up two-factor sign-in
    to do so first. Commits."""
    session.clear()  # nothing carries over, the half-signed-in state included
    login_user(user)
    audit("login.success", actor_id=user.id)
    if must_enrol(db.session, user):
        session[MUST_ENROL] = True
        next_url = url_for("auth.two_factor_setup")
    db.session.commit()
    return redirect(next_url)


def _pending() -> tuple[User, str] | None:
    pending: Any = session.get(PENDING)
    if not isinstance(pending, dict) or float(pending.get("until", 0)) < now().timestamp():
        return None
    user = db.session.get(User, int(pending.get("user", 0)))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    if not user.two_factor_on:
        return None
    return user, str(pending.get("next") or url_for("main.home"))


@bp.route("/login/code", methods=["GET", "POST"])
@public
def two_factor_code() -> str | tuple[str, int] | Response:
    pending = _pending()
    if pending is None:
        session.pop(PENDING, None)
        return render_template("auth/two_factor_code.html", form=None)
    user, next_url = pending
    form = CodeForm()
    if form.validate_on_submit():
        typed = form.code.data or ""
        attempt = login_limits.begin(db.engine, "two_factor", str(user.id), client_ip(), now())
        if attempt is None:
            form.code.errors.append(login_limits.TOO_MANY)
            return render_template("auth/two_factor_code.html", form=form), 429
        # (the limits are counted after the commit: on SQLite the code's use holds the
        # write lock until then)
        if not check_code(db.session, user, typed, now()):
            audit("login.code_failed", "user", user.id)
            db.session.commit()
            login_limits.failed(db.engine, attempt, now())
            form.code.errors.append(WRONG_CODE)
            return render_template("auth/two_factor_code.html", form=form)
        messages = []
        if not two_factor.looks_like_totp(typed):
            audit("login.recovery_code_used", "user", user.id, actor_id=user.id)
            left = recovery_codes_left(db.session, user)
            messages.append(
                f"You used a recovery code; {left} left. If your phone is lost, turn "
                "two-factor sign-in off and on again to get new codes."
            )
        response = sign_in(user, next_url)
        login_limits.succeeded(db.engine, attempt)
        for message in messages:  # after sign_in's fresh session
            flash(message, "success")
        return response
    return render_template("auth/two_factor_code.html", form=form)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@roles(*STAFF_ROLES)
def two_factor_setup() -> str | Response:
    """Off: a new secret (kept in the session until confirmed) as a QR code and as text, and
    a code to confirm it. On: since when, the recovery codes left, and the way to turn it off."""
    user = current_user._get_current_object()
    required = two_factor_required(db.session)
    if user.two_factor_on:
        return render_template(
            "auth/two_factor.html",
            form=CodeForm(),
            left=recovery_codes_left(db.session, user),
            required=required,
        )
    secret = session.get(NEW_SECRET) or two_factor.new_secret()
    session[NEW_SECRET] = secret
    form = CodeForm()
    if form.validate_on_submit():
        step = two_factor.matching_step(secret, form.code.data or "", now(), None)
        if step is None:
            form.code.errors.append("That code is not right. Type the 6 digits your app shows now.")
        else:
            codes = enrol(db.session, user, secret, step, now())
            audit("two_factor.enabled", "user", user.id)
            db.session.commit()
            session.pop(NEW_SECRET, None)
            session.pop(MUST_ENROL, None)
            return render_template("auth/two_factor_codes.html", codes=codes)
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template(
        "auth/two_factor.html",
        form=form,
        qr=two_factor.qr_svg(uri),
        secret=two_factor.grouped_secret(secret),
        required=required,
    )


@bp.route("/account/two-factor/off", methods=["POST"])
@roles(*STAFF_ROLES)
def two_factor_off() -> str | tuple[str, int] | Response:
    """Only while the setting does not require it, and with a current code."""
    user = current_user._get_current_object()
    if not user.two_factor_on:
        return redirect(url_for("auth.two_factor_setup"))
    required = two_factor_required(db.session)
    form = CodeForm()
    page: dict[str, Any] = {"form": form, "required": required}
    if required:
        flash("Two-factor sign-in is required for your role: it cannot be turned off.", "error")
        return redirect(url_for("auth.two_factor_setup"))
    if form.validate_on_submit():
        attempt = login_limits.begin(db.engine, "two_factor", str(user.id), client_ip(), now())
        if attempt is None:
            form.code.errors.append(login_limits.TOO_MANY)
            page["left"] = recovery_codes_left(db.session, user)
            return render_template("auth/two_factor.html", **page), 429
        if check_code(db.session, user, form.code.data or "", now()):
            turn_off(db.session, user)
            audit("two_factor.disabled", "user", user.id)
            db.session.commit()
            login_limits.succeeded(db.engine, attempt)  # after the commit, as above
            flash("Two-factor sign-in is off. Your recovery codes no longer work.", "success")
            return redirect(url_for("auth.two_factor_setup"))
        db.session.commit()
        login_limits.failed(db.engine, attempt, now())
        form.code.errors.append(WRONG_CODE)
    page["left"] = recovery_codes_left(db.session, user)
    return render_template("auth/two_factor.html", **page)


@bp.route("/admin/settings/sign-in", methods=["GET", "POST"])
@roles("admin")
def sign_in_settings() -> str | Response:
    current = get_settings(db.session, SETTINGS_KEY, DEFAULTS)
    form = SignInSettingsForm(data=current if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {"require_two_factor": bool(form.require_two_factor.data)}
        save_settings(db.session, now(), SETTINGS_KEY, values, current_user.id, client_ip())
        db.session.commit()
        flash("Sign-in settings saved.", "success")
        return redirect(url_for("auth.sign_in_settings"))
    return render_template("auth/sign_in_settings.html", form=form, is_staff=is_staff)
