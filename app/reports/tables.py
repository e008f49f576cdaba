"""The report as sections of tables: what the page shows, charts and downloads (pure).

``sections(summary, monthly)`` turns the nested figures of ``summary.summarise`` (and, for
the bars by month, one such summary per month of the period) into ``Section``s of
``Table``s. A table is the source of truth: its chart draws the same rows, its CSV and its
workbook sheet hold the same numbers (but the equality breakdowns, whose small counts the
downloads hide: ``app.reports.downloads``). Every category is shown by its words, never
its code. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup

from app.equality import FIELD_NAMES, NOT_RECORDED_LABEL
from app.reports.charts import Bar, bar_chart, column_chart, number
from app.reports.labels import FIGURES, SECTIONS, category, equality_question
from app.reports.periods import Period
from app.reports.summary import SOURCE_NOT_RECORDED

MONTHS = "months"  # a chart of columns, one per month
BARS = "bars"  # a chart of horizontal bars, one per category
ONE_DAY = timedelta(days=1)
MANY = 8  # a chart of more categories than this leaves out those with none

_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Row:
    label: str
    value: int | float | None
    short: str = ""  # a month's label under its column ("Oct")
    note: str = ""  # a month's second line (the year, under January and the first month)


@dataclass(frozen=True)
class Table:
    key: str  # "referrals-by-month": the chart's id, the CSV's name
    title: str  # the caption
    item_heading: str  # the first column's heading ("Month", "Referral source")
    value_heading: str  # the second column's heading ("Referrals")
    rows: tuple[Row, ...]
    chart: str = ""  # MONTHS, BARS or "" (key figures: a table only)
    total: int | float | None = None  # the "Total" row, where adding up makes sense
    equality: bool = False  # an equality breakdown: small counts hidden in downloads
    note: str = ""  # a sentence under the table
    missing: str = "None in this period"  # what a row without a value says

    def shown(self, value: int | float | None) -> str:
        """A value as the page writes it: exact, with thousands separators."""
        return self.missing if value is None else number(value)

    def drawn(self) -> tuple[Row, ...]:
        """The rows the chart draws: all, or those with a value when there are many."""
        if len(self.rows) > MANY:
            return tuple(row for row in self.rows if row.value)
        return self.rows

    def svg(self) -> Markup | None:
        """The chart of this table (None for a table of key figures)."""
        if not self.chart:
            return None
        bars = [
            Bar(row.label, float(row.value or 0), short=row.short, note=row.note)
            for row in self.drawn()
        ]
        if self.chart == MONTHS:
            return column_chart(self.key, self.title, bars)
        left_out = ""
        if len(bars) < len(self.rows):
            left_out = "Those with none are left out of the chart; the table lists them all."
        return bar_chart(self.key, self.title, bars, left_out=left_out)


@dataclass(frozen=True)
class Section:
    key: str  # the summary's key ("referrals")
    title: str
    intro: str
    tables: tuple[Table, ...]
    sheet: str  # the workbook sheet's name (at most 31 characters)


def month_row(part: Period, value: int | float | None) -> Row:
    """A month of the period: "October 2026", or "15 to 31 October 2026" for part of one."""
    name = _MONTH_NAMES[part.start.month - 1]
    whole = part.start.day == 1 and (part.end == date.max or (part.end + ONE_DAY).day == 1)
    label = f"{name} {part.start.year}"
    if not whole:
        label = f"{part.start.day} to {part.end.day} {label}"
    return Row(label, value, short=name[:3])


def _monthly(monthly: Sequence[tuple[Period, dict[str, Any]]], pick: Any) -> tuple[Row, ...]:
    rows = [month_row(part, pick(figures)) for part, figures in monthly]
    labelled = []
    for index, (row, (part, _)) in enumerate(zip(rows, monthly, strict=True)):
        year = str(part.start.year) if index == 0 or part.start.month == 1 else ""
        labelled.append(Row(row.label, row.value, short=row.short, note=year))
    return tuple(labelled)


def _breakdown(figure: str, counts: dict[str, int]) -> tuple[Row, ...]:
    return tuple(Row(category(figure, code), n) for code, n in counts.items())


def _sources(counts: dict[str, int]) -> tuple[Row, ...]:
    return tuple(
        Row(NOT_RECORDED_LABEL if source == SOURCE_NOT_RECORDED else source, n)
        for source, n in counts.items()
    )


def _figures(key: str, title: str, items: Sequence[tuple[str, Any]], **extra: Any) -> Table:
    rows = tuple(Row(FIGURES[name], value) for name, value in items)
    return Table(key, title, "Figure", "Value", rows, **extra)


def sections(
    summary: dict[str, Any], monthly: Sequence[tuple[Period, dict[str, Any]]] | None
) -> list[Section]:
    """The report's sections, in the order of ``labels.SECTIONS``.

    ``monthly``: one summary per month of the period (``periods.months``), or None to leave
    out the tables by month (a period too long to draw month by month).
    """
    s = summary
    by_month = monthly or ()

    def months(key: str, title: str, heading: str, pick: Any, **extra: Any) -> tuple[Table, ...]:
        if not by_month:
            return ()
        rows = _monthly(by_month, pick)
        return (Table(key, title, "Month", heading, rows, chart=MONTHS, **extra),)

    referrals, contacts, flags = s["referrals"], s["contacts"], s["flags"]
    wellbeing = s["wellbeing"]
    result = [
        Section(
            "referrals",
            SECTIONS["referrals"],
            "Cases whose referral date falls in the period.",
            (
                *months(
                    "referrals-by-month", "Referrals by month", "Referrals",
                    lambda f: f["referrals"]["total"], total=referrals["total"],
                ),
                Table(
                    "referrals-by-source", "Referrals by referral source", "Referral source",
                    "Referrals", _sources(referrals["by_source"]), chart=BARS,
                    total=referrals["total"],
                ),
                Table(
                    "referrals-by-stage", "Referrals by the parent's stage at referral",
                    "Stage at referral", "Referrals",
                    _breakdown("referrals.by_stage", referrals["by_stage"]), chart=BARS,
                    total=referrals["total"],
                ),
            ),
            "Referrals",
        ),
        Section(
            "matches",
            SECTIONS["matches"],
            "Volunteers matched with parents: assignments that started in the period.",
            (
                _figures(
                    "matches", "Matches in figures",
                    [
                        ("matches.new", s["matches"]["new"]),
                        ("matches.days_to_match_median", s["matches"]["days_to_match_median"]),
                    ],
                    missing="No first matches in this period",
                ),
                *months(
                    "matches-by-month", "New matches by month", "New matches",
                    lambda f: f["matches"]["new"], total=s["matches"]["new"],
                ),
            ),
            "Matches",
        ),
        Section(
            "parents_supported",
            SECTIONS["parents_supported"],
            "Parents with a volunteer at any time in the period.",
            (
                _figures(
                    "parents-supported", "Parents supported in figures",
                    [("parents_supported", s["parents_supported"])],
                ),
                *months(
                    "parents-supported-by-month", "Parents supported by month",
                    "Parents supported", lambda f: f["parents_supported"],
                    note="A parent supported in several months counts in each of them.",
                ),
            ),
            "Parents supported",
        ),
        Section(
            "contacts",
            SECTIONS["contacts"],
            "Check-ins volunteers submitted for contacts in the period.",
            (
                _figures(
                    "contacts", "Contacts in figures",
                    [
                        ("contacts.successful", contacts["successful"]),
                        ("contacts.attempts", contacts["attempts"]),
                        ("contacts.hours", contacts["hours"]),
                    ],
                ),
                *months(
                    "contacts-by-month", "Contacts that reached the parent, by month",
                    "Contacts", lambda f: f["contacts"]["successful"],
                    total=contacts["successful"],
                ),
                Table(
                    "contacts-by-mode", "Contacts and attempts by how they happened", "How",
                    "Check-ins", _breakdown("contacts.by_mode", contacts["by_mode"]),
                    chart=BARS, total=contacts["successful"] + contacts["attempts"],
                ),
            ),
            "Contacts",
        ),
        Section(
            "closed",
            SECTIONS["closed"],
            "Cases closed in the period, by the reason given.",
            (
                Table(
                    "closed-by-reason", "Cases closed by reason", "Reason", "Cases",
                    _breakdown("closed.by_reason", s["closed"]["by_reason"]), chart=BARS,
                    total=s["closed"]["total"],
                ),
            ),
            "Cases closed",
        ),
        Section(
            "flags",
            SECTIONS["flags"],
            "Flags raised by check-ins and by the daily check, and how fast urgent ones "
            "were picked up.",
            (
                _figures(
                    "flags", "Concerns in figures",
                    [
                        ("flags.raised", flags["raised"]),
                        ("flags.resolved", flags["resolved"]),
                        ("flags.urgent_ack_minutes_median", flags["urgent_ack_minutes_median"]),
                    ],
                    missing="No urgent flags acknowledged",
                ),
                *months(
                    "flags-by-month", "Flags raised by month", "Flags raised",
                    lambda f: f["flags"]["raised"], total=flags["raised"],
                ),
                Table(
                    "flags-by-rule", "Flags raised by kind", "Kind of flag", "Flags",
                    _breakdown("flags.by_rule", flags["by_rule"]), chart=BARS,
                    total=flags["raised"],
                ),
            ),
            "Concerns raised",
        ),
        Section(
            "volunteers",
            SECTIONS["volunteers"],
            "Peer supporters: active at the end of the period, started and left in it.",
            (
                Table(
                    "volunteers", "Volunteers", "Volunteers", "Number",
                    tuple(
                        Row(FIGURES[f"volunteers.{key}"], s["volunteers"][key])
                        for key in ("active", "new", "left")
                    ),
                    chart=BARS,
                ),
            ),
            "Volunteers",
        ),
        Section(
            "wellbeing",
            SECTIONS["wellbeing"],
            "Cases closed in the period with at least two wellbeing scores: the last score "
            "against the first.",
            (
                Table(
                    "wellbeing", "Wellbeing: last score against the first", "Wellbeing",
                    "Cases",
                    tuple(
                        Row(FIGURES[f"wellbeing.{key}"], wellbeing[key])
                        for key in ("improved", "same", "worse")
                    ),
                    chart=BARS, total=sum(wellbeing.values()),
                ),
            ),
            "Wellbeing",
        ),
        Section(
            "equality",
            SECTIONS["equality"],
            "Referrals in the period by each equality monitoring question; the questions "
            "are optional, so \u201cnot recorded\u201d is counted too.",
            tuple(
                Table(
                    f"equality-{name.replace('_', '-')}", equality_question(name), "Answer",
                    "Referrals",
                    _breakdown(f"equality.{name}", s["equality"][name]), chart=BARS,
                    total=sum(s["equality"][name].values()), equality=True,
                )
                for name in FIELD_NAMES
            ),
            "Who we reach",
        ),
    ]  # fmt: skip
    return result


#: every table a report can hold (a CSV asked for by another name is a 404 at once)
TABLE_KEYS = frozenset(
    {
        *("referrals-by-month", "referrals-by-source", "referrals-by-stage"),
        *("matches", "matches-by-month", "parents-supported", "parents-supported-by-month"),
        *("contacts", "contacts-by-month", "contacts-by-mode", "closed-by-reason"),
        *("flags", "flags-by-month", "flags-by-rule", "volunteers", "wellbeing"),
        *(f"equality-{name.replace('_', '-')}" for name in FIELD_NAMES),
    }
)


def every_table(report_sections: Sequence[Section]) -> dict[str, Table]:
    """Every table of the report by its key (the CSV downloads look them up here)."""
    return {table.key: table for section in report_sections for table in section.tables}


def day_words(day: date, *, year: bool = True) -> str:
    """'1 July 2026' (``year=False``: '1 July')."""
    words = f"{day.day} {_MONTH_NAMES[day.month - 1]}"
    return f"{words} {day.year}" if year else words


def period_words(period: Period) -> str:
    """'1 July to 30 September 2026'; '1 December 2025 to 31 January 2026'; '1 to 31 October
    2026'; '3 March 2026'."""
    if period.start == period.end:
        return day_words(period.start)
    if (period.start.year, period.start.month) == (period.end.year, period.end.month):
        return f"{period.start.day} to {day_words(period.end)}"
    same_year = period.start.year == period.end.year
    return f"{day_words(period.start, year=not same_year)} to {day_words(period.end)}"
