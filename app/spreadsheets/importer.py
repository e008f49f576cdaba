"""The import service: check every file against each other and the database, then write.

All-or-nothing: every problem is collected before anything is written; if there is one,
nothing is added to the session. Otherwise the rows are written with set-based bulk
inserts in the caller's transaction (flush, never commit). Importing raises no flags and
sends no email: the escalation scan sees imported data like any other.

Re-import rules (the key of each file):

* volunteers.csv: ``email``. A new email creates a volunteer account (no password: an
  admin sends the invitation later) and profile; an email that is already a volunteer
  updates their name and whole profile from the row (an absent ``area`` column keeps the
  area); an email of a coordinator or admin account is a problem.
* parents.csv: ``ref``. Parents are only ever added: a ref already in Corner is a problem
  (change existing parents in Corner, where every change is audited).
* assignments.csv: ``parent_ref`` + ``volunteer_email`` + ``started_on``; a row equal to
  an assignment already in Corner is a problem, so a file cannot be imported twice.
* checkins.csv: ``parent_ref`` + ``volunteer_email`` + ``occurred_at`` + ``status``
  (deleted check-ins excepted); likewise a repeat of one already in Corner is a problem.

Rows for a parent already in Corner attach to that parent's latest case.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Insert, Table, func, insert, select, update

from app.audit import record
from app.extensions import Base, SessionLike
from app.models import (
    Area,
    Assignment,
    Case,
    CaseStatus,
    CheckIn,
    CheckInStatus,
    Parent,
    Role,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from app.spreadsheets.columns import (
    ASSIGNMENTS,
    CHECKINS,
    FILE_NAMES,
    PARENTS,
    SPECS,
    VOLUNTEERS,
)
from app.spreadsheets.parse import (
    ParsedFile,
    Problem,
    Problems,
    Row,
    check_rows,
    checkin_key,
    read_file,
)
from app.timeutil import DEFAULT_TZ, day_start, local_date

CHUNK = 500  # values per IN (...) list: well below SQLite's limit on parameters


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


@dataclass
class ImportResult:
    problems: list[Problem]
    counts: ImportCounts = field(default_factory=ImportCounts)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _ParentInCorner:
    parent_id: int
    case_id: int | None
    case_status: str | None
    has_open_assignment: bool


@dataclass
class _Lookup:
    """What the database already holds about the emails, refs and areas the files name."""

    users: dict[str, tuple[int, str]] = field(default_factory=dict)  # email -> (id, role)
    profiles: dict[int, int] = field(default_factory=dict)  # user id -> profile id
    parents: dict[str, _ParentInCorner] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)  # lower-case name -> id
    assignment_keys: set[tuple[int, int, date]] = field(default_factory=set)
    checkin_keys: set[tuple[int, int, datetime, str]] = field(default_factory=set)


def _insert(model: type[Base]) -> Insert:
    """A Core INSERT on the model's table: with every row giving the same keys, the rows go
    out as a few multi-row statements (the ORM would split them by which values are None)."""
    return insert(cast(Table, model.__table__))


def _chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _rows(files: Mapping[str, ParsedFile], name: str) -> list[Row]:
    parsed = files.get(name)
    return parsed.rows if parsed else []


def _values(files: Mapping[str, ParsedFile], name: str, column: str) -> set[Any]:
    return {row.get(column) for row in _rows(files, name)} - {None}


def import_spreadsheets(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, bytes],
    *,
    actor_id: int | None = None,
    ip: str | None = None,
    tz: str = DEFAULT_TZ,
) -> ImportResult:
    """Check ``files`` (file name -> bytes) and, if nothing is wrong, write them all."""
    problems = Problems()
    parsed: dict[str, ParsedFile] = {}
    for name, data in files.items():
        if name not in FILE_NAMES:
            problems.add(name, 1, "file", f"unknown file name: use {', '.join(FILE_NAMES)}")
            continue
        parsed[name] = read_file(SPECS[name], data, problems, tz)
    if not parsed and not problems:
        problems.add("(none)", 0, "file", f"no files to import: give {', '.join(FILE_NAMES)}")
    check_rows(parsed, problems)
    lookup = _look_up(session, parsed, tz)
    _check_against(parsed, lookup, problems)
    if problems:
        return ImportResult(problems.sorted())

    counts = _write(session, now, parsed, lookup, tz)
    record(
        session,
        now,
        "spreadsheets.imported",
        actor_id=actor_id,
        object_type="import",
        ip=ip,
        detail=counts.summary(),
    )
    session.flush()
    return ImportResult([], counts)


# --------------------------------------------------------------------------- look up


def _look_up(session: SessionLike, files: Mapping[str, ParsedFile], tz: str) -> _Lookup:
    """A few set-based queries, however many rows the files have."""
    lookup = _Lookup()
    emails = (
        _values(files, VOLUNTEERS.name, "email")
        | _values(files, PARENTS.name, "coordinator_email")
        | _values(files, ASSIGNMENTS.name, "volunteer_email")
        | _values(files, CHECKINS.name, "volunteer_email")
    )
    for chunk in _chunks(emails):
        for user_id, email, role in session.execute(
            select(User.id, func.lower(User.email), User.role).where(
                func.lower(User.email).in_(chunk)
            )
        ):
            lookup.users[email] = (user_id, role)
    volunteer_ids = [uid for uid, role in lookup.users.values() if role == Role.VOLUNTEER]
    for chunk in _chunks(volunteer_ids):
        for profile_id, user_id in session.execute(
            select(VolunteerProfile.id, VolunteerProfile.user_id).where(
                VolunteerProfile.user_id.in_(chunk)
            )
        ):
            lookup.profiles[user_id] = profile_id

    refs = (
        _values(files, PARENTS.name, "ref")
        | _values(files, ASSIGNMENTS.name, "parent_ref")
        | _values(files, CHECKINS.name, "parent_ref")
    )
    for chunk in _chunks(refs):
        for parent_id, ref in session.execute(
            select(Parent.id, Parent.ref).where(Parent.ref.in_(chunk))
        ):
            lookup.parents[ref] = _ParentInCorner(parent_id, None, None, False)
    by_parent = {state.parent_id: state for state in lookup.parents.values()}
    for chunk in _chunks(by_parent):
        latest = select(func.max(Case.id)).where(Case.parent_id.in_(chunk)).group_by(Case.parent_id)
        for case_id, parent_id, status in session.execute(
            select(Case.id, Case.parent_id, Case.status).where(Case.id.in_(latest))
        ):
            by_parent[parent_id].case_id = case_id
            by_parent[parent_id].case_status = status
    by_case = {s.case_id: s for s in lookup.parents.values() if s.case_id is not None}
    referenced = _values(files, ASSIGNMENTS.name, "parent_ref") | _values(
        files, CHECKINS.name, "parent_ref"
    )
    cases_used = [
        lookup.parents[ref].case_id
        for ref in referenced
        if ref in lookup.parents and lookup.parents[ref].case_id is not None
    ]
    for chunk in _chunks(cases_used):
        for case_id, volunteer_id, started_at, ended_at in session.execute(
            select(
                Assignment.case_id,
                Assignment.volunteer_id,
                Assignment.started_at,
                Assignment.ended_at,
            ).where(Assignment.case_id.in_(chunk))
        ):
            lookup.assignment_keys.add((case_id, volunteer_id, local_date(started_at, tz)))
            if ended_at is None:
                by_case[case_id].has_open_assignment = True
        if CHECKINS.name in files:
            for case_id, volunteer_id, occurred_at, status in session.execute(
                select(
                    CheckIn.case_id, CheckIn.volunteer_id, CheckIn.occurred_at, CheckIn.status
                ).where(CheckIn.case_id.in_(chunk), CheckIn.status != CheckInStatus.DELETED)
            ):
                lookup.checkin_keys.add((case_id, volunteer_id, occurred_at, status))

    for area_id, name in session.execute(select(Area.id, Area.name)):
        lookup.areas[name.lower()] = area_id
    return lookup


# --------------------------------------------------------------------------- checks


def _role_words(role: str) -> str:
    return "an admin" if role == Role.ADMIN else f"a {role}"


def _check_against(files: Mapping[str, ParsedFile], lookup: _Lookup, problems: Problems) -> None:
    """Checks across files and against what Corner already holds."""
    file_volunteers = _values(files, VOLUNTEERS.name, "email")
    file_parents = {row.get("ref"): row for row in _rows(files, PARENTS.name) if row.get("ref")}

    for row in _rows(files, VOLUNTEERS.name):
        email = row.get("email")
        if email in lookup.users and lookup.users[email][1] != Role.VOLUNTEER:
            role = lookup.users[email][1]
            problems.add(
                VOLUNTEERS.name,
                row.line,
                "email",
                f"{email} is {_role_words(role)} account, not a volunteer",
                row,
            )

    for row in _rows(files, PARENTS.name):
        ref = row.get("ref")
        if ref in lookup.parents:
            problems.add(
                PARENTS.name,
                row.line,
                "ref",
                f"{ref} is already in Corner: import adds new parents only "
                "(change existing parents in Corner)",
                row,
            )
        coordinator = row.get("coordinator_email")
        if coordinator is not None:
            found = lookup.users.get(coordinator)
            if found is None:
                problems.add(
                    PARENTS.name,
                    row.line,
                    "coordinator_email",
                    f"no account has the email {coordinator}",
                    row,
                )
            elif found[1] != Role.COORDINATOR:
                problems.add(
                    PARENTS.name,
                    row.line,
                    "coordinator_email",
                    f"{coordinator} is {_role_words(found[1])} account, not a coordinator",
                    row,
                )

    # A file without its key column cannot say who is in it: skip the checks that need it.
    refs_known = PARENTS.name not in files or "ref" in files[PARENTS.name].present
    emails_known = VOLUNTEERS.name not in files or "email" in files[VOLUNTEERS.name].present

    def check_people(name: str, row: Row) -> None:
        ref = row.get("parent_ref") if refs_known else None
        email = row.get("volunteer_email") if emails_known else None
        if ref is not None and ref not in file_parents and ref not in lookup.parents:
            problems.add(
                name,
                row.line,
                "parent_ref",
                f"no parent has the ref {ref} (neither in parents.csv nor in Corner)",
                row,
            )
        elif ref in lookup.parents and lookup.parents[ref].case_id is None:
            problems.add(name, row.line, "parent_ref", f"parent {ref} has no case in Corner", row)
        if email is not None and email not in file_volunteers:
            found = lookup.users.get(email)
            if found is None:
                problems.add(
                    name,
                    row.line,
                    "volunteer_email",
                    f"no volunteer has the email {email} (neither in volunteers.csv nor in Corner)",
                    row,
                )
            elif found[1] != Role.VOLUNTEER:
                problems.add(
                    name,
                    row.line,
                    "volunteer_email",
                    f"{email} is {_role_words(found[1])} account, not a volunteer",
                    row,
                )

    for row in _rows(files, ASSIGNMENTS.name):
        check_people(ASSIGNMENTS.name, row)
        ref = row.get("parent_ref")
        is_open = row.get("ended_on") is None and "ended_on" not in row.bad
        if ref in file_parents:
            if is_open and file_parents[ref].get("closed_on") is not None:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "ended_on",
                    f"is empty, but the case of parent {ref} is closed (closed_on in "
                    "parents.csv): give the date the assignment ended",
                    row,
                )
        elif ref in lookup.parents:
            state = lookup.parents[ref]
            email, started = row.get("volunteer_email"), row.get("started_on")
            user = lookup.users.get(email) if email else None
            assignment_key = (state.case_id, user[0] if user else 0, started)
            if user and started and assignment_key in lookup.assignment_keys:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "started_on",
                    "the same assignment is already in Corner",
                    row,
                )
            elif is_open and state.case_status == CaseStatus.CLOSED:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "ended_on",
                    f"is empty, but the case of parent {ref} is closed in Corner: "
                    "give the date the assignment ended",
                    row,
                )
            elif is_open and state.has_open_assignment:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "ended_on",
                    f"is empty, but parent {ref} already has an open assignment in Corner: "
                    "a parent has one volunteer at a time",
                    row,
                )

    for row in _rows(files, CHECKINS.name):
        check_people(CHECKINS.name, row)
        key = checkin_key(row)
        ref = row.get("parent_ref")
        if key is None or ref in file_parents or ref not in lookup.parents:
            continue
        user = lookup.users.get(key[1])
        case_id = lookup.parents[ref].case_id
        if (
            user
            and case_id is not None
            and (case_id, user[0], key[2], key[3]) in (lookup.checkin_keys)
        ):
            problems.add(
                CHECKINS.name,
                row.line,
                "occurred_at",
                "the same check-in (parent, volunteer, time and status) is already in Corner",
                row,
            )


# --------------------------------------------------------------------------- write


def _write(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: _Lookup,
    tz: str,
) -> ImportCounts:
    counts = ImportCounts()
    areas = _write_areas(session, now, files, lookup, counts)
    user_ids = {email: uid for email, (uid, _role) in lookup.users.items()}
    user_ids.update(_write_volunteers(session, now, files, lookup, areas, counts))
    cases = _write_parents(session, now, files, lookup, areas, user_ids, tz, counts)
    _write_assignments(session, files, lookup, cases, user_ids, tz, counts)
    _write_checkins(session, files, cases, user_ids, counts)
    return counts


def _write_areas(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: _Lookup,
    counts: ImportCounts,
) -> dict[str, int]:
    """Area ids by lower-case name, creating the areas the files name that are new."""
    areas = dict(lookup.areas)
    new: dict[str, str] = {}
    for name in (VOLUNTEERS.name, PARENTS.name):
        for row in _rows(files, name):
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


def _profile_values(row: Row, present: frozenset[str], areas: Mapping[str, int]) -> dict[str, Any]:
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
        "dbs_checked_on": row.get("dbs_checked_on"),
        "dbs_expires_on": row.get("dbs_expires_on"),
        "status": row.get("status") or VolunteerStatus.ACTIVE.value,
    }
    if "area" in present:
        values["area_id"] = _area_id(row, areas)
    return values


def _write_volunteers(
    session: SessionLike,
    now: datetime,
    files: Mapping[str, ParsedFile],
    lookup: _Lookup,
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
                    **_profile_values(row, parsed.present, areas),
                }
                for row in new_rows
            ],
        )
    if old_rows:
        session.execute(
            update(User),
            [
                {
                    "id": lookup.users[row.get("email")][0],
                    "first_name": row.get("first_name"),
                    "last_name": row.get("last_name") or "",
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
                        "updated_at": now,
                        **_profile_values(row, parsed.present, areas),
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
                        **_profile_values(row, parsed.present, areas),
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
    lookup: _Lookup,
    areas: Mapping[str, int],
    user_ids: Mapping[str, int],
    tz: str,
    counts: ImportCounts,
) -> dict[str, int]:
    """Insert parents and their cases; return the case id for every ref the files use."""
    cases: dict[str, int] = {
        ref: state.case_id for ref, state in lookup.parents.items() if state.case_id is not None
    }
    rows = _rows(files, PARENTS.name)
    if not rows:
        return cases
    open_refs = {
        row.get("parent_ref")
        for row in _rows(files, ASSIGNMENTS.name)
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
                "referred_on": row.get("referred_on"),
                "consent_on": row.get("consent_on"),
                "area_id": _area_id(row, areas),
                "created_at": now,
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
                "referred_at": day_start(row.get("referred_on"), tz),
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
    lookup: _Lookup,
    cases: Mapping[str, int],
    user_ids: Mapping[str, int],
    tz: str,
    counts: ImportCounts,
) -> None:
    rows = _rows(files, ASSIGNMENTS.name)
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
    for chunk in _chunks(now_active):
        session.execute(
            update(Case)
            .where(Case.id.in_(chunk), Case.status != CaseStatus.CLOSED)
            .values(status=CaseStatus.ACTIVE.value),
            execution_options={"synchronize_session": False},
        )
    counts.assignments = len(rows)


def _write_checkins(
    session: SessionLike,
    files: Mapping[str, ParsedFile],
    cases: Mapping[str, int],
    user_ids: Mapping[str, int],
    counts: ImportCounts,
) -> None:
    rows = _rows(files, CHECKINS.name)
    if not rows:
        return
    values = []
    for row in rows:
        at = row.get("occurred_at")
        status = row.get("status")
        values.append(
            {
                "case_id": cases[row.get("parent_ref")],
                "volunteer_id": user_ids[row.get("volunteer_email")],
                "occurred_at": at,
                "mode": row.get("mode"),
                "duration_min": row.get("duration_min"),
                "successful": bool(row.get("successful")),
                "wellbeing": row.get("wellbeing"),
                "bonding": row.get("bonding"),
                "whooley_down": None,
                "whooley_interest": None,
                "topics": [],
                "concerns": row.get("concerns") or [],
                "coordinator_today": bool(row.get("coordinator_today")),
                "notes": row.get("notes") or "",
                "status": status,
                # An imported check-in was last touched when it happened, not when imported.
                "created_at": at,
                "updated_at": at,
                "submitted_at": at if status == CheckInStatus.SUBMITTED else None,
                "deleted_at": at if status == CheckInStatus.DELETED else None,
                "deleted_by_id": None,
            }
        )
    session.execute(_insert(CheckIn), values)
    counts.checkins = len(rows)
