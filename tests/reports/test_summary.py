"""The report over a small service with a known history: every figure counted by hand
(tests/reports/history.py tells the story), for the whole service, one area and a
coordinator's scope, on each database."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.extensions import SessionLike
from app.reports.periods import Period
from app.reports.summary import summarise
from app.scope import visible_cases
from tests.reports.history import build

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))

RULES_ZERO = {
    rule: 0
    for rule in (
        "SAFEGUARDING", "SELF_HARM", "COORDINATOR_TODAY", "LOW_MOOD", "WELLBEING_LOW",
        "WELLBEING_FALLING", "BONDING_LOW", "NO_CONTACT", "ATTEMPTS_FAILING", "BIRTH_SOON",
        "AFTER_BIRTH", "BIRTH_OVERDUE", "UNMATCHED", "VOLUNTEER_LAPSED", "STALE_DRAFT",
        "PAST_1001_DAYS", "CHECK_FAILED",
    )
}  # fmt: skip
REASONS_ZERO = {
    reason: 0
    for reason in (
        "support_completed", "parent_declined", "no_response", "moved_away",
        "referred_elsewhere", "duplicate", "not_eligible", "other", "not_recorded",
    )
}  # fmt: skip
ETHNIC_ZERO = {
    code: 0
    for code in (
        "asian_bangladeshi", "asian_chinese", "asian_indian", "asian_pakistani", "asian_other",
        "black_african", "black_caribbean", "black_other", "mixed_white_asian",
        "mixed_white_black_african", "mixed_white_black_caribbean", "mixed_other",
        "white_british", "white_irish", "white_gypsy_traveller", "white_roma", "white_other",
        "other_arab", "other_any", "prefer_not", "not_recorded",
    )
}  # fmt: skip
AGE_ZERO = {c: 0 for c in ("under_20", "20_24", "25_34", "35_plus", "prefer_not", "not_recorded")}
YES_NO_ZERO = {"yes": 0, "no": 0, "prefer_not": 0, "not_recorded": 0}


def _equality(
    ethnic: dict[str, int], age: dict[str, int], first: dict[str, int],
    disability: dict[str, int], interpreter: dict[str, int],
) -> dict[str, dict[str, int]]:  # fmt: skip
    return {
        "ethnic_group": {**ETHNIC_ZERO, **ethnic},
        "age_band": {**AGE_ZERO, **age},
        "first_time_parent": {**YES_NO_ZERO, **first},
        "disability": {**YES_NO_ZERO, **disability},
        "interpreter_needed": {**YES_NO_ZERO, **interpreter},
    }


WHOLE_SERVICE: dict[str, Any] = {
    "from": "2026-10-01",
    "to": "2026-10-31",
    "area": None,
    # C1, C2, C4, C5, C8 (C3, C6, C7 were referred before October)
    "referrals": {
        "total": 5,
        "by_source": {"Midwife": 3, "not recorded": 2},
        "by_stage": {"pregnancy": 1, "birth": 2, "postnatal": 0, "unknown": 1, "past": 1},
    },
    # C1 (4 days), C2 (7), C5 (0), and C6's second; median of 0, 4, 7
    "matches": {"new": 4, "days_to_match_median": 4.0},
    # C1, C2, C3, C5, C6 (second assignment), C7
    "parents_supported": 6,
    # C1 x2, C2 x2, C3 x1 (00:30 BST on 1 Oct), C4 x1, C5 x2, C7 x1: 235 minutes
    "contacts": {
        "successful": 8,
        "attempts": 1,
        "by_mode": {"phone": 6, "video": 1, "in_person": 1, "text": 1},
        "hours": 3.9,
    },
    "closed": {
        "total": 4,
        "by_reason": {
            **REASONS_ZERO,
            "support_completed": 1,
            "parent_declined": 1,
            "duplicate": 1,
            "other": 1,
        },
    },
    # raised: C2 SAFEGUARDING, C4 UNMATCHED, C6 SELF_HARM, C6 COORDINATOR_TODAY;
    # resolved: C2's, C3's (raised in September), C7's; urgent acknowledged: 30 and 90 min
    "flags": {
        "raised": 4,
        "resolved": 3,
        "by_rule": {
            **RULES_ZERO,
            "SAFEGUARDING": 1,
            "UNMATCHED": 1,
            "SELF_HARM": 1,
            "COORDINATOR_TODAY": 1,
        },
        "urgent_ack_minutes_median": 60.0,
    },
    # active: vn1, vn2, vs3 (left after October); new: vn2; left: vs1
    "volunteers": {"active": 3, "new": 1, "left": 1},
    # C1 2 -> 4, C5 3 -> 3, C7 4 -> 2 (C4 has one score only)
    "wellbeing": {"improved": 1, "same": 1, "worse": 1},
    "equality": _equality(
        {"white_british": 1, "prefer_not": 1, "black_african": 1, "not_recorded": 2},
        {"25_34": 1, "under_20": 1, "not_recorded": 3},
        {"yes": 1, "not_recorded": 4},
        {"no": 1, "not_recorded": 4},
        {"no": 1, "not_recorded": 4},
    ),
}

NORTH: dict[str, Any] = {
    "from": "2026-10-01",
    "to": "2026-10-31",
    "area": "North",
    "referrals": {
        "total": 2,
        "by_source": {"Midwife": 2},
        "by_stage": {"pregnancy": 1, "birth": 1, "postnatal": 0, "unknown": 0, "past": 0},
    },
    "matches": {"new": 2, "days_to_match_median": 5.5},
    "parents_supported": 4,
    # 30 + 45 + 5 + 10 + 60 + 15 = 165 minutes
    "contacts": {
        "successful": 5,
        "attempts": 1,
        "by_mode": {"phone": 3, "video": 1, "in_person": 1, "text": 1},
        "hours": 2.8,
    },
    "closed": {
        "total": 2,
        "by_reason": {**REASONS_ZERO, "support_completed": 1, "parent_declined": 1},
    },
    "flags": {
        "raised": 1,
        "resolved": 3,
        "by_rule": {**RULES_ZERO, "SAFEGUARDING": 1},
        "urgent_ack_minutes_median": 30.0,
    },
    "volunteers": {"active": 2, "new": 1, "left": 0},
    "wellbeing": {"improved": 1, "same": 0, "worse": 1},
    "equality": _equality(
        {"white_british": 1, "prefer_not": 1},
        {"25_34": 1, "not_recorded": 1},
        {"yes": 1, "not_recorded": 1},
        {"no": 1, "not_recorded": 1},
        {"no": 1, "not_recorded": 1},
    ),
}


def test_the_whole_service(session: SessionLike, now: datetime) -> None:
    build(session)
    figures = summarise(session, period=OCTOBER, now=now)
    assert figures == WHOLE_SERVICE
    assert list(figures) == list(WHOLE_SERVICE)  # the keys in the documented order


def test_one_area(session: SessionLike, now: datetime) -> None:
    history = build(session)
    assert summarise(session, period=OCTOBER, area_id=history.north.id, now=now) == NORTH


def test_a_coordinators_scope(session: SessionLike, now: datetime) -> None:
    """South's coordinator sees South's cases and the case with no area (C4, C5, C6, C8)."""
    history = build(session)
    figures = summarise(
        session, period=OCTOBER, scope=visible_cases(history.south_coordinator), now=now
    )
    assert figures["referrals"] == {
        "total": 3,
        "by_source": {"not recorded": 2, "Midwife": 1},
        "by_stage": {"pregnancy": 0, "birth": 1, "postnatal": 0, "unknown": 1, "past": 1},
    }
    assert figures["matches"] == {"new": 2, "days_to_match_median": 0.0}
    assert figures["parents_supported"] == 2
    assert figures["contacts"]["by_mode"] == {"phone": 3, "video": 0, "in_person": 0, "text": 0}
    assert figures["wellbeing"] == {"improved": 0, "same": 1, "worse": 0}
    assert figures["flags"]["urgent_ack_minutes_median"] == 90.0
    # the volunteer figures speak of volunteers, not cases: the whole service's
    assert figures["volunteers"] == WHOLE_SERVICE["volunteers"]


def test_a_period_with_nothing_in_it(session: SessionLike, now: datetime) -> None:
    build(session)
    figures = summarise(session, period=Period(date(2020, 1, 1), date(2020, 1, 31)), now=now)
    assert figures["referrals"]["total"] == 0
    assert figures["referrals"]["by_source"] == {}
    assert figures["matches"] == {"new": 0, "days_to_match_median": None}
    assert figures["contacts"]["hours"] == 0.0
    assert figures["flags"]["urgent_ack_minutes_median"] is None
    assert figures["volunteers"] == {"active": 0, "new": 0, "left": 0}
    assert figures["equality"]["age_band"] == AGE_ZERO
