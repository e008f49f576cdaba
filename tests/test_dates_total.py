"""Date arithmetic is total: no stored date (date.min … date.max) makes a function raise.

Issue 9, item 1: a birth date of 9999-12-31 made ``second_birthday`` raise ``ValueError: year
10001 is out of range`` and stopped the scan for everyone. Every function that does
arithmetic on a stored date is called here at the ends of the calendar, in time zones either
side of Greenwich (an offset can push 00:00 on 0001-01-01 or 9999-12-31 past the ends too).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from app.dates import (
    EARLIEST,
    LATEST,
    DateKind,
    add_months,
    date_bounds,
    date_problem,
    due_kind,
)
from app.escalation.rules import evaluate
from app.escalation.rules_facts import CaseFacts, day_start, short_date
from app.escalation.rules_thresholds import Thresholds
from app.stage import Stage, is_birth_overdue, second_birthday, shift, stage_on, two_years_before
from app.stage_sql import stage_sql
from app.timeutil import (
    DEFAULT_TZ,
    INSTANT_MAX,
    INSTANT_MIN,
    date_time,
    local_date,
    set_service_zone,
)
from app.timeutil import day_start as plain_day_start

EXTREME_DATES = [date.min, date(1, 1, 2), date(9999, 12, 30), date.max, date(9998, 2, 28)]
ZONES = ["Europe/London", "Europe/Paris", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"]
TODAYS = [date(2026, 11, 2), date(1900, 1, 1), date(2200, 12, 31), date.min, date.max]
NOWS = [
    datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
    datetime(1900, 1, 1, tzinfo=UTC),
    datetime(2200, 12, 31, 23, 59, tzinfo=UTC),
]


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> Iterator[str]:
    set_service_zone(request.param)
    yield request.param
    set_service_zone(DEFAULT_TZ)


# --------------------------------------------------------------------------- app.stage


def test_shift_clamps_to_the_calendar() -> None:
    assert shift(date.max, timedelta(days=1)) == date.max
    assert shift(date.min, -timedelta(days=1)) == date.min
    assert shift(date(9999, 12, 20), timedelta(weeks=3)) == date.max
    assert shift(date(2026, 11, 2), timedelta(days=1)) == date(2026, 11, 3)


def test_second_birthday_at_the_ends_of_the_calendar() -> None:
    assert second_birthday(date.max) == date.max
    assert second_birthday(date(9998, 1, 1)) == date.max
    assert second_birthday(date(9997, 12, 31)) == date(9999, 12, 31)
    assert second_birthday(date.min) == date(3, 1, 1)
    assert second_birthday(date(9996, 2, 29)) == date(9998, 3, 1)


def test_two_years_before_at_the_ends_of_the_calendar() -> None:
    assert two_years_before(date.min) == date.min
    assert two_years_before(date(2, 12, 31)) == date.min
    assert two_years_before(date(3, 1, 1)) == date(1, 1, 1)
    assert two_years_before(date.max) == date(9997, 12, 31)


@pytest.mark.parametrize("today", TODAYS)
@pytest.mark.parametrize("stored", EXTREME_DATES)
def test_stage_functions_never_raise(stored: date, today: date) -> None:
    for due, birth in ((stored, None), (None, stored), (stored, stored), (date.max, date.min)):
        assert stage_on(due, birth, today) in set(Stage)
        assert isinstance(is_birth_overdue(due, birth, today), bool)
    stage_sql(_Column(), _Column(), today)  # the thresholds are computed without overflow


def test_impossible_dates_get_the_stage_their_order_implies() -> None:
    today = date(2026, 11, 2)
    assert stage_on(None, date.max, today) == Stage.BIRTH  # "born" in the far future
    assert stage_on(None, date.min, today) == Stage.OVER
    assert stage_on(date.max, None, today) == Stage.PREGNANCY
    assert stage_on(date.min, None, today) == Stage.BIRTH
    assert is_birth_overdue(date.min, None, today)
    assert not is_birth_overdue(date.max, None, today)


class _Column:
    """Stands in for a SQL column: enough for stage_sql to build its CASE."""

    def is_not(self, other: object) -> bool:
        return True

    def __gt__(self, other: object) -> bool:
        assert isinstance(other, date)
        return True


# --------------------------------------------------------------------------- app.timeutil


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_day_start_and_friends_are_total(zone: str, day: date) -> None:
    start = plain_day_start(day)
    assert INSTANT_MIN <= start <= INSTANT_MAX
    assert day_start(day) == start  # the rules' cached twin agrees
    assert short_date(day) and short_date(start)
    assert local_date(start) in (
        day,
        start.date(),
        day - timedelta(days=1) if day > date.min else day,
    )
    assert date_time(start)
    for instant in (INSTANT_MIN, INSTANT_MAX):
        assert local_date(instant) and date_time(instant) and short_date(instant)


def test_day_start_past_the_ends_is_the_first_or_last_instant() -> None:
    set_service_zone("Europe/Paris")  # 00:00 on 0001-01-01 in Paris is 0000-12-31 in UTC
    try:
        assert plain_day_start(date.min) == INSTANT_MIN
    finally:
        set_service_zone(DEFAULT_TZ)
    set_service_zone("America/New_York")  # 00:00 on 9999-12-31 is still 9999-12-31 in UTC
    try:
        assert plain_day_start(date.max).date() == date.max
    finally:
        set_service_zone(DEFAULT_TZ)


# --------------------------------------------------------------------------- the rules


@pytest.mark.parametrize("now", NOWS)
@pytest.mark.parametrize("stored", EXTREME_DATES)
def test_every_rule_is_total_for_any_stored_date(zone: str, stored: date, now: datetime) -> None:
    started = datetime(2026, 9, 1, tzinfo=UTC)
    variants = [
        CaseFacts(1, "waiting", due_date=stored, referred_at=started),
        CaseFacts(2, "waiting", birth_date=stored, referred_at=started),
        CaseFacts(3, "waiting", due_date=stored, birth_date=stored, referred_at=started),
        CaseFacts(
            4,
            "active",
            birth_date=stored,
            due_date=date.max,
            referred_at=started,
            assignment_started_at=started,
            volunteer_dbs_expires_on=stored,
            latest_contact_at=started,
        ),
        CaseFacts(
            5,
            "active",
            due_date=stored,
            referred_at=INSTANT_MIN,
            assignment_started_at=INSTANT_MIN,
            latest_contact_at=INSTANT_MIN,
            oldest_draft_touched_at=INSTANT_MIN,
            volunteer_dbs_expires_on=date.min,
        ),
    ]
    for facts in variants:
        for hit in evaluate(facts, now, Thresholds()):
            assert hit.evidence


def test_a_far_past_due_date_is_overdue_and_a_far_future_birth_is_not_past_1001_days() -> None:
    now = NOWS[0]
    overdue = {hit.rule for hit in evaluate(CaseFacts(1, "waiting", due_date=date.min), now)}
    assert "BIRTH_OVERDUE" in overdue
    future = {hit.rule for hit in evaluate(CaseFacts(1, "waiting", birth_date=date.max), now)}
    assert "PAST_1001_DAYS" not in future and "AFTER_BIRTH" not in future


# --------------------------------------------------------------------------- app.dates


@pytest.mark.parametrize("today", TODAYS)
def test_bounds_are_inside_1900_2200_for_any_today(today: date) -> None:
    for kind in DateKind:
        earliest, latest = date_bounds(kind, today)
        assert EARLIEST <= earliest <= latest <= LATEST
        for value in EXTREME_DATES:
            assert date_problem(kind, value, today) is not None
            date_problem(kind, value, today, history=True)


def test_the_bounds_of_each_kind() -> None:
    today = date(2026, 11, 2)
    assert date_bounds(DateKind.DUE, today) == (date(2025, 11, 2), date(2027, 9, 2))
    assert date_bounds(DateKind.BIRTH, today) == (date(2023, 11, 2), today)
    assert date_bounds(due_kind(None), today) == (date(2025, 11, 2), date(2027, 9, 2))
    assert date_bounds(due_kind(date(2025, 2, 1)), today) == (date(2022, 11, 2), date(2027, 9, 2))
    assert date_bounds(DateKind.CONSENT, today) == (date(2021, 11, 2), today)
    assert date_bounds(DateKind.REFERRAL, today) == (date(2021, 11, 2), today)
    assert date_problem(DateKind.DUE, date(2027, 9, 2), today) is None
    assert date_problem(DateKind.DUE, date(2027, 9, 3), today) == (
        "Enter a due date between 2 November 2025 and 2 September 2027."
    )
    assert date_problem(DateKind.BIRTH, date(2026, 11, 3), today) == (
        "Enter a date of birth between 2 November 2023 and today."
    )
    # a closed case's old dates are history: only the latest bound holds
    assert date_problem(DateKind.DUE, date(2015, 1, 1), today, history=True) is None
    assert date_problem(DateKind.BIRTH, date(2026, 11, 3), today, history=True) is not None


def test_add_months_keeps_the_day_or_takes_the_last_of_a_shorter_month() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2024, 3, 31), -1) == date(2024, 2, 29)
    assert add_months(date(2026, 11, 2), 10) == date(2027, 9, 2)
    assert add_months(date(2026, 11, 2), -12) == date(2025, 11, 2)
    assert add_months(date.max, 10) == LATEST
    assert add_months(date.min, -12) == EARLIEST
