"""The reports page (blueprint ``reports``): charts and tables for a period and an area, and
its downloads: a CSV of each table and one .xlsx workbook.

Coordinators see the figures for the cases they may see (``visible_cases``), admins for all.
The query string is read by ``params.parse_report_args``; a problem shows the form again
with the problem on its field (400), never a 500.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.access import roles
from app.domain import Role
from app.extensions import db
from app.models import Area
from app.reports.downloads import SUPPRESSION_NOTE, filename, table_csv
from app.reports.page import MONTHLY_MAX, Report, build_report, report_areas
from app.reports.params import DATES, ParsedArgs, parse_report_args
from app.reports.periods import PRESETS, preset
from app.reports.tables import TABLE_KEYS, every_table, period_words
from app.reports.workbook import workbook_bytes
from app.scope import visible_cases
from app.timeutil import local_date, zone
from app.web import now

bp = Blueprint("reports", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _parsed() -> tuple[ParsedArgs, list[Area]]:
    areas = report_areas(db.session, current_user)
    parsed = parse_report_args(request.args, local_date(now()), {area.id for area in areas})
    return parsed, areas


def _report(parsed: ParsedArgs) -> Report:
    assert parsed.report is not None
    scope = None if current_user.role == Role.ADMIN else visible_cases(current_user)
    return build_report(db.session, parsed.report, scope=scope, now=now())


def _page(parsed: ParsedArgs, areas: list[Area], report: Report | None) -> str:
    today = local_date(now())
    presets = [(code, label, period_words(preset(code, today))) for code, label in PRESETS.items()]
    return render_template(
        "reports/report.html",
        parsed=parsed,
        report=report,
        areas=areas if len(areas) > 1 else [],
        all_areas_label="All your areas" if current_user.role == Role.COORDINATOR else "All areas",
        presets=presets,
        dates_choice=DATES,
        monthly_max=MONTHLY_MAX,
        suppression_note=SUPPRESSION_NOTE,
        period_words=period_words,
    )


@bp.route("/reports")
@roles("coordinator", "admin")
def report() -> tuple[str, int]:
    """The report: one section per group of figures, each a chart with its table."""
    parsed, areas = _parsed()
    if parsed.report is None:
        return _page(parsed, areas, None), 400
    return _page(parsed, areas, _report(parsed)), 200


def _download(parsed: ParsedArgs, areas: list[Area]) -> Report | tuple[str, int]:
    if parsed.report is None:
        return _page(parsed, areas, None), 400
    return _report(parsed)


def _attachment(data: bytes, mimetype: str, name: str) -> Response:
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name
    )
    response.headers["Cache-Control"] = "no-store"
    return response


# ``path``: a name with a slash in it still reaches the access rule (then a 404), like any other
@bp.route("/reports/<path:table>.csv")
@roles("coordinator", "admin")
def table_download(table: str) -> Response | tuple[str, int]:
    """One table of the report as CSV (equality counts from 1 to 4 hidden)."""
    if table not in TABLE_KEYS:
        abort(404)
    parsed, areas = _parsed()
    result = _download(parsed, areas)
    if not isinstance(result, Report):
        return result
    chosen = every_table(result.sections).get(table)
    if chosen is None:
        abort(404)
    data = table_csv(chosen).encode("utf-8-sig")  # the BOM: Excel reads UTF-8 then
    name = filename(chosen.key, result.period, result.area, "csv")
    return _attachment(data, "text/csv; charset=utf-8", name)


@bp.route("/reports/report.xlsx")
@roles("coordinator", "admin")
def workbook_download() -> Response | tuple[str, int]:
    """The whole report as one workbook: an About sheet, then a sheet per section."""
    parsed, areas = _parsed()
    result = _download(parsed, areas)
    if not isinstance(result, Report):
        return result
    data = workbook_bytes(
        result.sections,
        period=result.period,
        area=result.area,
        generated_at=result.generated_at.astimezone(zone()),
    )
    return _attachment(data, XLSX, filename("report", result.period, result.area, "xlsx"))
