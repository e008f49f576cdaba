"""Write the imported check-ins: the biggest file, as plain tuples straight to the driver."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table

from app.domain import CheckInStatus
from app.extensions import SessionLike
from app.models import CheckIn
from app.spreadsheets.bulk import insert_rows
from app.spreadsheets.columns import CHECKINS
from app.spreadsheets.parsed import ParsedFile, rows_of

#: the check-in columns an import writes, in the order of the tuples ``_write_checkins`` makes
CHECKIN_COLUMNS = (
    "case_id",
    "volunteer_id",
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
    values = []
    for row in rows:
        get = row.values.get
        at = get("occurred_at")
        status = get("status")
        values.append(
            (
                cases[row.values["parent_ref"]],
                user_ids[row.values["volunteer_email"]],
                at,
                get("mode"),
                get("duration_min"),
                bool(get("successful")),
                get("wellbeing"),
                get("bonding"),
                get("whooley_down"),
                get("whooley_interest"),
                get("topics") or [],
                get("concerns") or [],
                bool(get("coordinator_today")),
                get("notes") or "",
                status,
                # An imported check-in was last touched when it happened, not when imported.
                at,
                at,
                at if status == CheckInStatus.SUBMITTED else None,
                at if status == CheckInStatus.DELETED else None,
                None,
            )
        )
    insert_rows(session, cast(Table, CheckIn.__table__), CHECKIN_COLUMNS, values)
    return len(rows)
