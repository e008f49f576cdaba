"""Time helpers: the service time zone, dates as London midnights, friendly formatting."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Europe/London"
_service_zone = DEFAULT_TZ


def set_service_zone(name: str) -> None:
    """Set the service time zone (``CORNER_TIMEZONE``); ``create_app`` calls this once.

    One process serves one charity, so the zone is process-wide: pure rules and the
    formatting helpers read it without a Flask import.
    """
    global _service_zone
    ZoneInfo(name)  # an unknown zone fails here, at start-up, with the zone's name
    _service_zone = name


def service_zone() -> str:
    """The name of the service time zone."""
    return _service_zone


def zone(name: str | None = None) -> ZoneInfo:
    """The given zone, or the service time zone."""
    return _zoneinfo(name or _service_zone)


@lru_cache(maxsize=16)
def _zoneinfo(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def parse_now(value: str | None, tz: str | None = None) -> datetime:
    """An ISO time as an aware UTC instant; no offset means the service zone; empty: the clock.

    Raises ``ValueError`` with a plain message for anything else.
    """
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"{value!r} is not an ISO time, like 2026-11-02T10:00") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(tz))
    return parsed.astimezone(UTC)


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC. Only views, jobs and the CLI call this."""
    return datetime.now(UTC)


#: the earliest and latest instants Python can hold (aware UTC)
INSTANT_MIN = datetime.min.replace(tzinfo=UTC)
INSTANT_MAX = datetime.max.replace(tzinfo=UTC)


def local_date(instant: datetime, tz: str | None = None) -> date:
    """The calendar date of an instant in the service time zone.

    Total: at the very ends of the calendar (an offset past year 1 or 9999) the UTC date.
    """
    try:
        return instant.astimezone(zone(tz)).date()
    except OverflowError:
        return instant.date()


def day_start(day: date, tz: str | None = None) -> datetime:
    """A date stands for 00:00 in the service time zone that day, as a UTC instant.

    Total for every date: where the offset would take 00:00 past the ends of the calendar
    (0001-01-01 east of Greenwich, say) it is the earliest or latest instant there is.
    """
    try:
        return datetime.combine(day, time(0, 0), tzinfo=zone(tz)).astimezone(UTC)
    except OverflowError:
        return INSTANT_MIN if day.year == date.min.year else INSTANT_MAX


def short_date(value: date | datetime | None, tz: str | None = None) -> str:
    """'Mon 2 Nov' (and the year when it is not the current one is the caller's business)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value, tz)
    return _short_date(value)


@lru_cache(maxsize=4096)
def _short_date(day: date) -> str:
    """'Mon 2 Nov' for a date (a list shows a few hundred days at most: formatted once)."""
    return f"{day:%a} {day.day} {day:%b}"


def short_date_year(value: date | datetime | None, tz: str | None = None) -> str:
    """'Mon 2 Nov 2026'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local_date(value, tz)
    return f"{value:%a} {value.day} {value:%b} {value.year}"


def date_time(value: datetime | None, tz: str | None = None) -> str:
    """'Mon 2 Nov, 14:30' in the service time zone."""
    if value is None:
        return ""
    try:
        local = value.astimezone(zone(tz))
    except OverflowError:  # the very ends of the calendar
        local = value
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def ago(value: date | datetime | None, now: datetime, tz: str | None = None) -> str:
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
