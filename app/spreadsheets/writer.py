"""Write checked rows in the caller's transaction: set-based bulk inserts, file by file.

Areas first, then volunteers (accounts and profiles), parents with their cases,
assignments, check-ins; each step returns the ids the next one refers to.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, insert, select, update

from app.domain import CaseStatus, Role, VolunteerStatus
from app.equality import FIELD_NAMES
from app.extensions import Base, SessionLike
from app.matching.profiles import next_stamp
from app.models import Area, Assignment, Case, Parent, User, VolunteerProfile
from app.search_keys import parent_search_key, phone_digits, user_search_key
from app.spreadsheets.checkin_writer import write_checkins
from app.spreadsheets.columns import ASSIGNMENTS, PARENTS, VOLUNTEERS
from app.spreadsheets.lookup import Lookup, chunks
from app.spreadsheets.parsed import ParsedFile, Row, rows_of
from app.timeutil import day_start, local_date


@dataclass
class ImportCounts:
    volunteers_created: int = 0
    volunteers_updated: int = 0
    parents: int = 0
    assignments: int = 0
    checkins: int = 0
    areas_created: int = 0

    def summary(self) -> str:
        """Counts only, in words (used on screen, by the CLI and in the audit event)."""
        parts = [
            f"{self.volunteers_created} new volunteers",
            f"{self.volunteers_updated} volunteers updated",
            f"{self.parents} parents",
            f"{self.assignments} assignments",
            f"{self.checkins} check-ins",
        ]
        if self.areas_created:
            parts.append(f"{self.areas_created} new areas")
        return ", ".join(parts)


#: rows per multi-row INSERT (SQLAlchemy's default is 1000): on PostgreSQL, statements of
#: 1000 parent rows of 40 columns (40,000 parameters each) raised the import's peak memory
#: by 30 MB, 250 rows by 11 MB (bench/spreadsheets_import.py); 20 statements per 5,000
PAGE_SIZE = 250


def _insert(model: type[Base]) -> Insert:
    """A Core INSERT on the model's table: with every row giving the same keys, the rows go
    out as multi-row statements of ``PAGE_SIZE`` rows (the ORM would split them by which
    values are None)."""
    return insert(cast(Table, model.__table__)).execution_options(
        insertmanyvalues_page_size=PAGE_SIZE
    )


def _user_key(row: Row, last_name: str | None = None) -> str:
    """The search key of a volunteer's account (Core writes skip the model's listener)."""
    last = row.get("last_name") if last_name is None else last_name
    return user_search_key(row.get("first_name"), last, row.get("email"))


def _stored_last_names(session: SessionLike, user_ids: list[int]) -> dict[int, str]:
    """The last names stored for these accounts, read in chunks (bounded IN lists)."""
    found: dict[int, str] = {}
    for chunk in chunks(user_ids):
        found.update(
            session.execute(select(User.id, User.last_name).where(User.id.in_(chunk))).all()
        )
    return found


def write_rows(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: Lookup,
    tz: str | None,
) -> ImportCounts:
    counts = ImportCounts()
    areas = _write_areas(session, now, files, lookup, counts)
    user_ids = {email: uid for email, (uid, _role) in lookup.users.items()}
    user_ids.update(_write_volunteers(session, now, files, lookup, areas, counts))
    cases = _write_parents(session, now, files, lookup, areas, user_ids, tz, counts)
    _write_assignments(session, files, lookup, cases, user_ids, tz, counts)
    counts.checkins = write_checkins(session, files, cases, user_ids)
    return counts


def _write_areas(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: Lookup,
    counts: ImportCounts,
) -> dict[str, int]:
    """Area ids by lower-case name, creating the areas the files name that are new."""
    areas = dict(lookup.areas)
    new: dict[str, str] = {}
    for name in (VOLUNTEERS.name, PARENTS.name):
        for row in rows_of(files, name):
            area = row.get("area")
            if area and area.lower() not in areas:
                new.setdefault(area.lower(), area)
    if new:
        result = session.execute(
            _insert(Area).returning(Area.id, Area.name),
            [{"name": name, "created_at": now} for name in new.values()],
        )
        for area_id, name in result:
            areas[name.lower()] = area_id
        counts.areas_created = len(new)
    return areas


def _area_id(row: Row, areas: Mapping[str, int]) -> int | None:
    area = row.get("area")
    return areas[area.lower()] if area else None


def _profile_values(
    row: Row, present: frozenset[str], areas: Mapping[str, int], *, new: bool
) -> dict[str, Any]:
    """A profile's values from its row. A new profile gets every field (a column the file
    leaves out: not known, or its default); an existing one only the fields of the
    columns the file has, so a column left out leaves that field as it is."""
    values: dict[str, Any] = {
        "postcode": row.get("postcode"),
        "latitude": row.get("latitude"),
        "longitude": row.get("longitude"),
        "languages": row.get("languages") or [],
        "stages": row.get("stages") or [],
        "tags": row.get("tags") or [],
        "availability": row.get("availability") or [],
        "max_caseload": 3 if row.get("max_caseload") is None else row.get("max_caseload"),
        "travel_km": row.get("travel_km"),
        "remote_only": bool(row.get("remote_only")),
        "training_completed_on": row.get("training_completed_on"),
        "training_expires_on": row.get("training_expires_on"),
        "dbs_checked_on": row.get("dbs_checked_on"),
        "dbs_expires_on": row.get("dbs_expires_on"),
        "status": row.get("status") or VolunteerStatus.ACTIVE.value,
        "area_id": _area_id(row, areas),
    }
    if new:
        return values
    column_of = {"area_id": "area"}
    return {key: value for key, value in values.items() if column_of.get(key, key) in present}


def _write_volunteers(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: Lookup,
    areas: Mapping[str, int],
    counts: ImportCounts,
) -> dict[str, int]:
    parsed = files.get(VOLUNTEERS.name)
    if parsed is None or not parsed.rows:
        return {}
    new_rows = [row for row in parsed.rows if row.get("email") not in lookup.users]
    old_rows = [row for row in parsed.rows if row.get("email") in lookup.users]
    created: dict[str, int] = {}
    if new_rows:
        result = session.execute(
            _insert(User).returning(User.id, User.email),
            [
                {
                    "email": row.get("email"),
                    "first_name": row.get("first_name"),
                    "last_name": row.get("last_name") or "",
                    "search_key": _user_key(row),
                    "role": Role.VOLUNTEER.value,
                    "password_hash": None,
                    "active": True,
                    "session_token": secrets.token_urlsafe(32),
                    "created_at": now,
                }
                for row in new_rows
            ],
        )
        created = {email: user_id for user_id, email in result}
        session.execute(
            _insert(VolunteerProfile),
            [
                {
                    "user_id": created[row.get("email")],
                    "updated_at": now,
                    **_profile_values(row, parsed.present, areas, new=True),
                }
                for row in new_rows
            ],
        )
    if old_rows:
        # a file without the column keeps each stored last name (and the search key with it)
        keep = "last_name" not in parsed.present
        ids = [lookup.users[r.get("email")][0] for r in old_rows]
        kept = _stored_last_names(session, ids) if keep else {}

        def _last_name(row: Row) -> str:
            if keep:
                return kept.get(lookup.users[row.get("email")][0]) or ""
            return row.get("last_name") or ""

        session.execute(
            update(User),
            [
                {
                    "id": lookup.users[row.get("email")][0],
                    "first_name": row.get("first_name"),
                    # a file without the column leaves the last name as it is
                    "last_name": _last_name(row),
                    "search_key": _user_key(row, _last_name(row)),
                }
                for row in old_rows
            ],
        )
        with_profile = [r for r in old_rows if lookup.users[r.get("email")][0] in lookup.profiles]
        without = [r for r in old_rows if lookup.users[r.get("email")][0] not in lookup.profiles]
        if with_profile:
            session.execute(
                update(VolunteerProfile),
                [
                    {
                        "id": lookup.profiles[lookup.users[row.get("email")][0]],
                        # always forward, even re-importing as of an earlier --now: the
                        # volunteer-pool cache sees the change (app.matching.pool_cache)
                        "updated_at": next_stamp(
                            lookup.profile_stamps[lookup.users[row.get("email")][0]], now
                        ),
                        **_profile_values(row, parsed.present, areas, new=False),
                    }
                    for row in with_profile
                ],
            )
        if without:
            session.execute(
                _insert(VolunteerProfile),
                [
                    {
                        "user_id": lookup.users[row.get("email")][0],
                        "updated_at": now,
                        **_profile_values(row, parsed.present, areas, new=True),
                    }
                    for row in without
                ],
            )
    counts.volunteers_created = len(new_rows)
    counts.volunteers_updated = len(old_rows)
    return created


def _write_parents(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: Lookup,
    areas: Mapping[str, int],
    user_ids: Mapping[str, int],
    tz: str | None,
    counts: ImportCounts,
) -> dict[str, int]:
    """Insert parents and their cases; return the case id for every ref the files use."""
    cases: dict[str, int] = {
        ref: state.case_id for ref, state in lookup.parents.items() if state.case_id is not None
    }
    rows = rows_of(files, PARENTS.name)
    if not rows:
        return cases
    today = local_date(now, tz)  # the referral date a row does not give

    def referred_on(row: Row) -> Any:
        return row.get("referred_on") or today

    open_refs = {
        row.get("parent_ref")
        for row in rows_of(files, ASSIGNMENTS.name)
        if row.get("ended_on") is None
    }
    result = session.execute(
        _insert(Parent).returning(Parent.id, Parent.ref),
        [
            {
                "ref": row.get("ref"),
                "first_name": row.get("first_name"),
                "last_name": row.get("last_name") or "",
                "email": row.get("email"),
                "phone": row.get("phone"),
                "postcode": row.get("postcode"),
                "latitude": row.get("latitude"),
                "longitude": row.get("longitude"),
                "languages": row.get("languages") or [],
                "due_date": row.get("due_date"),
                "birth_date": row.get("birth_date"),
                "tags": row.get("tags") or [],
                "contact_mode": row.get("contact_mode"),
                "availability": row.get("availability") or [],
                "referral_source": row.get("referral_source"),
                "referred_on": referred_on(row),
                "consent_on": row.get("consent_on"),
                "consent_method": row.get("consent_method"),
                "consent_scope": row.get("consent_scope"),
                **{name: row.get(name) for name in FIELD_NAMES},
                "area_id": _area_id(row, areas),
                "created_at": now,
                "search_key": parent_search_key(
                    row.get("first_name"),
                    row.get("last_name"),
                    row.get("email"),
                    row.get("postcode"),
                    row.get("ref"),
                ),
                "phone_digits": phone_digits(row.get("phone")),
            }
            for row in rows
        ],
    )
    parent_ids: dict[str, int] = {ref: parent_id for parent_id, ref in result}

    def status(row: Row) -> str:
        if row.get("closed_on") is not None:
            return CaseStatus.CLOSED.value
        if row.get("ref") in open_refs:
            return CaseStatus.ACTIVE.value
        return CaseStatus.WAITING.value

    case_rows = session.execute(
        _insert(Case).returning(Case.id, Case.parent_id),
        [
            {
                "parent_id": parent_ids[row.get("ref")],
                "status": status(row),
                "area_id": _area_id(row, areas),
                "owner_id": user_ids.get(row.get("coordinator_email") or ""),
                "high_risk": bool(row.get("high_risk")),
                "referred_at": day_start(referred_on(row), tz),
                "closed_at": day_start(row.get("closed_on"), tz) if row.get("closed_on") else None,
                "close_reason": row.get("close_reason") if row.get("closed_on") else None,
                "created_at": now,
            }
            for row in rows
        ],
    )
    refs_by_id: dict[int, str] = {parent_id: ref for ref, parent_id in parent_ids.items()}
    for case_id, parent_id in case_rows:
        cases[refs_by_id[parent_id]] = case_id
    counts.parents = len(rows)
    return cases


def _write_assignments(
    session: SessionLike,
    files: Mapping[str, ParsedFile],
    lookup: Lookup,
    cases: Mapping[str, int],
    user_ids: Mapping[str, int],
    tz: str | None,
    counts: ImportCounts,
) -> None:
    rows = rows_of(files, ASSIGNMENTS.name)
    if not rows:
        return
    session.execute(
        _insert(Assignment),
        [
            {
                "case_id": cases[row.get("parent_ref")],
                "volunteer_id": user_ids[row.get("volunteer_email")],
                "assigned_by_id": None,
                "started_at": day_start(row.get("started_on"), tz),
                "ended_at": day_start(row.get("ended_on"), tz) if row.get("ended_on") else None,
                "end_reason": row.get("end_reason") if row.get("ended_on") else None,
            }
            for row in rows
        ],
    )
    # A parent already in Corner whose waiting case now has an open assignment is active.
    now_active = [
        lookup.parents[row.get("parent_ref")].case_id
        for row in rows
        if row.get("ended_on") is None and row.get("parent_ref") in lookup.parents
    ]
    for chunk in chunks(now_active):
        session.execute(
            update(Case)
            .where(Case.id.in_(chunk), Case.status != CaseStatus.CLOSED)
            .values(status=CaseStatus.ACTIVE.value),
            execution_options={"synchronize_session": False},
        )
    counts.assignments = len(rows)
