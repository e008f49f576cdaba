"""The report's tables, query string and downloads, without a database (pure)."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest

from app.equality import FIELD_NAMES, NOT_RECORDED, codes
from app.reports.downloads import (
    FEWER_THAN_5,
    download_rows,
    filename,
    plain_text,
    slug,
    suppress,
    table_csv,
)
from app.reports.params import DEFAULT, parse_report_args
from app.reports.periods import Period, months
from app.reports.summary import MODE_KEYS, REASON_KEYS, RULE_KEYS, SOURCE_NOT_RECORDED, STAGE_KEYS
from app.reports.tables import (
    TABLE_KEYS,
    Row,
    Table,
    every_table,
    month_row,
    period_words,
    sections,
)

TODAY = date(2026, 11, 2)


def summary(**changes: Any) -> dict[str, Any]:
    """A summary with every key, as ``summarise`` returns it (all zeros but ``changes``)."""
    base: dict[str, Any] = {
        "from": "2026-09-01",
        "to": "2026-10-31",
        "area": None,
        "referrals": {"total": 0, "by_source": {}, "by_stage": dict.fromkeys(STAGE_KEYS, 0)},
        "matches": {"new": 0, "days_to_match_median": None},
        "parents_supported": 0,
        "contacts": {
            "successful": 0, "attempts": 0, "by_mode": dict.fromkeys(MODE_KEYS, 0), "hours": 0.0,
        },
        "closed": {"total": 0, "by_reason": dict.fromkeys(REASON_KEYS, 0)},
        "flags": {
            "raised": 0, "resolved": 0, "by_rule": dict.fromkeys(RULE_KEYS, 0),
            "urgent_ack_minutes_median": None,
        },
        "volunteers": {"active": 0, "new": 0, "left": 0},
        "wellbeing": {"improved": 0, "same": 0, "worse": 0},
        "equality": {
            name: {**dict.fromkeys(codes(name), 0), NOT_RECORDED: 0} for name in FIELD_NAMES
        },
    }  # fmt: skip
    base.update(changes)
    return base


PERIOD = Period(date(2026, 9, 1), date(2026, 10, 31))


def test_every_table_a_report_can_hold_is_known_by_its_key() -> None:
    monthly = [(part, summary()) for part in months(PERIOD)]
    assert set(every_table(sections(summary(), monthly))) == TABLE_KEYS
    without_months = set(every_table(sections(summary(), None)))
    assert without_months == {key for key in TABLE_KEYS if not key.endswith("-by-month")}


def test_labels_not_codes_and_totals_where_adding_up_makes_sense() -> None:
    figures = summary(
        referrals={
            "total": 3,
            "by_source": {"Midwife": 2, SOURCE_NOT_RECORDED: 1},
            "by_stage": {**dict.fromkeys(STAGE_KEYS, 0), "past": 1, "pregnancy": 2},
        },
    )
    tables = every_table(sections(figures, None))
    by_source = tables["referrals-by-source"]
    assert [(row.label, row.value) for row in by_source.rows] == [
        ("Midwife", 2),
        ("Not recorded", 1),
    ]
    assert by_source.total == 3
    stages = {row.label: row.value for row in tables["referrals-by-stage"].rows}
    assert stages["Past 1001 days"] == 1 and stages["Not known yet"] == 0
    assert tables["parents-supported"].total is None  # one figure: nothing to add up
    assert tables["volunteers"].total is None  # active, started, left do not add up
    equality = tables["equality-ethnic-group"]
    assert equality.equality and equality.rows[-1].label == "Not recorded"
    assert "Prefer not to say" in [row.label for row in equality.rows]


def test_a_missing_median_says_so_and_many_kinds_chart_only_those_there_are() -> None:
    tables = every_table(sections(summary(), None))
    assert tables["matches"].shown(None) == "No first matches in this period"
    flags = tables["flags-by-rule"]
    assert len(flags.rows) == len(RULE_KEYS) and flags.drawn() == ()
    rules = dict.fromkeys(RULE_KEYS, 0) | {"SAFEGUARDING": 2}
    raised = summary(flags={**summary()["flags"], "raised": 2, "by_rule": rules})
    by_rule = every_table(sections(raised, None))["flags-by-rule"]
    assert [row.label for row in by_rule.drawn()] == ["Safeguarding or domestic abuse concern"]
    assert "left out of the chart" in str(by_rule.svg())
    assert tables["matches"].svg() is None  # key figures: a table only


def test_months_are_named_in_full_and_part_months_say_their_days() -> None:
    assert month_row(Period(date(2026, 10, 1), date(2026, 10, 31)), 3) == Row(
        "October 2026", 3, short="Oct"
    )
    assert month_row(Period(date(2026, 2, 1), date(2026, 2, 28)), 1).label == "February 2026"
    assert month_row(Period(date(2026, 10, 15), date(2026, 10, 31)), 1).label == (
        "15 to 31 October 2026"
    )
    long = Period(date(2025, 11, 1), date(2026, 2, 10))
    monthly = [(part, summary()) for part in months(long)]
    rows = every_table(sections(summary(), monthly))["referrals-by-month"].rows
    assert [row.note for row in rows] == ["2025", "", "2026", ""]
    assert rows[-1].label == "1 to 10 February 2026"
    assert period_words(long) == "1 November 2025 to 10 February 2026"
    assert period_words(PERIOD) == "1 September to 31 October 2026"
    assert period_words(Period(TODAY, TODAY)) == "2 November 2026"


# --------------------------------------------------------------------------- the query string


def test_no_query_is_the_last_quarter_and_a_preset_fills_its_dates() -> None:
    parsed = parse_report_args({}, TODAY, [1])
    assert parsed.report is not None and parsed.choice == DEFAULT == "last_quarter"
    assert parsed.report.period == Period(date(2026, 7, 1), date(2026, 9, 30))
    assert (parsed.start, parsed.end) == ("2026-07-01", "2026-09-30")
    assert parsed.report.download_args() == {"from": "2026-07-01", "to": "2026-09-30"}


def test_dates_and_an_area() -> None:
    parsed = parse_report_args({"from": " 2026-09-01", "to": "2026-10-31", "area": "7"}, TODAY, [7])
    assert parsed.report is not None and parsed.choice == "dates" and not parsed.errors
    assert parsed.report.period == PERIOD and parsed.report.area_id == 7
    assert parsed.report.download_args() == {"from": "2026-09-01", "to": "2026-10-31", "area": "7"}
    # the radio buttons decide: a preset chosen wins over dates left in the form
    preset = parse_report_args({"period": "this_month", "from": "2020-01-01"}, TODAY, [])
    assert preset.report is not None
    assert preset.report.period == Period(date(2026, 11, 1), TODAY)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"from": "2026-10-31", "to": "2026-09-01"}, "to", "the same as or after the start"),
        ({"from": "2026-13-01", "to": "2026-12-01"}, "from", "must be a real date"),
        ({"from": "20260901", "to": "2026-12-01"}, "from", "must be a real date"),
        ({"from": "1899-12-31", "to": "2026-12-01"}, "from", "must be a real date"),
        ({"from": "2026-01-01", "to": "2200-01-01"}, "to", "must be a real date"),
        ({"period": "dates"}, "from", "Enter the start date"),
        ({"period": "dates", "from": "2026-01-01"}, "to", "Enter the end date"),
        ({"period": "x" * 5000}, "period", "Choose one of the periods listed"),
        ({"area": "8"}, "area", "Choose one of the areas listed"),
        ({"area": "-1"}, "area", "Choose one of the areas listed"),
        ({"area": "٣"}, "area", "Choose one of the areas listed"),  # an Arabic-Indic digit
    ],
)
def test_bad_input_is_a_sentence_on_its_field(
    args: dict[str, str], field: str, message: str
) -> None:
    parsed = parse_report_args(args, TODAY, [7])
    assert parsed.report is None
    assert message in parsed.errors[field]
    assert len(parsed.start) <= 40 and len(parsed.end) <= 40 and len(parsed.choice) <= 40


# --------------------------------------------------------------------------- the downloads


def test_small_equality_counts_are_hidden_and_zero_stays_zero() -> None:
    assert [suppress(n) for n in (0, 1, 2, 3, 4, 5, 120)] == [
        0, FEWER_THAN_5, FEWER_THAN_5, FEWER_THAN_5, FEWER_THAN_5, 5, 120,
    ]  # fmt: skip
    assert suppress(None) is None


def test_a_table_as_csv() -> None:
    table = Table(
        "referrals-by-source", "Referrals by source", "Referral source", "Referrals",
        (Row("Midwife", 1234), Row("=HYPERLINK(\"x\")", 3), Row("Median", None)), total=1237,
    )  # fmt: skip
    text = table_csv(table)
    assert text.endswith("\r\n")
    assert list(csv.reader(io.StringIO(text))) == [
        ["Referral source", "Referrals"],
        ["Midwife", "1234"],  # digits only: a spreadsheet reads a number
        ['\'=HYPERLINK("x")', "3"],  # text, never a formula
        ["Median", ""],
        ["Total", "1237"],
    ]


def test_an_equality_table_leaves_the_charity_with_small_counts_hidden_and_no_total() -> None:
    table = Table(
        "equality-age-band", "Age", "Age", "Referrals",
        (Row("Under 20", 0), Row("20 to 24", 3), Row("25 to 34", 12)), total=15, equality=True,
    )  # fmt: skip
    assert list(download_rows(table)) == [
        ("Under 20", 0), ("20 to 24", FEWER_THAN_5), ("25 to 34", 12),
    ]  # fmt: skip
    rows = list(csv.reader(io.StringIO(table_csv(table))))
    assert rows[2] == ["20 to 24", "fewer than 5"] and rows[-1][0] != "Total"


def test_file_names_hold_no_personal_data() -> None:
    assert filename("referrals-by-month", PERIOD, None, "csv") == (
        "corner-referrals-by-month-2026-09-01-to-2026-10-31.csv"
    )
    assert filename("report", PERIOD, "Bristol & Bath", "xlsx") == (
        "corner-report-2026-09-01-to-2026-10-31-bristol-bath.xlsx"
    )
    assert slug("Zoë's/../area") == "zo-s-area"
    assert filename("report", PERIOD, "ßß", "xlsx").endswith("2026-10-31.xlsx")
    assert plain_text("-5") == "'-5" and plain_text("Midwife") == "Midwife"
