"""Export: the same four files as import reads, same columns and formats, fixed row order.

Files are UTF-8 with a byte-order mark (so Excel shows accents correctly; import accepts
it) and a header row. Rows are sorted by their key (email, ref, then time), never by
database id, so exporting, importing into an empty database and exporting again gives
byte-identical files. Text a spreadsheet program would run as a formula (starting with
=, +, - or @) is written with a leading ' that import takes off again.

A parent's case columns come from the parent's latest case; assignments and check-ins
of all the parent's cases are written (an import puts them on one case).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.extensions import SessionLike
from app.models import (
    Area,
    Assignment,
    Case,
    CaseStatus,
    CheckIn,
    Parent,
    Role,
    User,
    VolunteerProfile,
)
from app.spreadsheets.cells import guard
from app.spreadsheets.columns import (
    ASSIGNMENTS,
    CHECKINS,
    PARENTS,
    VOLUNTEERS,
    Column,
    FileSpec,
    Kind,
)
from app.spreadsheets.reader import BOM
from app.timeutil import local_date, zone


@dataclass
class ExportResult:
    files: dict[str, bytes]
    counts: dict[str, int]

    def summary(self) -> str:
        return ", ".join(f"{count} rows in {name}" for name, count in self.counts.items())


def format_float(value: float) -> str:
    """The shortest text that reads back as the same float: 10 not 10.0, 51.4545."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return format(Decimal(repr(value)), "f")  # never 5e-05: spreadsheets and import want digits


def format_instant(value: datetime, tz: str | None = None) -> str:
    """Local time in ``tz`` (default: the service time zone) like 2026-11-02T14:30, with
    seconds only when they are not 0 and never a fraction of a second; with the offset only
    when ambiguous."""
    return _format_local(value, zone(tz))


def _format_local(value: datetime, local_zone: tzinfo) -> str:
    local = value.astimezone(UTC).astimezone(local_zone).replace(microsecond=0)
    naive = local.replace(tzinfo=None)
    spec = "seconds" if local.second else "minutes"
    fold0 = naive.replace(tzinfo=local_zone, fold=0).utcoffset()
    fold1 = naive.replace(tzinfo=local_zone, fold=1).utcoffset()
    if fold0 != fold1:  # the hour that happens twice when the clocks go back
        return local.isoformat(timespec=spec)
    return naive.isoformat(timespec=spec)


def format_cell(column: Column, value: Any, tz: str | None = None) -> str:
    if value is None:
        return ""
    kind = column.kind
    if kind in (Kind.TEXT, Kind.EMAIL, Kind.POSTCODE, Kind.CHOICE, Kind.EQUALITY):
        return guard(str(value))
    if kind in (Kind.LIST, Kind.LANGUAGES):
        return guard(";".join(value))
    if kind == Kind.DATE:
        return str(value.isoformat())
    if kind == Kind.INSTANT:
        return format_instant(value, tz)
    if kind == Kind.BOOL:
        return "yes" if value else "no"
    if kind == Kind.INT:
        return str(int(value))
    if kind == Kind.FLOAT:
        return format_float(float(value))
    raise AssertionError(kind)  # pragma: no cover


def cell_formatter(column: Column, tz: str | None = None) -> Callable[[Any], str]:
    """``format_cell`` for one column, with the choice of format made once."""
    kind = column.kind
    if kind == Kind.INSTANT:
        local_zone = zone(tz)

        def instant(value: Any) -> str:
            return "" if value is None else _format_local(value, local_zone)

        return instant
    if kind in (Kind.TEXT, Kind.EMAIL, Kind.POSTCODE, Kind.CHOICE, Kind.EQUALITY):
        return lambda value: "" if value is None else guard(str(value))
    if kind in (Kind.LIST, Kind.LANGUAGES):
        return lambda value: "" if value is None else guard(";".join(value))
    if kind == Kind.BOOL:
        return lambda value: "" if value is None else ("yes" if value else "no")
    if kind == Kind.INT:
        return lambda value: "" if value is None else str(int(value))
    return lambda value: format_cell(column, value, tz)


def write_csv(spec: FileSpec, rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spec.column_names)
    writer.writerows(rows)
    return BOM + buffer.getvalue().encode("utf-8")


def _format_row(spec: FileSpec, values: dict[str, Any], tz: str | None) -> list[str]:
    return [format_cell(column, values.get(column.name), tz) for column in spec.columns]


def _day(value: datetime | None, tz: str | None) -> date | None:
    return None if value is None else local_date(value, tz)


def export_spreadsheets(session: SessionLike, tz: str | None = None) -> ExportResult:
    """All volunteers, parents, assignments and check-ins as the four CSV files."""
    tables = {
        VOLUNTEERS.name: _volunteers(session, tz),
        PARENTS.name: _parents(session, tz),
        ASSIGNMENTS.name: _assignments(session, tz),
        CHECKINS.name: _checkins(session, tz),
    }
    files = {}
    counts = {}
    spec_by_name = {spec.name: spec for spec in (VOLUNTEERS, PARENTS, ASSIGNMENTS, CHECKINS)}
    for name, rows in tables.items():
        files[name] = write_csv(spec_by_name[name], rows)
        counts[name] = len(rows)
    return ExportResult(files, counts)


def _volunteers(session: SessionLike, tz: str | None) -> list[list[str]]:
    query = (
        select(User, VolunteerProfile, Area.name)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .outerjoin(Area, Area.id == VolunteerProfile.area_id)
        .where(User.role == Role.VOLUNTEER)
    )
    rows = []
    for user, profile, area in session.execute(query):
        values: dict[str, Any] = {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name or None,
            "area": area,
        }
        if profile is not None:
            for column in VOLUNTEERS.columns:
                if column.name not in values:
                    values[column.name] = getattr(profile, column.name)
        rows.append(_format_row(VOLUNTEERS, values, tz))
    return sorted(rows)


#: parents.csv columns that are plain Parent attributes.
PARENT_FIELDS = tuple(
    name
    for name in PARENTS.column_names
    if name not in {"high_risk", "closed_on", "close_reason", "area", "coordinator_email"}
)


def _parents(session: SessionLike, tz: str | None) -> list[list[str]]:
    latest = (
        select(Case.parent_id, func.max(Case.id).label("case_id"))
        .group_by(Case.parent_id)
        .subquery()
    )
    owner = aliased(User)
    query = (
        select(Parent, Case, Area.name, owner.email)
        .outerjoin(latest, latest.c.parent_id == Parent.id)
        .outerjoin(Case, Case.id == latest.c.case_id)
        .outerjoin(Area, Area.id == func.coalesce(Parent.area_id, Case.area_id))
        .outerjoin(owner, owner.id == Case.owner_id)
    )
    rows = []
    for parent, case, area, owner_email in session.execute(query):
        closed = case is not None and case.status == CaseStatus.CLOSED
        values: dict[str, Any] = {name: getattr(parent, name) for name in PARENT_FIELDS}
        values.update(
            {
                "last_name": parent.last_name or None,
                "high_risk": bool(case.high_risk) if case is not None else False,
                "closed_on": _day(case.closed_at, tz) if closed and case else None,
                "close_reason": (case.close_reason or None) if closed and case else None,
                "area": area,
                "coordinator_email": owner_email,
            }
        )
        rows.append(_format_row(PARENTS, values, tz))
    return sorted(rows)


def _assignments(session: SessionLike, tz: str | None) -> list[list[str]]:
    query = (
        select(Parent.ref, User.email, Assignment)
        .join(Case, Case.id == Assignment.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .join(User, User.id == Assignment.volunteer_id)
    )
    rows = []
    for ref, email, assignment in session.execute(query):
        ended = _day(assignment.ended_at, tz)
        values = {
            "parent_ref": ref,
            "volunteer_email": email,
            "started_on": _day(assignment.started_at, tz),
            "ended_on": ended,
            "end_reason": (assignment.end_reason or None) if ended else None,
        }
        rows.append(_format_row(ASSIGNMENTS, values, tz))
    return sorted(rows)


#: the check-in columns exported, in the order of ``CHECKINS`` after the ref and email
CHECKIN_FIELDS = (
    "occurred_at",
    "mode",
    "duration_min",
    "successful",
    "wellbeing",
    "bonding",
    "whooley_down",
    "whooley_interest",
    "topics",
    "concerns",
    "coordinator_today",
    "notes",
    "status",
)


def _checkins(session: SessionLike, tz: str | None) -> list[list[str]]:
    """Columns, not objects (100,000 ORM objects cost more than the rest of the export);
    each column's formatter is picked once, not per cell."""
    query = (
        select(Parent.ref, User.email, *(getattr(CheckIn, name) for name in CHECKIN_FIELDS))
        .join(Case, Case.id == CheckIn.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .join(User, User.id == CheckIn.volunteer_id)
    )
    names = ("parent_ref", "volunteer_email", *CHECKIN_FIELDS)
    order = [names.index(column.name) for column in CHECKINS.columns]
    formats = [cell_formatter(column, tz) for column in CHECKINS.columns]
    notes = names.index("notes")
    keyed = []
    for record in session.execute(query):
        values = list(record)
        values[notes] = values[notes] or None
        row = [format_(values[index]) for format_, index in zip(formats, order, strict=True)]
        ref, email, occurred_at = record[0], record[1], record[2]
        keyed.append(((ref, occurred_at.replace(microsecond=0), email, row), row))
    keyed.sort(key=lambda item: item[0])
    return [row for _key, row in keyed]
