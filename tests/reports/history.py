"""A small service with a known history for the report tests (figures counted by hand in
test_summary.py). October 2026: the clocks go back on Sunday 25 October at 01:00 UTC, so
1 October starts at 30 Sep 23:00 UTC and 31 October ends at 1 Nov 00:00 UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.extensions import SessionLike
from app.models import Area, Case, EscalationFlag, Parent, User
from tests.factories import (
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@dataclass
class History:
    north: Area
    south: Area
    south_coordinator: User


def _volunteer(
    session: SessionLike, area: Area, created: datetime, status: str, updated: datetime
) -> User:
    user = make_volunteer(session, area=area, status=status)
    user.created_at = created
    assert user.volunteer_profile is not None
    user.volunteer_profile.updated_at = updated
    session.flush()
    return user


def _case(session: SessionLike, area: Area | None, parent: dict[str, Any], **kw: Any) -> Case:
    p: Parent = make_parent(session, area=area, **parent)
    return make_case(session, p, **kw)


def _flag(session: SessionLike, case: Case, rule: str, severity: str, **kw: Any) -> None:
    status = (
        "resolved"
        if kw.get("resolved_at")
        else "acknowledged"
        if kw.get("acknowledged_at")
        else "open"
    )
    session.add(EscalationFlag(case_id=case.id, rule=rule, severity=severity, status=status, **kw))
    session.flush()


def build(session: SessionLike) -> History:
    north = make_area(session, "North")
    south = make_area(session, "South")
    south_coordinator = make_user(session, "coordinator", areas=[south])
    early = utc(2025, 1, 1, 9, 0)

    # Volunteers: North has vn1 (long-standing) and vn2 (started 10 Oct);
    # South has vs1 (left 20 Oct), vs2 (paused in September), vs3 (left in November,
    # after the period: counted active at its end).
    vn1 = _volunteer(session, north, early, "active", early)
    vn2 = _volunteer(session, north, utc(2026, 10, 10, 9, 0), "active", utc(2026, 10, 10, 9, 0))
    vs1 = _volunteer(session, south, early, "left", utc(2026, 10, 20, 12, 0))
    vs2 = _volunteer(session, south, early, "paused", utc(2026, 9, 1, 12, 0))
    vs3 = _volunteer(session, south, early, "left", utc(2026, 11, 1, 12, 0))

    # C1 North: referred 1 Oct by a midwife, pregnant; matched 5 Oct (4 days); two contacts
    # (wellbeing 2 then 4: improved) and a draft; closed 28 Oct, support completed.
    c1 = _case(
        session,
        north,
        {
            "referred_on": date(2026, 10, 1),
            "referral_source": "Midwife",
            "due_date": date(2027, 2, 1),
            "ethnic_group": "white_british",
            "age_band": "25_34",
            "first_time_parent": "yes",
            "disability": "no",
            "interpreter_needed": "no",
        },
        status="closed",
        closed_at=utc(2026, 10, 28, 12, 0),
        close_reason="Support completed",
    )
    make_assignment(session, c1, vn1, started_at=utc(2026, 10, 5, 9, 0), ended_at=c1.closed_at)
    make_checkin(
        session,
        c1,
        vn1,
        occurred_at=utc(2026, 10, 6, 10, 0),
        mode="phone",
        duration_min=30,
        wellbeing=2,
    )
    make_checkin(
        session,
        c1,
        vn1,
        occurred_at=utc(2026, 10, 20, 14, 0),
        mode="video",
        duration_min=45,
        wellbeing=4,
    )
    make_checkin(
        session,
        c1,
        vn1,
        occurred_at=utc(2026, 10, 22, 14, 0),
        mode="in_person",
        duration_min=60,
        wellbeing=1,
        status="draft",
    )

    # C2 North: referred 3 Oct by a midwife, born 25 Sep (birth stage); matched 10 Oct
    # (7 days); an attempt, and a text at 23:30 UTC on 24 Oct (25 Oct, 00:30 BST);
    # an urgent flag acknowledged in 30 minutes and resolved.
    c2 = _case(
        session,
        north,
        {
            "referred_on": date(2026, 10, 3),
            "referral_source": "Midwife",
            "due_date": date(2026, 9, 30),
            "birth_date": date(2026, 9, 25),
            "ethnic_group": "prefer_not",
        },
    )
    make_assignment(session, c2, vn2, started_at=utc(2026, 10, 10, 9, 0))
    make_checkin(
        session,
        c2,
        vn2,
        occurred_at=utc(2026, 10, 12, 9, 0),
        mode="phone",
        duration_min=5,
        successful=False,
        wellbeing=None,
    )
    make_checkin(
        session,
        c2,
        vn2,
        occurred_at=utc(2026, 10, 24, 23, 30),
        mode="text",
        duration_min=10,
        wellbeing=3,
    )
    _flag(
        session,
        c2,
        "SAFEGUARDING",
        "urgent",
        raised_at=utc(2026, 10, 12, 10, 0),
        acknowledged_at=utc(2026, 10, 12, 10, 30),
        resolved_at=utc(2026, 10, 13, 10, 0),
    )

    # C3 North: referred in September, matched in September and still supported; a visit at
    # 23:30 UTC on 30 Sep (1 Oct, 00:30 BST: in October), a call at 22:30 UTC (not);
    # a flag raised in September, resolved 2 Oct.
    c3 = _case(
        session,
        north,
        {
            "referred_on": date(2026, 9, 20),
            "referral_source": "Health visitor",
            "birth_date": date(2026, 1, 10),
        },
    )
    make_assignment(session, c3, vn1, started_at=utc(2026, 9, 25, 9, 0))
    make_checkin(
        session,
        c3,
        vn1,
        occurred_at=utc(2026, 9, 30, 23, 30),
        mode="in_person",
        duration_min=60,
        wellbeing=5,
    )
    make_checkin(
        session,
        c3,
        vn1,
        occurred_at=utc(2026, 9, 30, 22, 30),
        mode="phone",
        duration_min=20,
        wellbeing=5,
    )
    _flag(
        session,
        c3,
        "NO_CONTACT",
        "medium",
        raised_at=utc(2026, 9, 28, 8, 0),
        resolved_at=utc(2026, 10, 2, 8, 0),
    )

    # C7 North: referred in June, supported from June; wellbeing 4 (July) then 2 (10 Oct):
    # worse (a draft scoring 1 does not count); closed 15 Oct, the parent declined; an
    # urgent flag raised 30 Sep (not in October) and resolved 15 Oct.
    c7 = _case(
        session,
        north,
        {"referred_on": date(2026, 6, 1), "referral_source": "GP"},
        status="closed",
        closed_at=utc(2026, 10, 15, 12, 0),
        close_reason="Parent no longer wants support",
    )
    make_assignment(session, c7, vn1, started_at=utc(2026, 6, 5, 9, 0), ended_at=c7.closed_at)
    make_checkin(
        session,
        c7,
        vn1,
        occurred_at=utc(2026, 7, 1, 9, 0),
        mode="phone",
        duration_min=20,
        wellbeing=4,
    )
    make_checkin(
        session,
        c7,
        vn1,
        occurred_at=utc(2026, 10, 10, 9, 0),
        mode="phone",
        duration_min=15,
        wellbeing=2,
    )
    make_checkin(
        session,
        c7,
        vn1,
        occurred_at=utc(2026, 10, 12, 9, 0),
        mode="phone",
        duration_min=15,
        wellbeing=1,
        status="draft",
    )
    _flag(
        session,
        c7,
        "LOW_MOOD",
        "urgent",
        raised_at=utc(2026, 9, 30, 12, 0),
        acknowledged_at=utc(2026, 10, 1, 9, 0),
        resolved_at=utc(2026, 10, 15, 12, 0),
    )

    # C4 South: referred 15 Oct, no source, no dates (unknown), under 20; never matched;
    # closed 30 Oct as a duplicate (the code stored, as an import does); waiting flag open;
    # one call scoring wellbeing 5.
    c4 = _case(
        session,
        south,
        {
            "referred_on": date(2026, 10, 15),
            "referral_source": None,
            "due_date": None,
            "age_band": "under_20",
        },
        status="closed",
        closed_at=utc(2026, 10, 30, 12, 0),
        close_reason="duplicate",
    )
    _flag(session, c4, "UNMATCHED", "high", raised_at=utc(2026, 10, 20, 8, 0))
    # one call scoring wellbeing (a coordinator's, say): one score is not "last against first"
    make_checkin(
        session,
        c4,
        vs1,
        occurred_at=utc(2026, 10, 16, 9, 0),
        mode="phone",
        duration_min=10,
        wellbeing=5,
    )

    # C5 South: referred 31 Oct, source left empty, baby born 2024 (past the 1001 days);
    # matched the same day (0 days); two calls scoring 3 (same); closed 23:30 UTC on
    # 31 Oct (still 31 Oct in London), "Other: …".
    c5 = _case(
        session,
        south,
        {
            "referred_on": date(2026, 10, 31),
            "referral_source": "",
            "due_date": None,
            "birth_date": date(2024, 5, 1),
            "ethnic_group": "black_african",
        },
        status="closed",
        closed_at=utc(2026, 10, 31, 23, 30),
        close_reason="Other: moved abroad",
    )
    make_assignment(session, c5, vs1, started_at=utc(2026, 10, 31, 8, 0), ended_at=c5.closed_at)
    make_checkin(
        session,
        c5,
        vs1,
        occurred_at=utc(2026, 10, 31, 9, 0),
        mode="phone",
        duration_min=30,
        wellbeing=3,
    )
    make_checkin(
        session,
        c5,
        vs1,
        occurred_at=utc(2026, 10, 31, 10, 0),
        mode="phone",
        duration_min=30,
        wellbeing=3,
    )

    # C6 South: referred in August; the first assignment ended at exactly 00:00 BST on
    # 1 Oct (no overlap), a second started 2 Oct (a new match, not a first one); a call at
    # 00:30 UTC on 1 Nov (November) and a deleted check-in; urgent flags: one acknowledged
    # in 90 minutes across the clocks change, one never acknowledged.
    c6 = _case(
        session,
        south,
        {
            "referred_on": date(2026, 8, 1),
            "referral_source": "Self",
            "birth_date": date(2026, 7, 1),
        },
    )
    make_assignment(
        session, c6, vs2, started_at=utc(2026, 8, 5, 9, 0), ended_at=utc(2026, 9, 30, 23, 0)
    )
    make_assignment(session, c6, vs3, started_at=utc(2026, 10, 2, 9, 0))
    make_checkin(
        session, c6, vs3, occurred_at=utc(2026, 11, 1, 0, 30), mode="phone", duration_min=30
    )
    make_checkin(
        session,
        c6,
        vs3,
        occurred_at=utc(2026, 10, 15, 9, 0),
        mode="video",
        duration_min=40,
        status="deleted",
    )
    _flag(
        session,
        c6,
        "SELF_HARM",
        "urgent",
        raised_at=utc(2026, 10, 25, 0, 30),
        acknowledged_at=utc(2026, 10, 25, 2, 0),
    )
    _flag(session, c6, "COORDINATOR_TODAY", "urgent", raised_at=utc(2026, 10, 26, 9, 0))

    # C8, no area: referred 20 Oct by a midwife, due 5 Nov (birth stage); closed 00:30 UTC
    # on 1 Nov (November).
    _case(
        session,
        None,
        {
            "referred_on": date(2026, 10, 20),
            "referral_source": "Midwife",
            "due_date": date(2026, 11, 5),
        },
        status="closed",
        closed_at=utc(2026, 11, 1, 0, 30),
        close_reason="no_response",
    )
    return History(north, south, south_coordinator)
