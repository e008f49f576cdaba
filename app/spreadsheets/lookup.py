"""What Corner already holds about the emails, refs and areas the files name.

A few set-based queries, however many rows the files have; the checks and the writes
resolve every reference through the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from app.domain import CheckInStatus, Role
from app.extensions import SessionLike
from app.models import Area, Assignment, Case, CheckIn, Parent, User, VolunteerProfile
from app.spreadsheets.columns import ASSIGNMENTS, CHECKINS, PARENTS, VOLUNTEERS
from app.spreadsheets.parsed import ParsedFile, values_of
from app.timeutil import local_date

CHUNK = 500  # values per IN (...) list: well below SQLite's limit on parameters


@dataclass
class ParentInCorner:
    parent_id: int
    case_id: int | None
    case_status: str | None
    has_open_assignment: bool


@dataclass
class Lookup:
    """What the database already holds about the emails, refs and areas the files name."""

    users: dict[str, tuple[int, str]] = field(default_factory=dict)  # email -> (id, role)
    profiles: dict[int, int] = field(default_factory=dict)  # user id -> profile id
    profile_stamps: dict[int, datetime | None] = field(
        default_factory=dict
    )  # user id -> updated_at
    parents: dict[str, ParentInCorner] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)  # lower-case name -> id
    assignment_keys: set[tuple[int, int, date]] = field(default_factory=set)
    checkin_keys: set[tuple[int, int, datetime, str]] = field(default_factory=set)


def chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def look_up(session: SessionLike, files: Mapping[str, ParsedFile], tz: str | None = None) -> Lookup:
    """A few set-based queries, however many rows the files have."""
    lookup = Lookup()
    emails = (
        values_of(files, VOLUNTEERS.name, "email")
        | values_of(files, PARENTS.name, "coordinator_email")
        | values_of(files, ASSIGNMENTS.name, "volunteer_email")
        | values_of(files, CHECKINS.name, "volunteer_email")
    )
    for chunk in chunks(emails):
        for user_id, email, role in session.execute(
            select(User.id, func.lower(User.email), User.role).where(
                func.lower(User.email).in_(chunk)
            )
        ):
            lookup.users[email] = (user_id, role)
    volunteer_ids = [uid for uid, role in lookup.users.values() if role == Role.VOLUNTEER]
    for chunk in chunks(volunteer_ids):
        for profile_id, user_id, updated_at in session.execute(
            select(
                VolunteerProfile.id, VolunteerProfile.user_id, VolunteerProfile.updated_at
            ).where(VolunteerProfile.user_id.in_(chunk))
        ):
            lookup.profiles[user_id] = profile_id
            lookup.profile_stamps[user_id] = updated_at

    refs = (
        values_of(files, PARENTS.name, "ref")
        | values_of(files, ASSIGNMENTS.name, "parent_ref")
        | values_of(files, CHECKINS.name, "parent_ref")
    )
    for chunk in chunks(refs):
        for parent_id, ref in session.execute(
            select(Parent.id, Parent.ref).where(Parent.ref.in_(chunk))
        ):
            lookup.parents[ref] = ParentInCorner(parent_id, None, None, False)
    by_parent = {state.parent_id: state for state in lookup.parents.values()}
    for chunk in chunks(by_parent):
        latest = select(func.max(Case.id)).where(Case.parent_id.in_(chunk)).group_by(Case.parent_id)
        for case_id, parent_id, status in session.execute(
            select(Case.id, Case.parent_id, Case.status).where(Case.id.in_(latest))
        ):
            by_parent[parent_id].case_id = case_id
            by_parent[parent_id].case_status = status
    by_case = {s.case_id: s for s in lookup.parents.values() if s.case_id is not None}
    referenced = values_of(files, ASSIGNMENTS.name, "parent_ref") | values_of(
        files, CHECKINS.name, "parent_ref"
    )
    cases_used = [
        lookup.parents[ref].case_id
        for ref in referenced
        if ref in lookup.parents and lookup.parents[ref].case_id is not None
    ]
    for chunk in chunks(cases_used):
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
                # to the second, as the files give times (app.spreadsheets.cells)
                second = occurred_at.replace(microsecond=0)
                lookup.checkin_keys.add((case_id, volunteer_id, second, status))

    for area_id, name in session.execute(select(Area.id, Area.name)):
        lookup.areas[name.lower()] = area_id
    return lookup
