"""Time helpers: the service time zone, dates as London midnights, friendly formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/London"


def zone(name: str = DEFAULT_TZ) -> ZoneInfo:
    return ZoneInfo(name)


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC. Only views, jobs and the CLI call this."""
    return datetime.now(UTC)


def local_date(instant: datetime, tz: str = DEFAULT_TZ) -> date:
    """The calendar date of an instant in the service time zone."""
    return instant.astimezone(zone(tz)).date()


def day_start(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """A date stands for 00:00 in the service time zone that day, as a UTC instant."""
    return datetime.combine(day, time(0, 0), tzinfo=zone(tz)).astimezone(UTC)


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole 24-hour periods from earlier to later (negative if later is before earlier)."""
    return (later - earlier) // timedelta(days=1)


def short_date(value: date | datetime | None, tz: str = DEFAULT_TZ) -> str:
    """'Mon 2 Nov' (and the year when it is not the current one is the caller's business)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value, tz)
    return f"{value:%a} {value.day} {value:%b}"


def short_date_year(value: date | datetime | None, tz: str = DEFAULT_TZ) -> str:
    """'Mon 2 Nov 2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value, tz)
    return f"{value:%a} {value.day} {value:%b} {value.year}"


def date_time(value: datetime | None, tz: str = DEFAULT_TZ) -> str:
    """'Mon 2 Nov, 14:30' in the service time zone."""
    if value is None:
        return ""
    local = value.astimezone(zone(tz))
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def ago(value: date | datetime | None, now: datetime, tz: str = DEFAULT_TZ) -> str:
    """'today', 'yesterday', '3 days ago', 'in 2 days', by calendar days in the service zone."""
    if value is None:
        return ""
    day = local_date(value, tz) if isinstance(value, datetime) else value
    delta = (local_date(now, tz) - day).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "yesterday"
    if delta == -1:
        return "tomorrow"
    if delta > 0:
        return f"{delta} days ago"
    return f"in {-delta} days"
