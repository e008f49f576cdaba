"""The admin's spreadsheet upload page (filled in by the spreadsheets work)."""

from __future__ import annotations

from app.auth.access import roles
from app.cases import bp
from app.placeholder import not_built


@bp.route("/admin/import")
@roles("admin")
def import_upload() -> str:
    return not_built("Import spreadsheets", "the spreadsheets work")
