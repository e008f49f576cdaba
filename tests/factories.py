"""Plain factory functions for tests. Each adds to the session and flushes; none commits."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

from app.auth.passwords import hash_password
from app.extensions import SessionLike
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
)

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)

# Hashing with argon2 is slow on purpose; tests share one hash of PASSWORD.
_PASSWORD_HASH = hash_password(PASSWORD)


def make_area(session: SessionLike, name: str | None = None, **kw: Any) -> Area:
    area = Area(name=name or f"Area {next(_counter)}", created_at=NOW, **kw)
    session.add(area)
    session.flush()
    return area


def make_user(
    session: SessionLike,
    role: str = Role.COORDINATOR,
    *,
    email: str | None = None,
    password: str | None = PASSWORD,
    areas: list[Area] | None = None,
    **kw: Any,
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"{role}{n}@example.org",
        first_name=kw.pop("first_name", f"{str(role).title()}{n}"),
        last_name=kw.pop("last_name", "Tester"),
        role=str(role),
        password_hash=(_PASSWORD_HASH if password == PASSWORD else hash_password(password))
        if password
        else None,
        created_at=NOW,
        **kw,
    )
    user.areas = list(areas or [])
    session.add(user)
    session.flush()
    return user


def make_volunteer(
    session: SessionLike,
    *,
    area: Area | None = None,
    user_kw: dict[str, Any] | None = None,
    **kw: Any,
) -> User:
    user = make_user(session, Role.VOLUNTEER, **(user_kw or {}))
    defaults: dict[str, Any] = {
        "postcode": "BS1 4DJ",
        "languages": ["en"],
        "stages": ["pregnancy", "birth", "postnatal"],
        "tags": [],
        "availability": ["mon-am", "wed-pm"],
        "max_caseload": 3,
        "travel_km": 10.0,
        "remote_only": False,
        "training_completed_on": date(2025, 1, 10),
        "dbs_checked_on": date(2025, 1, 5),
        "dbs_expires_on": date(2028, 1, 5),
        "status": "active",
    }
    defaults.update(kw)
    session.add(VolunteerProfile(user=user, area=area, updated_at=NOW, **defaults))
    session.flush()
    return user


def make_parent(session: SessionLike, *, area: Area | None = None, **kw: Any) -> Parent:
    n = next(_counter)
    defaults: dict[str, Any] = {
        "ref": f"P{n:05d}",
        "first_name": f"Parent{n}",
        "last_name": "Example",
        "postcode": "BS2 0JA",
        "languages": ["en"],
        "due_date": date(2027, 2, 1),
        "referred_on": date(2026, 10, 1),
        "consent_on": date(2026, 10, 1),
        "created_at": NOW,
    }
    defaults.update(kw)
    parent = Parent(area=area, **defaults)
    session.add(parent)
    session.flush()
    return parent


def make_case(
    session: SessionLike,
    parent: Parent | None = None,
    *,
    status: str = CaseStatus.WAITING,
    owner: User | None = None,
    **kw: Any,
) -> Case:
    parent = parent or make_parent(session, area=kw.get("area"))
    defaults: dict[str, Any] = {
        "referred_at": datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        "created_at": NOW,
        "area": parent.area,
    }
    defaults.update(kw)
    case = Case(parent=parent, status=str(status), owner=owner, **defaults)
    session.add(case)
    session.flush()
    return case


def make_assignment(
    session: SessionLike,
    case: Case,
    volunteer: User,
    *,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    assigned_by: User | None = None,
) -> Assignment:
    assignment = Assignment(
        case=case,
        volunteer=volunteer,
        assigned_by=assigned_by,
        started_at=started_at or datetime(2026, 10, 5, 9, 0, tzinfo=UTC),
        ended_at=ended_at,
    )
    if ended_at is None:
        case.status = CaseStatus.ACTIVE
    session.add(assignment)
    session.flush()
    return assignment


def make_checkin(
    session: SessionLike,
    case: Case,
    volunteer: User,
    *,
    occurred_at: datetime | None = None,
    **kw: Any,
) -> CheckIn:
    when = occurred_at or datetime(2026, 10, 20, 14, 0, tzinfo=UTC)
    defaults: dict[str, Any] = {
        "mode": "phone",
        "duration_min": 30,
        "successful": True,
        "wellbeing": 4,
        "bonding": None,
        "topics": [],
        "concerns": [],
        "notes": "",
        "status": CheckInStatus.SUBMITTED,
        "created_at": when,
        "updated_at": when,
        "submitted_at": when,
    }
    defaults.update(kw)
    defaults["status"] = str(defaults["status"])
    checkin = CheckIn(case=case, volunteer=volunteer, occurred_at=when, **defaults)
    session.add(checkin)
    session.flush()
    return checkin
