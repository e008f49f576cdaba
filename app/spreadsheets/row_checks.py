"""Checks within one file that need no database: pairs of cells, repeats, order (pure)."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.dates import DateKind, date_problem, due_kind
from app.domain import CheckInStatus
from app.spreadsheets.columns import ASSIGNMENTS, CHECKINS, PARENTS, VOLUNTEERS
from app.spreadsheets.parsed import ParsedFile, Problems, Row


def check_rows(files: dict[str, ParsedFile], problems: Problems, today: date | None = None) -> None:
    """Checks within one file that need no database: pairs of cells, repeats, order, and
    (given ``today``) the plausible dates every form asks for (``app.dates``)."""
    if VOLUNTEERS.name in files:
        _check_volunteers(files[VOLUNTEERS.name], problems)
        if today is not None:
            _check_dates(files[VOLUNTEERS.name], problems, today, VOLUNTEER_DATES, set())
    if PARENTS.name in files:
        _check_parents(files[PARENTS.name], problems)
        if today is not None:
            _check_dates(files[PARENTS.name], problems, today, PARENT_DATES, HISTORY_DATES)
    if ASSIGNMENTS.name in files:
        _check_assignments(files[ASSIGNMENTS.name], problems)
    if CHECKINS.name in files:
        _check_checkins(files[CHECKINS.name], problems)


#: column -> the kind of date it holds (``app.dates``)
PARENT_DATES: dict[str, str] = {
    "due_date": DateKind.DUE,
    "birth_date": DateKind.BIRTH,
    "referred_on": DateKind.REFERRAL,
    "consent_on": DateKind.CONSENT,
}
VOLUNTEER_DATES: dict[str, str] = {
    "training_completed_on": DateKind.VOLUNTEER_PAST,
    "training_expires_on": DateKind.DBS_EXPIRY,
    "dbs_checked_on": DateKind.VOLUNTEER_PAST,
    "dbs_expires_on": DateKind.DBS_EXPIRY,
}
#: the history of a closed case is old by nature: for a row with ``closed_on``, these are
#: only held to their latest bound (not in the future; and the 1900-2100 of every date cell)
HISTORY_DATES = {"due_date", "birth_date", "referred_on", "consent_on"}


def _check_dates(
    parsed: ParsedFile,
    problems: Problems,
    today: date,
    kinds: dict[str, str],
    history: set[str],
) -> None:
    name = parsed.spec.name
    for row in parsed.rows:
        closed = row.get("closed_on") is not None
        for column, kind in kinds.items():
            value = row.get(column)
            if value is None or column in row.bad:
                continue
            if kind == DateKind.DUE:
                kind = due_kind(row.get("birth_date"))
            problem = date_problem(kind, value, today, history=closed and column in history)
            if problem is not None:
                message = problem[0].lower() + problem[1:].rstrip(".")
                text = f"{value.isoformat()} is not a plausible date: {message}"
                problems.add(name, row.line, column, text, row)


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
        _not_before(name, row, problems, "training_completed_on", "training_expires_on")
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
        if (
            row.get("closed_on") is not None
            and row.get("referred_on") is None
            and "referred_on" not in row.bad
        ):  # an unknown referral date is the day of the import: after the case closed
            problems.add(
                name, row.line, "referred_on", "is not given but closed_on is: give both", row
            )
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
