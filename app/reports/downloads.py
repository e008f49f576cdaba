"""The report's downloads, meant to leave the charity: CSV of a table, names of the files.

Counts are exact, but in the equality breakdowns any count from 1 to 4 is written
"fewer than 5" (``suppress``): small numbers can identify a person. 0 stays 0. An
equality table's download has no total row, so the hidden counts cannot be worked out by
subtracting the others from it. A text cell that a spreadsheet would run as a formula
(``=``, ``+``, ``-``, ``@``, a tab or a carriage return first: a referral source is typed
by people) gets a leading apostrophe. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

from app.reports.periods import Period
from app.reports.tables import Table

FEWER_THAN_5 = "fewer than 5"
SMALL_MAX = 4  # counts 1 … SMALL_MAX are hidden in equality breakdowns
#: said beside the download links and in the workbook's About sheet
SUPPRESSION_NOTE = (
    "In the downloads, the equality monitoring counts from 1 to 4 show as "
    "\u201cfewer than 5\u201d, because small numbers can identify a person; 0 stays 0 and "
    "every other figure is exact. On this page every count is exact."
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SLUG = re.compile(r"[^a-z0-9]+")

Cell = int | float | str | None


def suppress(count: int | float | None) -> Cell:
    """A count fit to leave the charity: 1 to 4 become "fewer than 5"; 0 and 5+ are kept."""
    if count is not None and 1 <= count <= SMALL_MAX:
        return FEWER_THAN_5
    return count


def plain_text(text: str) -> str:
    """Text a spreadsheet shows as it is, never runs as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def download_rows(table: Table) -> Iterator[tuple[str, Cell]]:
    """The table's rows as they leave the charity (and its total, but for equality ones)."""
    for row in table.rows:
        yield row.label, suppress(row.value) if table.equality else row.value
    if table.total is not None and not table.equality:
        yield "Total", table.total


def table_csv(table: Table) -> str:
    """One table as CSV: a header row, then a row per category (numbers as digits)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([table.item_heading, table.value_heading])
    for label, value in download_rows(table):
        shown = "" if value is None else value
        writer.writerow([plain_text(label), plain_text(shown) if isinstance(shown, str) else shown])
    return out.getvalue()


def slug(text: str) -> str:
    """ASCII letters and digits joined by hyphens ('Bristol & Bath' -> 'bristol-bath')."""
    return _SLUG.sub("-", text.lower()).strip("-")[:40]


def filename(what: str, period: Period, area: str | None, extension: str) -> str:
    """'corner-referrals-by-month-2026-07-01-to-2026-09-30-bristol.csv': no personal data."""
    parts = ["corner", slug(what), period.start.isoformat(), "to", period.end.isoformat()]
    if area and slug(area):
        parts.append(slug(area))
    return "-".join(parts) + "." + extension
