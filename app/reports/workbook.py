"""The report as one .xlsx workbook (openpyxl): an About sheet, then a sheet per section.

Each section's sheet holds its tables one under another: the table's title, a header row,
a row per category (numbers stored as numbers), a total where the page has one, then a
blank row. The equality counts are hidden as in every download (``downloads.suppress``).
Text is always stored as text, never as a formula. No Flask, no SQLAlchemy.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from app.reports.downloads import SUPPRESSION_NOTE, Cell, download_rows
from app.reports.periods import Period
from app.reports.tables import Section, period_words

BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)
_NOT_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(text: str) -> str:
    """A name Excel accepts: at most 31 characters, none of [ ] : * ? / \\."""
    return text.translate(_NOT_IN_SHEET_NAMES).strip()[:31] or "Sheet"


def _put(sheet: Worksheet, row: int, column: int, value: Cell, *, bold: bool = False) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # "=1+1" typed as a referral source stays text
    elif isinstance(value, float):
        cell.number_format = "0.0"
    if bold:
        cell.font = BOLD


def workbook_bytes(
    sections: Sequence[Section], *, period: Period, area: str | None, generated_at: datetime
) -> bytes:
    """The workbook as bytes; ``generated_at`` is a local time, written with its zone (BST)."""
    book = Workbook()
    about = book.active
    assert about is not None
    about.title = "About"
    about.cell(row=1, column=1, value="Corner report").font = HEADING
    facts: list[tuple[str, Cell]] = [
        ("Period", period_words(period)),
        ("From", period.start.isoformat()),
        ("To", period.end.isoformat()),
        ("Area", area or "All areas"),
        ("Generated at", generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()),
        ("Small numbers", SUPPRESSION_NOTE.removesuffix(" On this page every count is exact.")),
    ]
    for index, (name, value) in enumerate(facts, start=3):
        _put(about, index, 1, name, bold=True)
        _put(about, index, 2, value)
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 60

    for section in sections:
        sheet = book.create_sheet(sheet_name(section.sheet))
        sheet.cell(row=1, column=1, value=section.title).font = HEADING
        _put(sheet, 2, 1, section.intro)
        row = 4
        for table in section.tables:
            _put(sheet, row, 1, table.title, bold=True)
            _put(sheet, row + 1, 1, table.item_heading, bold=True)
            _put(sheet, row + 1, 2, table.value_heading, bold=True)
            row += 2
            for label, value in download_rows(table):
                _put(sheet, row, 1, label, bold=label == "Total")
                _put(sheet, row, 2, value)
                row += 1
            row += 1
        sheet.column_dimensions["A"].width = 48
        sheet.column_dimensions["B"].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
