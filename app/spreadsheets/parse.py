"""Pure parsing and checking of the spreadsheet files: bytes in, typed rows and problems out.

Nothing here touches the database. A problem is reported as ``file:line: column: problem``
where line 1 is the header row and line N is the N-th row a spreadsheet program shows
(a cell with line breaks inside it is still one row).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.models import CheckInStatus
from app.spreadsheets.columns import (
    ASSIGNMENTS,
    CHECKINS,
    FILE_NAMES,
    PARENTS,
    SPECS,
    VOLUNTEERS,
    Column,
    FileSpec,
    Kind,
)
from app.timeutil import DEFAULT_TZ

BOM = b"\xef\xbb\xbf"
#: A cell starting with one of these is written with a leading ' so that spreadsheet
#: programs do not run it as a formula; reading takes the ' off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MIN_YEAR, MAX_YEAR = 1900, 2100

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
INSTANT_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})?"
)
INT_RE = re.compile(r"[+-]?\d+")
FLOAT_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
POSTCODE_RE = re.compile(r"[A-Z0-9 ]{2,10}")
SURROGATE_RE = re.compile("[\udc80-\udcff\x00]")  # bytes that are not UTF-8, or NUL


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or the header), in the words the user sees."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.message}"

    def sort_key(self) -> tuple[int, str, int, int, str, str]:
        rank = FILE_NAMES.index(self.file) if self.file in FILE_NAMES else len(FILE_NAMES)
        spec = SPECS.get(self.file)
        position = spec.position(self.column) if spec else 0
        return (rank, self.file, self.line, position, self.column, self.message)


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    """By file (in the order of DESIGN.md's table), then line, then column."""
    return sorted(set(problems), key=Problem.sort_key)


class CellProblem(ValueError):
    """A cell's text cannot be read as its column's kind."""


@dataclass
class Row:
    """One data row: the parsed value of every column in the file (None = empty or bad)."""

    line: int
    values: dict[str, Any]
    bad: set[str] = field(default_factory=set)

    def get(self, name: str) -> Any:
        return self.values.get(name)


@dataclass
class ParsedFile:
    spec: FileSpec
    present: frozenset[str]  # the spec's columns that the header has
    rows: list[Row]


class Problems:
    """Collects problems; ``add`` also marks the row's cell as bad."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, line: int, column: str, message: str, row: Row | None = None) -> None:
        self.items.append(Problem(file, line, column, message))
        if row is not None:
            row.bad.add(column)

    def __bool__(self) -> bool:
        return bool(self.items)

    def sorted(self) -> list[Problem]:
        return sorted_problems(self.items)


# --------------------------------------------------------------------------- cells


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
    if not DATE_RE.fullmatch(raw):
        raise CellProblem(f"{quoted(raw)} is not a date: write it as YYYY-MM-DD, like 2026-11-02")
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise CellProblem(f"{quoted(raw)} is not a real date") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise CellProblem(f"{quoted(raw)} is not a likely date (the year is {value.year})")
    return value


def parse_instant(raw: str, tz: str) -> datetime:
    """ISO 8601 date and time; without an offset it is local time in ``tz``. Returns UTC."""
    match = INSTANT_RE.fullmatch(raw)
    if not match:
        raise CellProblem(f"{quoted(raw)} is not a date and time: write it like 2026-11-02T14:30")
    offset = match["offset"] or ""
    try:
        value = datetime.fromisoformat(f"{match['date']}T{match['time']}{offset}")
    except ValueError:
        raise CellProblem(f"{quoted(raw)} is not a real date and time") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise CellProblem(f"{quoted(raw)} is not a likely date (the year is {value.year})")
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    zone = ZoneInfo(tz)
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value:
        raise CellProblem(f"{quoted(raw)} does not exist in {tz}: the clocks went forward then")
    if first.utcoffset() != second.utcoffset():
        raise CellProblem(
            f"{quoted(raw)} happens twice in {tz} (the clocks went back): add the offset, "
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


def parse_cell(column: Column, raw: str, tz: str = DEFAULT_TZ) -> Any:
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


# --------------------------------------------------------------------------- files


def read_file(spec: FileSpec, data: bytes, problems: Problems, tz: str = DEFAULT_TZ) -> ParsedFile:
    """Parse one file's bytes into rows; every bad cell becomes a problem."""
    name = spec.name
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        problems.add(name, 1, "header", _not_utf8() + " (this looks like UTF-16)")
        return ParsedFile(spec, frozenset(), [])
    text = data.decode("utf-8", errors="surrogateescape")
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline="")):
            records.append(record)
    except csv.Error as error:
        problems.add(name, len(records) + 1, "row", f"cannot be read as CSV ({error})")
        return ParsedFile(spec, frozenset(), [])
    if not records or not any(cell.strip() for cell in records[0]):
        problems.add(name, 1, "header", "the first row must name the columns (it is empty)")
        return ParsedFile(spec, frozenset(), [])

    header = [cell.strip().lower() for cell in records[0]]
    if len(header) == 1 and ";" in header[0] and header[0].split(";")[0] in spec.column_names:
        problems.add(
            name,
            1,
            "header",
            "the columns are separated by ; not by commas: save the file as "
            '"CSV UTF-8 (comma delimited)"',
        )
        return ParsedFile(spec, frozenset(), [])
    positions: dict[str, int] = {}
    for index, heading in enumerate(header):
        if SURROGATE_RE.search(heading):
            problems.add(name, 1, f"column {index + 1}", _not_utf8())
        elif not heading:
            continue
        elif heading in positions:
            problems.add(name, 1, heading, "appears twice in the header")
        elif heading not in spec.column_names:
            problems.add(name, 1, heading, _unknown_column(spec, heading))
        else:
            positions[heading] = index
    for column in spec.columns:
        if column.name not in positions and not column.optional:
            problems.add(name, 1, column.name, "missing column")

    known = set(positions.values())
    columns = {column.name: column for column in spec.columns}
    rows: list[Row] = []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank row
        row = Row(line, {})
        for index, cell in enumerate(record):
            if index not in known and cell.strip() and not (index < len(header) and header[index]):
                problems.add(
                    name, line, f"column {index + 1}", "has a value but no column name in row 1"
                )
        for column_name, index in positions.items():
            column = columns[column_name]
            raw = record[index] if index < len(record) else ""
            row.values[column_name] = None
            if SURROGATE_RE.search(raw):
                problems.add(name, line, column_name, _not_utf8(), row)
                continue
            raw = unguard(raw.strip())
            if not raw:
                if column.required:
                    problems.add(name, line, column_name, "is empty: every row needs one", row)
                continue
            try:
                row.values[column_name] = parse_cell(column, raw, tz)
            except CellProblem as problem:
                problems.add(name, line, column_name, str(problem), row)
        rows.append(row)
    return ParsedFile(spec, frozenset(positions), rows)


def _not_utf8() -> str:
    return 'is not UTF-8 text: save the file as "CSV UTF-8" and try again'


def _unknown_column(spec: FileSpec, heading: str) -> str:
    close = difflib.get_close_matches(heading, spec.column_names, n=1)
    hint = f'did you mean "{close[0]}"?' if close else "the columns are listed in the help"
    return f"unknown column: {hint}"


# --------------------------------------------------------------------------- rows


def check_rows(files: dict[str, ParsedFile], problems: Problems) -> None:
    """Checks within one file that need no database: pairs of cells, repeats, order."""
    if VOLUNTEERS.name in files:
        _check_volunteers(files[VOLUNTEERS.name], problems)
    if PARENTS.name in files:
        _check_parents(files[PARENTS.name], problems)
    if ASSIGNMENTS.name in files:
        _check_assignments(files[ASSIGNMENTS.name], problems)
    if CHECKINS.name in files:
        _check_checkins(files[CHECKINS.name], problems)


def _both_or_neither(name: str, row: Row, problems: Problems) -> None:
    lat, lon = row.get("latitude"), row.get("longitude")
    if "latitude" in row.bad or "longitude" in row.bad:
        return
    if lat is None and lon is not None:
        problems.add(name, row.line, "latitude", "is empty but longitude is given: give both", row)
    if lon is None and lat is not None:
        problems.add(name, row.line, "longitude", "is empty but latitude is given: give both", row)


def _not_before(
    name: str, row: Row, problems: Problems, early: str, late: str, what: str = ""
) -> None:
    first, second = row.get(early), row.get(late)
    if first is not None and second is not None and second < first:
        problems.add(name, row.line, late, f"is before {early} ({first.isoformat()}){what}", row)


def _repeats(
    name: str, rows: list[Row], key_of: Any, column: str, what: str, problems: Problems
) -> None:
    seen: dict[Any, int] = {}
    for row in rows:
        key = key_of(row)
        if key is None:
            continue
        if key in seen:
            problems.add(name, row.line, column, f"{what} is also on line {seen[key]}", row)
        else:
            seen[key] = row.line


def _check_volunteers(parsed: ParsedFile, problems: Problems) -> None:
    name = parsed.spec.name
    for row in parsed.rows:
        _both_or_neither(name, row, problems)
        _not_before(name, row, problems, "dbs_checked_on", "dbs_expires_on")
    _repeats(
        name,
        parsed.rows,
        lambda row: row.get("email"),
        "email",
        "the same volunteer",
        problems,
    )


def _check_parents(parsed: ParsedFile, problems: Problems) -> None:
    name = parsed.spec.name
    for row in parsed.rows:
        _both_or_neither(name, row, problems)
        _not_before(name, row, problems, "referred_on", "closed_on")
        if row.get("close_reason") and row.get("closed_on") is None and "closed_on" not in row.bad:
            problems.add(name, row.line, "close_reason", "is given but closed_on is empty", row)
    _repeats(name, parsed.rows, lambda row: row.get("ref"), "ref", "the same ref", problems)


def _check_assignments(parsed: ParsedFile, problems: Problems) -> None:
    name = parsed.spec.name
    for row in parsed.rows:
        _not_before(name, row, problems, "started_on", "ended_on")
        if row.get("end_reason") and row.get("ended_on") is None and "ended_on" not in row.bad:
            problems.add(name, row.line, "end_reason", "is given but ended_on is empty", row)

    def key(row: Row) -> tuple[Any, ...] | None:
        values = (row.get("parent_ref"), row.get("volunteer_email"), row.get("started_on"))
        return None if None in values else values

    _repeats(name, parsed.rows, key, "started_on", "the same assignment", problems)
    open_line: dict[str, int] = {}
    for row in parsed.rows:
        ref = row.get("parent_ref")
        if ref is None or row.get("ended_on") is not None or "ended_on" in row.bad:
            continue
        if ref in open_line:
            problems.add(
                name,
                row.line,
                "ended_on",
                f"is empty, but parent {ref} already has an open assignment on line "
                f"{open_line[ref]}: a parent has one volunteer at a time",
                row,
            )
        else:
            open_line[ref] = row.line


def checkin_key(row: Row) -> tuple[Any, ...] | None:
    """What makes two check-in rows the same contact (deleted ones never clash)."""
    values = (
        row.get("parent_ref"),
        row.get("volunteer_email"),
        row.get("occurred_at"),
        row.get("status"),
    )
    if None in values or values[3] == CheckInStatus.DELETED:
        return None
    return values


def _check_checkins(parsed: ParsedFile, problems: Problems) -> None:
    _repeats(
        parsed.spec.name,
        parsed.rows,
        checkin_key,
        "occurred_at",
        "the same check-in (parent, volunteer, time and status)",
        problems,
    )
