"""Report periods: pure, no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.reports.periods import PRESETS, Period, bounds, months, parse_day, preset


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="starts"):
        Period(date(2026, 2, 2), date(2026, 2, 1))
    assert Period(date(2026, 2, 1), date(2026, 2, 1)).days == 1


@pytest.mark.parametrize(
    ("name", "today", "start", "end"),
    [
        ("this_month", date(2026, 11, 2), date(2026, 11, 1), date(2026, 11, 2)),
        ("this_month", date(2026, 11, 1), date(2026, 11, 1), date(2026, 11, 1)),
        ("last_month", date(2026, 11, 2), date(2026, 10, 1), date(2026, 10, 31)),
        ("last_month", date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
        ("last_month", date(2024, 3, 31), date(2024, 2, 1), date(2024, 2, 29)),
        ("last_quarter", date(2026, 11, 2), date(2026, 7, 1), date(2026, 9, 30)),
        ("last_quarter", date(2026, 10, 1), date(2026, 7, 1), date(2026, 9, 30)),
        ("last_quarter", date(2026, 9, 30), date(2026, 4, 1), date(2026, 6, 30)),
        ("last_quarter", date(2026, 2, 10), date(2025, 10, 1), date(2025, 12, 31)),
        ("year_to_date", date(2026, 11, 2), date(2026, 1, 1), date(2026, 11, 2)),
        ("year_to_date", date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_presets(name: str, today: date, start: date, end: date) -> None:
    assert preset(name, today) == Period(start, end)


def test_every_preset_has_words_and_an_unknown_one_is_refused() -> None:
    assert list(PRESETS) == ["this_month", "last_month", "last_quarter", "year_to_date"]
    for name in PRESETS:
        preset(name, date(2026, 5, 5))
    with pytest.raises(ValueError, match="not a report period"):
        preset("last_fortnight", date(2026, 5, 5))


def test_months_cut_a_period_at_month_boundaries() -> None:
    assert months(Period(date(2026, 1, 15), date(2026, 3, 3))) == [
        Period(date(2026, 1, 15), date(2026, 1, 31)),
        Period(date(2026, 2, 1), date(2026, 2, 28)),
        Period(date(2026, 3, 1), date(2026, 3, 3)),
    ]
    assert months(Period(date(2026, 12, 5), date(2027, 1, 1))) == [
        Period(date(2026, 12, 5), date(2026, 12, 31)),
        Period(date(2027, 1, 1), date(2027, 1, 1)),
    ]
    assert months(Period(date(2026, 4, 2), date(2026, 4, 9))) == [
        Period(date(2026, 4, 2), date(2026, 4, 9))
    ]


def test_bounds_are_london_midnights_across_the_clocks_changing() -> None:
    # March 2026: GMT at the start, BST (clocks forward 29 March) at the end
    lo, hi = bounds(Period(date(2026, 3, 1), date(2026, 3, 31)), "Europe/London")
    assert lo == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert hi == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)
    # October 2026: BST at the start, GMT (clocks back 25 October) at the end
    lo, hi = bounds(Period(date(2026, 10, 1), date(2026, 10, 31)), "Europe/London")
    assert lo == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    assert hi == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    # the day the clocks go back is 25 hours long, the day they go forward 23
    lo, hi = bounds(Period(date(2026, 10, 25), date(2026, 10, 25)), "Europe/London")
    assert (hi - lo).total_seconds() == 25 * 3600
    lo, hi = bounds(Period(date(2026, 3, 29), date(2026, 3, 29)), "Europe/London")
    assert (hi - lo).total_seconds() == 23 * 3600


def test_bounds_are_total_at_the_end_of_the_calendar() -> None:
    lo, hi = bounds(Period(date(9999, 12, 31), date.max), "Europe/London")
    assert lo <= hi


def test_parse_day() -> None:
    assert parse_day(" 2026-04-01 ") == date(2026, 4, 1)
    for bad in ("2026-02-30", "1/4/2026", "", "tomorrow"):
        with pytest.raises(ValueError, match="is not a date like"):
            parse_day(bad)
