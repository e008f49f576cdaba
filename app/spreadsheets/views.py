"""The admin's spreadsheet page: upload (the same all-or-nothing import as `flask import DIR`)
and download everything as a zip of the same files (as `flask export DIR`)."""

from __future__ import annotations

import io
import zipfile

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.extensions import db
from app.forms import CornerForm
from app.spreadsheets.columns import FILES, FileSpec, Kind
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from app.timeutil import local_date, zone
from app.web import audit, client_ip, now

bp = Blueprint("spreadsheets", __name__)


class ImportForm(CornerForm):
    volunteers = FileField("Volunteers", description="volunteers.csv")
    parents = FileField("Parents", description="parents.csv")
    assignments = FileField("Assignments", description="assignments.csv")
    checkins = FileField("Check-ins", description="checkins.csv")

    def chosen(self) -> dict[str, bytes]:
        """The uploaded files by their spreadsheet file name (only those given)."""
        files: dict[str, bytes] = {}
        for spec in FILES:
            upload = getattr(self, _field_name(spec)).data
            filename: str | None = getattr(upload, "filename", None)
            if upload is not None and filename:
                files[spec.name] = upload.read()
        return files


def _field_name(spec: FileSpec) -> str:
    return spec.name.removesuffix(".csv")


KIND_HELP = {
    Kind.TEXT: "text",
    Kind.EMAIL: "an email address",
    Kind.POSTCODE: "a postcode",
    Kind.DATE: "a date, YYYY-MM-DD or DD/MM/YYYY",
    Kind.INSTANT: "a date and time",
    Kind.BOOL: "yes or no",
    Kind.INT: "a whole number",
    Kind.FLOAT: "a number",
    Kind.CHOICE: "one word",
    Kind.LIST: "a list separated by ;",
    Kind.LANGUAGES: "a list of languages separated by ;",
    Kind.EQUALITY: "one answer, optional",
}


def _render(form: ImportForm, status: int = 200, **context: object) -> tuple[str, int]:
    fields = [(spec, getattr(form, _field_name(spec))) for spec in FILES]
    html = render_template(
        "spreadsheets/import.html",
        form=form,
        fields=fields,
        kind_help=KIND_HELP,
        export_form=ConfirmForm(formdata=None),
        **context,
    )
    return html, status


@bp.route("/admin/import", methods=["GET", "POST"])
@roles("admin")
def import_upload() -> str | Response | tuple[str, int]:
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form, 400 if form.is_submitted() else 200)
    files = form.chosen()
    if not files:
        form.volunteers.errors = ["Choose at least one file to import."]
        return _render(form, 400)
    try:
        result = import_spreadsheets(
            db.session,
            now(),
            files,
            actor_id=current_user.id,
            ip=client_ip(),
        )
        if result.ok:
            db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        # The class only: the error's text can hold the rows' values (personal data).
        reason = type(getattr(error, "orig", None) or error).__name__
        current_app.logger.warning("spreadsheet import refused by the database (%s)", reason)
        flash(
            "The database refused the import, so nothing was imported. "
            "Try again; if it happens again, use `flask import` to see the reason.",
            "error",
        )
        return redirect(url_for("spreadsheets.import_upload"))
    if not result.ok:
        db.session.rollback()
        return _render(
            ImportForm(formdata=None),
            422,
            problems=result.problems,
            more=result.more,
            uploaded=list(files),
        )
    flash(f"Imported {result.counts.summary()}.", "success")
    return redirect(url_for("spreadsheets.import_upload"))


@bp.route("/admin/export", methods=["POST"])
@roles("admin")
def export_download() -> Response:
    """All volunteers, parents, assignments and check-ins as a zip of the four CSV files."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = export_spreadsheets(db.session)
    at = now()
    stamp = at.astimezone(zone()).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in result.files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), data)
    audit("spreadsheets.exported", "export", detail=result.summary())
    db.session.commit()
    buffer.seek(0)
    response = send_file(
        buffer,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"corner-export-{local_date(at).isoformat()}.zip",
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: never kept in a cache
    return response
