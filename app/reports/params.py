"""The report page's query string: which period and which area (pure: no Flask, no database).

``period`` is one of ``periods.PRESETS`` or ``dates``; with ``dates`` (or with no
``period`` but ``from``/``to`` given) the period is ``from`` … ``to`` (``YYYY-MM-DD``, both
included). ``area`` is an area id the user may choose, or empty for every area in view.
Bad input is never a 500: each problem is a plain sentence on the field it concerns, and
the page shows the form again with them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.reports.periods import PRESETS, Period, preset

DATES = "dates"  # the period choice "the dates I give"
DEFAULT = "last_quarter"
#: the dates the page accepts (a typo like 0202 or 20266 is refused, not searched)
EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)


@dataclass(frozen=True)
class ReportArgs:
    """What to report on: a period (from a preset or dates) and an area (None: every one)."""

    choice: str  # a preset's code or DATES
    period: Period
    area_id: int | None = None

    def download_args(self) -> dict[str, str]:
        """The query of the download links: the same days, even if a preset moves on later."""
        args = {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.area_id is not None:
            args["area"] = str(self.area_id)
        return args


@dataclass
class ParsedArgs:
    report: ReportArgs | None  # None when there is a problem
    choice: str  # what the form shows chosen
    start: str  # what the form shows in "from"
    end: str  # ... and in "to"
    area: str  # ... and in "area"
    errors: dict[str, str] = field(default_factory=dict)  # field name -> a plain sentence


def _day(text: str, what: str) -> date | str:
    """The date in ``text``, or the sentence saying what is wrong with it."""
    cleaned = text.strip()
    if not cleaned:
        return f"Enter the {what} date"
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        return f"The {what} date must be a real date, like 2026-07-01"
    if len(cleaned) != 10 or not EARLIEST <= day <= LATEST:
        return f"The {what} date must be a real date, like 2026-07-01"
    return day


def parse_report_args(
    args: Mapping[str, str], today: date, area_ids: Collection[int]
) -> ParsedArgs:
    """The report asked for in ``args``, seen from ``today``; ``area_ids``: the choosable areas."""
    start_text = (args.get("from") or "").strip()[:40]
    end_text = (args.get("to") or "").strip()[:40]
    area_text = (args.get("area") or "").strip()[:40]
    choice = (args.get("period") or "").strip()[:40]
    if not choice:
        choice = DATES if start_text or end_text else DEFAULT
    errors: dict[str, str] = {}

    period: Period | None = None
    if choice in PRESETS:
        period = preset(choice, today)
        start_text, end_text = period.start.isoformat(), period.end.isoformat()
    elif choice == DATES:
        start, end = _day(start_text, "start"), _day(end_text, "end")
        if isinstance(start, str):
            errors["from"] = start
        if isinstance(end, str):
            errors["to"] = end
        if isinstance(start, date) and isinstance(end, date):
            if start > end:
                errors["to"] = "The end date must be the same as or after the start date"
            else:
                period = Period(start, end)
    else:
        errors["period"] = "Choose one of the periods listed"

    area_id: int | None = None
    if area_text:
        number = int(area_text) if area_text.isascii() and area_text.isdigit() else None
        if number is None or number not in area_ids:
            errors["area"] = "Choose one of the areas listed"
        else:
            area_id = number

    report = ReportArgs(choice, period, area_id) if period and not errors else None
    if choice not in PRESETS and choice != DATES:
        choice = DEFAULT
    return ParsedArgs(report, choice, start_text, end_text, area_text, errors)
