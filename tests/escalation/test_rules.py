"""The rules as pure functions: both sides of every threshold, and what does not count."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain import Rule
from app.escalation.rules import evaluate
from app.escalation.rules_facts import CaseFacts
from app.escalation.rules_immediate import CheckInFacts, immediate
from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, Thresholds
from app.timeutil import day_start

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # Monday; London is on GMT
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def active(**kw: object) -> CaseFacts:
    """An active case, assignment started long ago, contact an hour ago, nothing wrong."""
    base = CaseFacts(
        case_id=1,
        status="active",
        referred_at=NOW - 200 * DAY,
        due_date=None,
        birth_date=date(2026, 6, 1),
        assignment_started_at=NOW - 100 * DAY,
        volunteer_status="active",
        volunteer_dbs_expires_on=date(2028, 1, 1),
        latest_contact_at=NOW - timedelta(hours=1),
        wellbeing_scores=(4, 4, 4),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def rules(facts: CaseFacts, now: datetime = NOW, t: Thresholds | None = None) -> dict[str, str]:
    return {str(hit.rule): str(hit.severity) for hit in evaluate(facts, now, t)}


def test_a_healthy_active_case_raises_nothing() -> None:
    assert rules(active()) == {}


def test_defaults_are_designs() -> None:
    assert DEFAULT_THRESHOLDS["no_contact_days"] == 14
    assert DEFAULT_THRESHOLDS["no_contact_high_risk_days"] == 7
    assert DEFAULT_THRESHOLDS["no_contact_severe_days"] == 30
    assert DEFAULT_THRESHOLDS["unmatched_days"] == 10
    assert DEFAULT_THRESHOLDS["stale_draft_days"] == 3
    assert DEFAULT_THRESHOLDS["birth_soon_window_days"] == 28


# --------------------------------------------------------------------------- NO_CONTACT


@pytest.mark.parametrize(
    ("elapsed", "expected"),
    [
        (13 * DAY, None),
        (14 * DAY - SECOND, None),
        (14 * DAY, "medium"),
        (15 * DAY, "medium"),
        (30 * DAY - SECOND, "medium"),
        (30 * DAY, "high"),
        (31 * DAY, "high"),
    ],
)
def test_no_contact_14_days_then_high_at_30(elapsed: timedelta, expected: str | None) -> None:
    got = rules(active(latest_contact_at=NOW - elapsed)).get(Rule.NO_CONTACT)
    assert got == expected


@pytest.mark.parametrize(
    ("elapsed", "expected"), [(6 * DAY, None), (7 * DAY - SECOND, None), (7 * DAY, "medium")]
)
def test_no_contact_7_days_for_high_risk(elapsed: timedelta, expected: str | None) -> None:
    facts = active(high_risk=True, latest_contact_at=NOW - elapsed)
    assert rules(facts).get(Rule.NO_CONTACT) == expected


def test_no_contact_counts_from_a_newer_assignment() -> None:
    # last contact 40 days ago by the old volunteer; the new volunteer has had their first
    # contact since, 13 days ago: the usual 14 days count from it
    facts = active(latest_contact_at=NOW - 13 * DAY, assignment_started_at=NOW - 20 * DAY)
    assert Rule.NO_CONTACT not in rules(facts)
    facts = active(latest_contact_at=NOW - 14 * DAY, assignment_started_at=NOW - 20 * DAY)
    assert rules(facts)[Rule.NO_CONTACT] == "medium"


@pytest.mark.parametrize(
    ("since_start", "expected"),
    [
        (2 * DAY, None),
        (3 * DAY - SECOND, None),
        (3 * DAY, "medium"),
        (29 * DAY, "medium"),
        (30 * DAY, "high"),
    ],
)
def test_a_new_assignments_first_contact_is_due_within_3_days(
    since_start: timedelta, expected: str | None
) -> None:
    never = active(latest_contact_at=None, assignment_started_at=NOW - since_start)
    assert rules(never).get(Rule.NO_CONTACT) == expected
    # the previous volunteer's contacts do not count for the new one
    before = active(latest_contact_at=NOW - 40 * DAY, assignment_started_at=NOW - since_start)
    assert rules(before).get(Rule.NO_CONTACT) == expected


def test_first_contact_evidence_says_when_it_was_due() -> None:
    facts = active(latest_contact_at=None, assignment_started_at=NOW - 4 * DAY)
    (hit,) = [hit for hit in evaluate(facts, NOW) if hit.rule == Rule.NO_CONTACT]
    assert hit.evidence == (
        "No first contact since the volunteer started on Thu 29 Oct (4 days; it was due by "
        "Sun 1 Nov)."
    )


def test_a_contact_at_the_start_of_the_assignment_is_its_first() -> None:
    started = NOW - 5 * DAY
    facts = active(latest_contact_at=started, assignment_started_at=started)
    assert Rule.NO_CONTACT not in rules(facts)


def test_first_contact_days_is_a_setting() -> None:
    assert DEFAULT_THRESHOLDS["first_contact_days"] == 3
    t = Thresholds.from_settings({**DEFAULT_THRESHOLDS, "first_contact_days": 5})
    new = active(latest_contact_at=None, assignment_started_at=NOW - 4 * DAY)
    assert Rule.NO_CONTACT not in rules(new, t=t)
    assert Rule.NO_CONTACT in rules(replace(new, assignment_started_at=NOW - 5 * DAY), t=t)
    # never later than the case's own period: a high-risk parent's 7 days cap 10
    t = Thresholds.from_settings({**DEFAULT_THRESHOLDS, "first_contact_days": 10})
    risky = active(high_risk=True, latest_contact_at=None, assignment_started_at=NOW - 7 * DAY)
    assert rules(risky, t=t)[Rule.NO_CONTACT] == "medium"


def test_no_contact_never_contacted_counts_from_assignment() -> None:
    assert (
        rules(active(latest_contact_at=None, assignment_started_at=NOW - 15 * DAY))[Rule.NO_CONTACT]
        == "medium"
    )


def test_no_contact_needs_an_open_assignment() -> None:
    # an ended assignment is not an open one: a waiting case is never NO_CONTACT
    facts = active(status="waiting", assignment_started_at=None, latest_contact_at=NOW - 50 * DAY)
    assert Rule.NO_CONTACT not in rules(facts)


def test_closed_cases_raise_nothing() -> None:
    facts = active(status="closed", latest_contact_at=NOW - 99 * DAY, wellbeing_scores=(1,))
    assert rules(facts) == {}


def test_thresholds_come_from_settings() -> None:
    t = Thresholds.from_settings({**DEFAULT_THRESHOLDS, "no_contact_days": 21})
    assert Rule.NO_CONTACT not in rules(active(latest_contact_at=NOW - 20 * DAY), t=t)
    assert Rule.NO_CONTACT in rules(active(latest_contact_at=NOW - 21 * DAY), t=t)


# --------------------------------------------------------------------------- wellbeing, bonding


@pytest.mark.parametrize(("score", "raised"), [(1, True), (2, True), (3, False), (5, False)])
def test_wellbeing_low_at_or_below_2(score: int, raised: bool) -> None:
    assert (Rule.WELLBEING_LOW in rules(active(wellbeing_scores=(score, 4, 4)))) is raised


@pytest.mark.parametrize(
    ("scores", "raised"),
    [
        ((3, 4, 5), True),  # newest first: 5 → 4 → 3
        ((2, 3, 4), True),
        ((4, 4, 5), False),  # not strictly falling
        ((3, 3, 5), False),
        ((4, 5, 5), False),  # latest 4 > 3
        ((3, 4), False),  # only two scores
        ((3, 5, 4), False),
    ],
)
def test_wellbeing_falling(scores: tuple[int, ...], raised: bool) -> None:
    assert (Rule.WELLBEING_FALLING in rules(active(wellbeing_scores=scores))) is raised


@pytest.mark.parametrize(("score", "raised"), [(None, False), (1, True), (2, True), (3, False)])
def test_bonding_low(score: int | None, raised: bool) -> None:
    assert (Rule.BONDING_LOW in rules(active(latest_bonding=score))) is raised


# --------------------------------------------------------------------------- attempts


@pytest.mark.parametrize(("attempts", "raised"), [(0, False), (2, False), (3, True), (4, True)])
def test_attempts_failing_three_in_a_row(attempts: int, raised: bool) -> None:
    facts = active(attempts_since_contact=attempts)
    assert (Rule.ATTEMPTS_FAILING in rules(facts)) is raised


# --------------------------------------------------------------------------- births


def pregnant(due: date, **kw: object) -> CaseFacts:
    return active(due_date=due, birth_date=None, **kw)


@pytest.mark.parametrize(
    ("due", "raised"),
    [
        (date(2026, 11, 30), True),  # 00:00 30 Nov is exactly 27 days 14 h ahead
        (date(2026, 12, 1), False),  # 28 days 14 h ahead: outside the window
        (date(2026, 11, 2), True),  # due today
        (date(2026, 11, 1), False),  # due date has passed
    ],
)
def test_birth_soon_window(due: date, raised: bool) -> None:
    facts = pregnant(due, latest_contact_at=NOW - 20 * DAY)
    assert (Rule.BIRTH_SOON in rules(facts)) is raised


def test_birth_soon_window_edge_exact() -> None:
    now = day_start(date(2026, 11, 30)) - 28 * DAY
    facts = pregnant(date(2026, 11, 30), latest_contact_at=now - 20 * DAY)
    assert Rule.BIRTH_SOON in rules(facts, now)
    assert Rule.BIRTH_SOON not in rules(facts, now - SECOND)


@pytest.mark.parametrize(
    ("elapsed", "raised"), [(13 * DAY, False), (14 * DAY - SECOND, False), (14 * DAY, True)]
)
def test_birth_soon_needs_14_days_without_contact(elapsed: timedelta, raised: bool) -> None:
    facts = pregnant(date(2026, 11, 20), latest_contact_at=NOW - elapsed)
    assert (Rule.BIRTH_SOON in rules(facts)) is raised


def test_birth_soon_for_a_waiting_case_never_contacted() -> None:
    facts = pregnant(
        date(2026, 11, 20), status="waiting", assignment_started_at=None, latest_contact_at=None
    )
    assert rules(facts)[Rule.BIRTH_SOON] == "high"


def test_birth_soon_not_when_birth_recorded() -> None:
    facts = active(
        due_date=date(2026, 11, 20), birth_date=date(2026, 10, 30), latest_contact_at=NOW - 20 * DAY
    )
    assert Rule.BIRTH_SOON not in rules(facts)


def test_after_birth_boundaries() -> None:
    birth = date(2026, 10, 19)
    born = day_start(birth)
    facts = active(
        birth_date=birth,
        referred_at=born - 30 * DAY,
        latest_contact_at=born - DAY,
        due_date=date(2026, 10, 25),
    )
    assert Rule.AFTER_BIRTH not in rules(facts, born + 14 * DAY - SECOND)
    assert rules(facts, born + 14 * DAY)[Rule.AFTER_BIRTH] == "high"
    # a contact at (or after) 00:00 on the birth date counts
    seen = replace(facts, latest_contact_at=born)
    assert Rule.AFTER_BIRTH not in rules(seen, born + 20 * DAY)
    # referred after the birth: the rule does not apply
    late = replace(facts, referred_at=born + DAY)
    assert Rule.AFTER_BIRTH not in rules(late, born + 20 * DAY)


def test_birth_overdue_more_than_3_weeks() -> None:
    due = date(2026, 10, 12)
    start = day_start(due)
    facts = pregnant(due)
    assert Rule.BIRTH_OVERDUE not in rules(facts, start + 21 * DAY)
    assert rules(facts, start + 21 * DAY + SECOND)[Rule.BIRTH_OVERDUE] == "low"
    assert Rule.BIRTH_OVERDUE not in rules(
        replace(facts, birth_date=date(2026, 10, 14)), start + 30 * DAY
    )


def test_dates_are_london_midnight_in_summer_time() -> None:
    # 00:00 BST on 1 Jul is 23:00 UTC on 30 Jun
    due = date(2026, 7, 1)
    facts = pregnant(due)
    edge = datetime(2026, 6, 30, 23, 0, tzinfo=UTC) + 21 * DAY
    assert Rule.BIRTH_OVERDUE not in rules(facts, edge)
    assert Rule.BIRTH_OVERDUE in rules(facts, edge + SECOND)


def test_past_1001_days_on_the_second_birthday() -> None:
    facts = active(birth_date=date(2024, 11, 3))
    assert Rule.PAST_1001_DAYS not in rules(facts, day_start(date(2026, 11, 3)) - SECOND)
    assert rules(facts, day_start(date(2026, 11, 3)))[Rule.PAST_1001_DAYS] == "low"


def test_past_1001_days_leap_day_baby() -> None:
    facts = active(birth_date=date(2024, 2, 29))
    assert Rule.PAST_1001_DAYS not in rules(facts, day_start(date(2026, 3, 1)) - SECOND)
    assert Rule.PAST_1001_DAYS in rules(facts, day_start(date(2026, 3, 1)))


# --------------------------------------------------------------------------- unmatched, volunteer


@pytest.mark.parametrize(
    ("waited", "raised"),
    [(9 * DAY, False), (10 * DAY - SECOND, False), (10 * DAY, True), (11 * DAY, True)],
)
@pytest.mark.parametrize("status", ["referred", "waiting"])
def test_unmatched_after_10_days(status: str, waited: timedelta, raised: bool) -> None:
    facts = CaseFacts(case_id=1, status=status, referred_at=NOW - waited)
    assert (Rule.UNMATCHED in rules(facts)) is raised


def test_unmatched_not_for_active_cases() -> None:
    assert Rule.UNMATCHED not in rules(active(referred_at=NOW - 50 * DAY))


@pytest.mark.parametrize("status", ["paused", "left"])
def test_volunteer_lapsed_paused_or_left(status: str) -> None:
    assert rules(active(volunteer_status=status))[Rule.VOLUNTEER_LAPSED] == "medium"


def test_volunteer_lapsed_dbs_expiry_date() -> None:
    expiry = date(2026, 11, 2)
    facts = active(volunteer_dbs_expires_on=expiry)
    assert Rule.VOLUNTEER_LAPSED not in rules(facts, day_start(expiry) - SECOND)
    assert Rule.VOLUNTEER_LAPSED in rules(facts, day_start(expiry))


# --------------------------------------------------------------------------- drafts


@pytest.mark.parametrize(
    ("age", "raised"),
    [(2 * DAY, False), (3 * DAY - SECOND, False), (3 * DAY, True), (4 * DAY, True)],
)
def test_stale_draft_after_3_days(age: timedelta, raised: bool) -> None:
    assert (Rule.STALE_DRAFT in rules(active(oldest_draft_touched_at=NOW - age))) is raised


# --------------------------------------------------------------------------- immediate


def submitted(**kw: object) -> CheckInFacts:
    values: dict[str, object] = {"status": "submitted", "successful": True, "occurred_at": NOW}
    values.update(kw)
    return CheckInFacts(**values)  # type: ignore[arg-type]


def codes(checkin: CheckInFacts) -> dict[str, str]:
    return {str(hit.rule): str(hit.severity) for hit in immediate(checkin)}


def test_immediate_rules_and_severities() -> None:
    assert codes(submitted(concerns=["safeguarding"])) == {"SAFEGUARDING": "urgent"}
    assert codes(submitted(concerns=["domestic_abuse"])) == {"SAFEGUARDING": "urgent"}
    assert codes(submitted(concerns=["self_harm"])) == {"SELF_HARM": "urgent"}
    assert codes(submitted(coordinator_today=True)) == {"COORDINATOR_TODAY": "urgent"}
    assert codes(submitted(concerns=["low_mood"])) == {"LOW_MOOD": "high"}
    assert codes(submitted(concerns=["anxiety"])) == {"LOW_MOOD": "high"}
    assert codes(submitted(whooley_down=True)) == {"LOW_MOOD": "high"}
    assert codes(submitted(whooley_interest=True)) == {"LOW_MOOD": "high"}
    assert codes(submitted(whooley_down=False, whooley_interest=False)) == {}
    assert codes(submitted(concerns=["feeding", "money_housing"])) == {}


def test_immediate_rules_ignore_drafts_and_deleted() -> None:
    for status in ("draft", "deleted"):
        assert (
            immediate(submitted(status=status, concerns=["safeguarding"], coordinator_today=True))
            == []
        )


def test_immediate_evidence_never_carries_notes() -> None:
    hits = immediate(
        submitted(concerns=["safeguarding", "self_harm", "low_mood"], coordinator_today=True)
    )
    assert len(hits) == 4
    assert all("note" not in hit.evidence.lower() for hit in hits)
