"""Calendar-month arithmetic for the retention period. Pure: dates in, dates out.

A parent is anonymised ``N`` months after the day her last case closed: the same day of the
month ``N`` months later, or the last day of that month when it is shorter (31 August + 6
months is 28 February, or 29 in a leap year). Days are local calendar days in the service
time zone (the caller converts instants with ``app.timeutil.local_date``).
"""

from __future__ import annotations

import calendar
from datetime import date


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _month_shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month.

    Clamped to ``date.min`` … ``date.max`` (never ``OverflowError`` for a mistyped year).
    """
    year, month = _month_shift(day.year, day.month, months)
    if year < date.min.year:
        return date.min
    if year > date.max.year:
        return date.max
    return date(year, month, min(day.day, _last_day(year, month)))


def due_on(closed_on: date, months: int) -> date:
    """The day a parent whose last case closed on ``closed_on`` becomes due for anonymising."""
    return add_months(closed_on, months)


def retention_cutoff(today: date, months: int) -> date:
    """The latest closing day that is due by ``today``: ``due_on(c, months) <= today`` exactly
    when ``c <= retention_cutoff(today, months)`` (so one comparison in SQL finds them all).

    On the last day of a month every day of the month ``months`` earlier is due (31 August
    is due on 28 February); otherwise the same day of that month, or its last day if shorter.
    """
    year, month = _month_shift(today.year, today.month, -months)
    if year < date.min.year:
        return date.min  # nothing can have closed before the calendar began
    if year > date.max.year:
        return date.max
    last = _last_day(year, month)
    if today.day == _last_day(today.year, today.month):
        return date(year, month, last)
    return date(year, month, min(today.day, last))
