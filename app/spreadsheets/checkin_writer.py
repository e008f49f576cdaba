"""Write the imported check-ins: the biggest file, as plain tuples straight to the driver."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, cast

from sqlalchemy import Table

from app.domain import CheckInStatus
from app.extensions import SessionLike
from app.models import CheckIn
from app.spreadsheets.bulk import insert_rows
from app.spreadsheets.columns import CHECKINS
from app.spreadsheets.parsed import ParsedFile, Row, rows_of

#: the file's columns after its two references (parent_ref, volunteer_email): stored as
#: they are, in columns of the same names (``columns.CHECKINS`` is the one list of them)
STORED = CHECKINS.column_names[2:]
#: what an empty cell of these columns stores (any other: NULL)
EMPTY: dict[str, Any] = {
    "successful": False,
    "coordinator_today": False,
    "topics": [],
    "concerns": [],
    "notes": "",
}
#: the check-in columns an import writes, in the order of the tuples ``_values`` makes
CHECKIN_COLUMNS = (
    "case_id",
    "volunteer_id",
    *STORED,
    "created_at",
    "updated_at",
    "submitted_at",
    "deleted_at",
    "deleted_by_id",
)


def write_checkins(
    session: SessionLike,
    files: Mapping[str, ParsedFile],
    cases: Mapping[str, int],
    user_ids: Mapping[str, int],
) -> int:
    """Insert the check-ins (nothing refers to them: no ids come back); return how many."""
    rows = rows_of(files, CHECKINS.name)
    insert_rows(
        session, cast(Table, CheckIn.__table__), CHECKIN_COLUMNS, _values(rows, cases, user_ids)
    )
    return len(rows)


def _values(
    rows: list[Row], cases: Mapping[str, int], user_ids: Mapping[str, int]
) -> Iterator[tuple[Any, ...]]:
    """One tuple per row, made as the insert takes them (never a list of them all)."""
    if not rows:
        return
    index = rows[0].index  # shared by every row of the file
    # per stored column: its position in the row's values (-1: not in the file) and default
    stored = [(index.get(name, -1), EMPTY.get(name)) for name in STORED]
    at_of, status_of = index["occurred_at"], index["status"]
    ref_of, email_of = index["parent_ref"], index["volunteer_email"]
    submitted, deleted = CheckInStatus.SUBMITTED, CheckInStatus.DELETED
    for row in rows:
        values = row.values
        at, status = values[at_of], values[status_of]
        yield (
            cases[values[ref_of]],
            user_ids[values[email_of]],
            *[
                empty if position < 0 or values[position] is None else values[position]
                for position, empty in stored
            ],
            # An imported check-in was last touched when it happened, not when imported.
            at,
            at,
            at if status == submitted else None,
            at if status == deleted else None,
            None,
        )
