"""Areas (name, duty email, duty phone) and safeguarding leads: admin pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.admin import bp
from app.admin.forms import AreaForm
from app.admin.service import AreaData, AreaError, create_area, set_safeguarding_lead, update_area
from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.cases.queries import areas_by_name
from app.extensions import db
from app.models import Area, User
from app.web import audit, now


def _data(form: AreaForm) -> AreaData:
    return AreaData(
        name=form.name.data or "",
        duty_email=form.duty_email.data or None,
        duty_phone=form.duty_phone.data or None,
    )


@bp.route("/areas")
@roles("admin")
def areas() -> str:
    return render_template("admin/areas.html", areas=areas_by_name(db.session))


@bp.route("/areas/new", methods=["GET", "POST"])
@roles("admin")
def area_new() -> str | Response | tuple[str, int]:
    form = AreaForm()
    if form.validate_on_submit():
        try:
            area = create_area(db.session, now(), _data(form))
        except AreaError as error:
            form.name.errors = [*form.name.errors, str(error)]
            return render_template("admin/area_form.html", form=form, area=None), 400
        audit("area.created", "area", area.id)
        db.session.commit()
        flash(f"Area {area.name} added.", "success")
        return redirect(url_for("admin.areas"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/area_form.html", form=form, area=None), status


@bp.route("/areas/<int:area_id>", methods=["GET", "POST"])
@roles("admin")
def area_edit(area_id: int) -> str | Response | tuple[str, int]:
    area = db.session.get(Area, area_id)
    if area is None:
        abort(404)
    form = AreaForm(obj=area) if request.method == "GET" else AreaForm()
    if form.validate_on_submit():
        try:
            changed = update_area(db.session, area, _data(form))
        except AreaError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
            return render_template("admin/area_form.html", form=form, area=area), 400
        if changed:
            audit("area.updated", "area", area.id, detail="fields: " + ", ".join(changed))
        db.session.commit()
        flash(f"Area {area.name} saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("admin.areas"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/area_form.html", form=form, area=area), status


@bp.route("/users/<int:user_id>/safeguarding-lead", methods=["POST"])
@roles("admin")
def safeguarding_lead(user_id: int) -> Response:
    """Mark or unmark a coordinator or admin as a safeguarding lead (chased about urgent
    flags nobody acknowledged in time)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    lead = request.form.get("lead") == "yes"
    if set_safeguarding_lead(db.session, user, lead):
        action = "user.safeguarding_lead_set" if lead else "user.safeguarding_lead_cleared"
        audit(action, "user", user.id)
    db.session.commit()
    flash(f"{user.full_name} is {'now' if lead else 'no longer'} a safeguarding lead.", "success")
    return redirect(url_for("admin.users"))
