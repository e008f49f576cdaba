"""Report periods: inclusive runs of calendar days in the service time zone.

A period is ``start`` … ``end``, both days included, each day a Europe/London (service
zone) calendar day. ``bounds`` turns it into the UTC instants a query compares stored
instants with: [00:00 local on ``start``, 00:00 local on the day after ``end``) — so a
day is 23 or 25 hours long when the clocks change. A date column in the data (a referral
date) stands for 00:00 that day and is compared with ``start``/``end`` directly.
Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.timeutil import day_start


@dataclass(frozen=True)
class Period:
    """The days ``start`` to ``end``, both included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(
                f"the period starts ({self.start.isoformat()}) after it ends "
                f"({self.end.isoformat()})"
            )

    @property
    def days(self) -> int:
        """How many calendar days the period holds."""
        return (self.end - self.start).days + 1


#: The presets a report offers (code -> words), in the order a page lists them.
PRESETS: dict[str, str] = {
    "this_month": "This month",
    "last_month": "Last month",
    "last_quarter": "Last quarter",
    "year_to_date": "Year to date",
}


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    if day.month == 12:
        return date(day.year, 12, 31)
    return date(day.year, day.month + 1, 1) - timedelta(days=1)


def preset(name: str, today: date) -> Period:
    """The period a preset names, seen from ``today`` (a local date).

    * ``this_month``: the 1st of this month to today (the month so far);
    * ``last_month``: the whole previous calendar month;
    * ``last_quarter``: the last complete calendar quarter (January to March, April to June,
      July to September, October to December) before the one ``today`` falls in;
    * ``year_to_date``: 1 January of this year to today.

    Raises ``ValueError`` for an unknown name.
    """
    if name == "this_month":
        return Period(_month_start(today), today)
    if name == "last_month":
        last = _month_start(today) - timedelta(days=1)
        return Period(_month_start(last), last)
    if name == "last_quarter":
        quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        last = quarter_start - timedelta(days=1)
        first = date(last.year, last.month - 2, 1)
        return Period(first, last)
    if name == "year_to_date":
        return Period(date(today.year, 1, 1), today)
    raise ValueError(f"{name!r} is not a report period; use one of {', '.join(PRESETS)}")


def months(period: Period) -> list[Period]:
    """The period cut at month boundaries: one part per calendar month it touches.

    The first and last parts may be partial months (``Period(15 Jan, 31 Jan)``).
    """
    parts: list[Period] = []
    start = period.start
    while start <= period.end:
        end = min(_month_end(start), period.end)
        parts.append(Period(start, end))
        if end == date.max:
            break
        start = end + timedelta(days=1)
    return parts


def bounds(period: Period, tz: str | None = None) -> tuple[datetime, datetime]:
    """The UTC instants [00:00 local on ``start``, 00:00 local the day after ``end``).

    ``tz`` is a zone name (``None``: the service time zone). Compare stored instants as
    ``lo <= at < hi``.
    """
    lo = day_start(period.start, tz)
    after = period.end + timedelta(days=1) if period.end < date.max else period.end
    hi = day_start(after, tz)
    return lo, hi


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date, or ``ValueError`` with a plain message."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise ValueError(f"{text!r} is not a date like 2026-04-01") from error
