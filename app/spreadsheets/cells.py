"""One cell's text as its column's value (pure): dates, times, numbers, choices, lists."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from app import equality
from app.languages import parse_languages, unknown_message
from app.spreadsheets.columns import Column, Kind
from app.timeutil import service_zone, zone

#: A cell starting with one of these is written with a leading ' so that spreadsheet
#: programs do not run it as a formula; reading takes the ' off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_YEAR, MAX_YEAR = 1900, 2100

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
#: the UK way, day first: 15/01/2027 (and 5/1/2027)
UK_DATE_RE = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
SHORT_YEAR_RE = re.compile(r"\d{1,2}/\d{1,2}/\d{2}")
DATE_HELP = "write it as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-02 or 02/11/2026"
INSTANT_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})[T ]"
    r"(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?"
)
INT_RE = re.compile(r"[+-]?\d+")
FLOAT_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
POSTCODE_RE = re.compile(r"[A-Z0-9 ]{2,10}")


class CellProblem(ValueError):
    """A cell's text cannot be read as its column's kind."""


def quoted(raw: str, limit: int = 40) -> str:
    text = raw if len(raw) <= limit else raw[: limit - 1] + "…"
    return f'"{text}"'


def unguard(text: str) -> str:
    """Take off the ' that export puts before formula-like text."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def guard(text: str) -> str:
    """Put a ' before text a spreadsheet program would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def parse_date(raw: str) -> date:
    """``YYYY-MM-DD`` or the UK way, day first, ``DD/MM/YYYY``; never month first."""
    value = _date_of(raw, raw)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise CellProblem(f"{quoted(raw)} is not a likely date (the year is {value.year})")
    return value


def _date_of(text: str, raw: str) -> date:
    """The date ``text`` names (``raw``, the whole cell, is what messages quote)."""
    if DATE_RE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CellProblem(f"{quoted(raw)} is not a real date") from None
    uk = UK_DATE_RE.fullmatch(text)
    if uk is None:
        if SHORT_YEAR_RE.fullmatch(text):
            raise CellProblem(f"{quoted(raw)} needs the year in full: {DATE_HELP}")
        raise CellProblem(f"{quoted(raw)} is not a date: {DATE_HELP}")
    day, month, year = int(uk["day"]), int(uk["month"]), int(uk["year"])
    if month > 12 and 1 <= day <= 12:
        raise CellProblem(
            f"{quoted(raw)} has the month first (US order): write the day first, "
            f"{month:02d}/{day:02d}/{year}, or {year}-{day:02d}-{month:02d}"
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise CellProblem(f"{quoted(raw)} is not a real date") from None


def parse_instant(raw: str, tz: str | None = None) -> datetime:
    """ISO 8601 date and time (or the date the UK way: 02/11/2026 14:30); without an offset
    it is local time in ``tz`` (default: the service time zone). Returns UTC, to the second
    (a fraction of a second is dropped: export writes whole seconds)."""
    match = INSTANT_RE.fullmatch(raw)
    if not match:
        raise CellProblem(
            f"{quoted(raw)} is not a date and time: write it like 2026-11-02T14:30 "
            "or 02/11/2026 14:30"
        )
    offset = match["offset"] or ""
    day = _date_of(match["date"], raw)
    try:
        value = datetime.fromisoformat(f"{day.isoformat()}T{match['time']}{offset}")
    except ValueError:
        raise CellProblem(f"{quoted(raw)} is not a real date and time") from None
    value = value.replace(microsecond=0)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise CellProblem(f"{quoted(raw)} is not a likely date (the year is {value.year})")
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    name = tz or service_zone()
    local = zone(name)
    first, second = value.replace(tzinfo=local, fold=0), value.replace(tzinfo=local, fold=1)
    if first.astimezone(UTC).astimezone(local).replace(tzinfo=None) != value:
        raise CellProblem(f"{quoted(raw)} does not exist in {name}: the clocks went forward then")
    if first.utcoffset() != second.utcoffset():
        raise CellProblem(
            f"{quoted(raw)} happens twice in {name} (the clocks went back): add the offset, "
            f"like {raw}{_offset_text(first)} or {raw}{_offset_text(second)}"
        )
    return first.astimezone(UTC)


def _offset_text(value: datetime) -> str:
    text = value.isoformat()
    return text[-6:]


def parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered == "yes":
        return True
    if lowered == "no":
        return False
    raise CellProblem(f"{quoted(raw)} must be yes or no")


def _in_range(column: Column, value: float, raw: str) -> None:
    low, high = column.minimum, column.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        raise CellProblem(f"{raw} is out of range: it must be from {_num(low)} to {_num(high)}")


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return str(int(value)) if float(value).is_integer() else str(value)


def cell_parser(column: Column, tz: str | None = None) -> Callable[[str], Any]:
    """``parse_cell`` for one column, with the choice made once (the reader calls it per
    cell); the kinds most cells have get a shorter path, the rest go through ``parse_cell``."""
    kind = column.kind
    if kind == Kind.TEXT and not column.max_len:
        return lambda raw: raw
    if kind == Kind.CHOICE:
        # the choice's own string, not a new copy per cell (100,000 rows, one copy)
        choices = {choice: choice for choice in column.choices}

        def choice(raw: str) -> str:
            found = choices.get(raw.lower())
            if found is None:
                raise CellProblem(f"{quoted(raw)} is not one of: {', '.join(column.choices)}")
            return found

        return choice
    if kind == Kind.BOOL:
        return parse_bool
    if kind == Kind.INSTANT:
        return lambda raw: parse_instant(raw, tz)
    return lambda raw: parse_cell(column, raw, tz)


def parse_cell(column: Column, raw: str, tz: str | None = None) -> Any:
    """The value of a non-empty cell, or CellProblem with the reason."""
    kind = column.kind
    if kind == Kind.TEXT:
        if column.max_len and len(raw) > column.max_len:
            raise CellProblem(f"is too long ({len(raw)} characters): at most {column.max_len} fit")
        return raw
    if kind == Kind.EMAIL:
        email = raw.lower()
        if not EMAIL_RE.fullmatch(email) or len(email) > (column.max_len or 254):
            raise CellProblem(f"{quoted(raw)} is not an email address")
        return email
    if kind == Kind.POSTCODE:
        postcode = " ".join(raw.upper().split())
        if not POSTCODE_RE.fullmatch(postcode):
            raise CellProblem(f"{quoted(raw)} is not a postcode")
        return postcode
    if kind == Kind.DATE:
        return parse_date(raw)
    if kind == Kind.INSTANT:
        return parse_instant(raw, tz)
    if kind == Kind.BOOL:
        return parse_bool(raw)
    if kind == Kind.INT:
        if not INT_RE.fullmatch(raw):
            raise CellProblem(f"{quoted(raw)} is not a whole number")
        number = int(raw)
        _in_range(column, number, raw)
        return number
    if kind == Kind.FLOAT:
        if not FLOAT_RE.fullmatch(raw):
            raise CellProblem(f"{quoted(raw)} is not a number (use a point for decimals: 51.45)")
        real = float(raw)
        _in_range(column, real, raw)
        return real
    if kind == Kind.CHOICE:
        lowered = raw.lower()
        if lowered not in column.choices:
            raise CellProblem(f"{quoted(raw)} is not one of: {', '.join(column.choices)}")
        return lowered
    if kind == Kind.LIST:
        return parse_list(column, raw)
    if kind == Kind.LANGUAGES:
        return parse_language_list(raw)
    if kind == Kind.EQUALITY:
        try:
            return equality.parse(column.name, raw)
        except ValueError as problem:
            raise CellProblem(f"{quoted(raw)} {problem}") from None
    raise AssertionError(kind)  # pragma: no cover


def parse_list(column: Column, raw: str) -> list[str]:
    items: list[str] = []
    unknown: list[str] = []
    for part in raw.split(";"):
        item = part.strip().lower()
        if not item:
            continue
        if column.choices and item not in column.choices:
            unknown.append(item)
        elif column.max_len and len(item) > column.max_len:
            raise CellProblem(f"{quoted(item)} is too long for one item: at most {column.max_len}")
        elif item not in items:
            items.append(item)
    if unknown:
        listed = ", ".join(quoted(item) for item in unknown)
        allowed = ", ".join(column.choices)
        if len(column.choices) > 8:
            allowed = f"{column.choices[0]}, {column.choices[1]}, … (see the help)"
        raise CellProblem(f"{listed} not allowed: use {allowed}, separated by ;")
    return items


def parse_language_list(raw: str) -> list[str]:
    """'English;Polish', 'en;pl' or 'polish' as codes; a word that is no language is a problem."""
    parsed = parse_languages(raw.split(";"))
    if parsed.unknown:
        raise CellProblem(unknown_message(parsed.unknown))
    return parsed.codes
