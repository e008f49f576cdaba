"""Login, logout, invitation acceptance, password change."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from app import ratelimit
from app.auth import bp, login_limits
from app.auth.access import public, roles
from app.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from app.auth.passwords import verify_password
from app.auth.queries import user_with_session_token
from app.auth.reset import (
    RESET_WINDOW_SECONDS,
    active_user_for,
    check_reset,
    request_password_reset,
    reset_limits,
    reset_password,
)
from app.auth.service import (
    accept_invitation,
    authenticate,
    check_invitation,
    find_user_by_email,
    log_out_everywhere,
    normalise_email,
    set_password,
)
from app.auth.two_factor_service import is_staff
from app.auth.two_factor_views import sign_in, start_second_step
from app.domain import Role
from app.extensions import db, limiter
from app.models import User
from app.web import audit, client_ip, now, safe_next

ALL_ROLES = tuple(r.value for r in Role)
LOGIN_FAILED = "The email address or password is not right. Check them and try again."


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | tuple[str, int] | Response:
    """Limited in the database (``app.auth.login_limits``): the same for every worker."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = normalise_email(form.email.data or "")
        attempt = login_limits.begin(db.engine, "login", email, client_ip(), now())
        if attempt is None:
            form.password.errors.append(login_limits.TOO_MANY)
            return render_template("auth/login.html", form=form), 429
        user = authenticate(db.session, email, form.password.data or "", now())
        if user is None:
            login_limits.failed(db.engine, attempt, now())
            known = find_user_by_email(db.session, email)  # the account, never the password
            audit("login.failed", "user" if known else None, known.id if known else None)
            db.session.commit()
            form.password.errors.append(LOGIN_FAILED)
            return render_template("auth/login.html", form=form), 200
        login_limits.succeeded(db.engine, attempt)
        next_url = safe_next(form.next.data, url_for("main.home"))
        if is_staff(user) and user.two_factor_on:
            db.session.commit()  # a rehashed password is kept; nobody is logged in yet
            return start_second_step(user, next_url)
        return sign_in(user, next_url)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@roles(*ALL_ROLES)
def logout() -> Response:
    user = current_user._get_current_object()
    log_out_everywhere(user)
    audit("logout", actor_id=user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have logged out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept(token: str) -> str | tuple[str, int] | Response:
    check = check_invitation(db.session, token, now())
    if check.invitation is None:
        return render_template("auth/invitation_invalid.html", problem=check.problem), 410
    form = SetPasswordForm(person=check.invitation.user)
    if form.validate_on_submit():
        user = accept_invitation(db.session, check.invitation, form.password.data or "", now())
        audit("invitation.accepted", actor_id=user.id)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash("Your password is set. Log in with your email address and new password.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=check.invitation.user)


@bp.route("/account/password", methods=["GET", "POST"])
@roles(*ALL_ROLES)
def change_password() -> str | tuple[str, int] | Response:
    """A wrong current password counts as a wrong sign-in to the account (no guessing)."""
    user = current_user._get_current_object()
    form = ChangePasswordForm(person=user)
    if form.validate_on_submit():
        attempt = login_limits.begin(db.engine, "login", user.email, client_ip(), now())
        if attempt is None:
            form.current.errors.append(login_limits.TOO_MANY)
            return render_template("auth/change_password.html", form=form), 429
        if not verify_password(user.password_hash, form.current.data or ""):
            login_limits.failed(db.engine, attempt, now())
            form.current.errors.append("Your current password is not right.")
            return render_template("auth/change_password.html", form=form)
        login_limits.succeeded(db.engine, attempt)
        set_password(user, form.password.data or "")
        audit("password.changed", actor_id=user.id)
        db.session.commit()
        session.clear()
        login_user(user)  # this browser stays logged in with the new token; others are out
        flash("Your password has been changed. Other devices have been logged out.", "success")
        return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@public
def forgot_password() -> str | Response:
    """Known or not, within the limits or not: the same page, so it tells nobody who has an
    account (only a known, active address within the limits gets the email)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        user = active_user_for(db.session, email)
        if not ratelimit.take(
            db.engine, reset_limits(email, user, client_ip()), now(), RESET_WINDOW_SECONDS
        ):
            user = None
        request_password_reset(db.session, now(), user)
        # recorded either way (no address kept), so both answers write and commit alike
        audit("password.reset_requested", "user" if user else None, user.id if user else None)
        db.session.commit()
        return render_template("auth/forgot_password_sent.html", email=email)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password_page(token: str) -> str | tuple[str, int] | Response:
    check = check_reset(db.session, token, now())
    if check.reset is None:
        return render_template("auth/reset_invalid.html", problem=check.problem), 410
    form = SetPasswordForm(person=check.reset.user)
    if form.validate_on_submit():
        user = reset_password(db.session, check.reset, form.password.data or "", now())
        audit("password.reset", "user", user.id, actor_id=user.id)
        db.session.commit()
        if current_user.is_authenticated:
            logout_user()
        session.clear()
        flash(
            "Your password has been changed and you have been logged out everywhere. "
            "Log in with your new password.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


def load_user(token: str) -> User | None:
    """Flask-Login's loader: the active user whose current session token this is."""
    if not token:
        return None
    user = user_with_session_token(db.session, token)
    if user is None or not user.active:
        return None
    return user
