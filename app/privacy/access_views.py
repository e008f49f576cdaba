"""Pages of a parent's rights: the subject access download on the case page, and the
privacy notice (public) with its admin edit page. Blueprint ``rights``."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import public, roles
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.privacy import package
from app.privacy.access import SUBJECT_ACCESS
from app.privacy.notice import notice_blocks, notice_source, save_notice
from app.privacy.notice_form import NoticeForm
from app.scope import case_for
from app.web import audit, client_ip, now

bp = Blueprint("rights", __name__)


@bp.route("/cases/<int:case_id>/subject-access", methods=["POST"])
@roles("coordinator", "admin")
def subject_access(case_id: int) -> Response:
    """Everything held about the case's parent, as a zip (a POST: the download is audited)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    case = case_for(db.session, current_user._get_current_object(), case_id)
    if case is None:
        abort(404)
    audit(SUBJECT_ACCESS, "parent", case.parent_id, detail="from the case page")
    name, content = package.build(db.session, case.parent_id, now())
    db.session.commit()
    return send_file(
        io.BytesIO(content), mimetype="application/zip", as_attachment=True, download_name=name
    )


@bp.route("/privacy")
@public
def notice() -> str:
    return render_template("privacy/notice.html", blocks=notice_blocks(db.session))


@bp.route("/admin/settings/privacy-notice", methods=["GET", "POST"])
@roles("admin")
def notice_edit() -> str | Response:
    form = NoticeForm(data={"text": notice_source(db.session)} if request.method == "GET" else None)
    if form.validate_on_submit():
        text = (form.text.data or "").replace("\r\n", "\n")
        changed = save_notice(db.session, now(), text, current_user.id, client_ip())
        db.session.commit()
        flash("Privacy notice saved." if changed else "Nothing was changed.", "success")
        return redirect(url_for("rights.notice_edit"))
    return render_template("privacy/notice_edit.html", form=form)
