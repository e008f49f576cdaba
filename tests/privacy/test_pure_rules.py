"""The pure rules: calendar months for retention, stand-in dates for erasure (no database)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from app.privacy.anonymise import stand_in_dates
from app.privacy.months import add_months, due_on, retention_cutoff
from app.stage import stage_on


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 1, 15), 72, date(2026, 1, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(9999, 6, 1), 72, date.max),
        (date(1, 6, 1), -72, date.min),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_cutoff_is_exactly_the_latest_due_closing_day() -> None:
    for months in (1, 6, 12, 72):
        today = date(2023, 1, 1)
        while today < date(2025, 3, 5):
            cutoff = retention_cutoff(today, months)
            assert due_on(cutoff, months) <= today
            assert due_on(cutoff + timedelta(days=1), months) > today
            today += timedelta(days=1)


def test_one_day_either_side() -> None:
    closed = date(2020, 11, 2)
    assert due_on(closed, 72) == date(2026, 11, 2)
    assert retention_cutoff(date(2026, 11, 1), 72) < closed  # the day before: not yet
    assert retention_cutoff(date(2026, 11, 2), 72) == closed  # due that day


def test_stand_in_dates_keep_every_stage() -> None:
    rng = random.Random(14)
    start = date(2018, 1, 1)
    for _ in range(3000):
        due = start + timedelta(days=rng.randrange(3000)) if rng.random() < 0.7 else None
        birth = start + timedelta(days=rng.randrange(3000)) if rng.random() < 0.5 else None
        days = [start + timedelta(days=rng.randrange(3000)) for _ in range(rng.randrange(1, 4))]
        new_due, new_birth = stand_in_dates(due, birth, days)
        for day in days:
            assert stage_on(new_due, new_birth, day) == stage_on(due, birth, day)
        if birth is not None:
            assert new_due is None


def test_stand_in_dates_say_no_more_than_the_stage() -> None:
    """Two parents with the same stages on the same days get the same stand-ins."""
    days = [date(2026, 1, 10), date(2026, 6, 1)]
    one = stand_in_dates(None, date(2025, 12, 1), days)
    two = stand_in_dates(date(2025, 11, 1), date(2025, 11, 20), days)
    assert one == two
    assert stand_in_dates(None, None, days) == (None, None)
    assert stand_in_dates(date(2026, 3, 1), None, []) == (None, None)
