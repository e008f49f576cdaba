"""Accounts: list, invite, deactivate, reactivate, new invitation link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from app.admin import bp, queries
from app.auth.access import roles
from app.auth.forms import ConfirmForm, InviteForm
from app.auth.service import AccountError, create_user, deactivate, invite_by_email, reactivate
from app.auth.two_factor_service import turn_off
from app.cases.queries import areas_by_name
from app.extensions import db
from app.models import User
from app.search_keys import parse_query
from app.web import audit, list_args, now, page_arg


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@roles("admin")
def users() -> str:
    terms = parse_query(request.args.get("q"))
    people, page = queries.users_by_role_and_name(db.session, terms, page_arg())
    return render_template(
        "admin/users.html",
        people=people,
        page=page,
        args=list_args(),
        q=terms.text,
        form=ConfirmForm(),
    )


@bp.route("/users/invite", methods=["GET", "POST"])
@roles("admin")
def invite() -> str | Response:
    form = InviteForm()
    areas = areas_by_name(db.session)
    form.area.choices = [SelectChoice("0", "No area")] + [
        SelectChoice(str(a.id), a.name) for a in areas
    ]
    if form.validate_on_submit():
        area = next((a for a in areas if a.id == form.area.data), None)
        try:
            user = create_user(
                db.session,
                now(),
                email=form.email.data or "",
                role=form.role.data or "",
                first_name=form.first_name.data or "",
                last_name=form.last_name.data or "",
                areas=[area] if area else [],
            )
        except AccountError as error:
            form.email.errors.append(str(error))
            return render_template("admin/invite.html", form=form)
        link = invite_by_email(db.session, now(), user, created_by=current_user)
        audit("user.invited", "user", user.id)
        db.session.commit()
        return render_template("admin/invited.html", user=user, link=link)
    return render_template("admin/invite.html", form=form)


@bp.route("/users/<int:user_id>/invitation", methods=["POST"])
@roles("admin")
def reinvite(user_id: int) -> str | Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    if not user.active:
        flash(f"{user.full_name} is deactivated. Reactivate them first.", "error")
        return redirect(url_for("admin.users"))
    link = invite_by_email(db.session, now(), user, created_by=current_user)
    audit("user.reinvited", "user", user.id)
    db.session.commit()
    return render_template("admin/invited.html", user=user, link=link, again=True)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles("admin")
def deactivate_user(user_id: int) -> str | Response:
    """GET asks "Deactivate …?"; only the POST of that page (``confirmed``) deactivates."""
    form = ConfirmForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.users"))
    if not user.active:
        flash(f"{user.full_name} is already deactivated.", "success")
        return redirect(url_for("admin.users"))
    if request.method == "GET":
        return render_template("admin/deactivate.html", person=user, form=form)
    if request.form.get("confirmed") != "yes":  # a button without the question
        return redirect(url_for("admin.deactivate_user", user_id=user.id))
    deactivate(user)
    audit("user.deactivated", "user", user.id)
    db.session.commit()
    flash(f"{user.full_name} can no longer log in and has been logged out everywhere.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@roles("admin")
def reactivate_user(user_id: int) -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    reactivate(user)
    audit("user.reactivated", "user", user.id)
    db.session.commit()
    flash(f"{user.full_name} can log in again.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/two-factor/reset", methods=["POST"])
@roles("admin")
def reset_two_factor(user_id: int) -> Response:
    """A lost phone: two-factor sign-in off and the recovery codes gone; the person sets it
    up again after their password (at once, when the setting requires it)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = _user_or_404(user_id)
    if not user.two_factor_on:
        flash(f"{user.full_name} does not use two-factor sign-in.", "success")
        return redirect(url_for("admin.users"))
    turn_off(db.session, user)
    audit("two_factor.reset", "user", user.id)
    db.session.commit()
    flash(
        f"Two-factor sign-in is reset for {user.full_name}: they sign in with their password "
        "and set it up again on their new phone.",
        "success",
    )
    return redirect(url_for("admin.users"))


@bp.route("/settings")
@roles("admin")
def settings() -> str:
    return render_template("admin/settings.html")
