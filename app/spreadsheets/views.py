"""The admin's spreadsheet page: upload (the same all-or-nothing import as `flask import DIR`)
and download everything as a zip of the same files (as `flask export DIR`).

Both run as background jobs (``app.background``): the request only saves the files and
queues the job; ``/admin/jobs/<id>`` shows its progress and result."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.auth.forms import ConfirmForm
from app.background import export_zip, job_for, jobs_root, queue_export, queue_import
from app.errors import upload_limit
from app.extensions import db
from app.forms import CornerForm
from app.spreadsheets.columns import FILES, FileSpec, Kind
from app.timeutil import local_date
from app.web import audit, now

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
        max_upload=upload_limit(),
        **context,
    )
    return html, status


@bp.route("/admin/import", methods=["GET", "POST"])
@roles("admin")
def import_upload() -> str | Response | tuple[str, int]:
    """Save the files and queue the import (the scheduler runs it): never slow, whatever the
    upload; the job's page shows the progress and the result."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(form, 400 if form.is_submitted() else 200)
    files = form.chosen()
    if not files:
        form.volunteers.errors = ["Choose at least one file to import."]
        return _render(form, 400)
    job = queue_import(
        db.session, now(), files, user_id=current_user.id, root=jobs_root(current_app)
    )
    audit("spreadsheets.import_queued", "job", job.id, detail=", ".join(sorted(files)))
    db.session.commit()
    return redirect(url_for("spreadsheets.job_page", job_id=job.id))


@bp.route("/admin/export", methods=["POST"])
@roles("admin")
def export_download() -> Response:
    """Queue an export of all volunteers, parents, assignments and check-ins (a zip of the
    four CSV files); its page offers the download when it is ready."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = queue_export(db.session, now(), user_id=current_user.id)
    db.session.commit()
    return redirect(url_for("spreadsheets.job_page", job_id=job.id))


@bp.route("/admin/jobs/<int:job_id>")
@roles("admin")
def job_page(job_id: int) -> str:
    """An import's or export's progress (refreshing itself every 2 s) and then its result."""
    job = job_for(db.session, job_id)
    if job is None:
        abort(404)
    ready = export_zip(job, jobs_root(current_app)) is not None
    return render_template(
        "spreadsheets/job.html", job=job, ready=ready, download_form=ConfirmForm(formdata=None)
    )


@bp.route("/admin/jobs/<int:job_id>/download", methods=["POST"])
@roles("admin")
def job_download(job_id: int) -> Response:
    """The finished export's zip (audited, as every export is)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = job_for(db.session, job_id)
    path = export_zip(job, jobs_root(current_app)) if job is not None else None
    if job is None or path is None:
        abort(404)
    summary = (job.result or {}).get("summary")
    audit("spreadsheets.exported", "export", job.id, detail=summary)
    db.session.commit()
    at = job.finished_at or now()
    response = send_file(
        path,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"corner-export-{local_date(at).isoformat()}.zip",
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: never kept in a cache
    return response
