"""The scan on a real database: facts, idempotence, auto-resolution, statement count."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, SETTINGS_KEY
from app.escalation.scan import run_scan
from app.escalation.scan_facts import gather_facts
from app.extensions import SessionLike, db
from app.models import Case, EscalationFlag, User
from app.settings import save_settings
from tests.factories import NOW, make_assignment, make_case, make_checkin, make_volunteer
from tests.helpers import StatementCounter

DAY = timedelta(days=1)


def open_flags(session: SessionLike, case: Case | None = None) -> dict[str, str]:
    statement = select(EscalationFlag).where(EscalationFlag.status != "resolved")
    if case is not None:
        statement = statement.where(EscalationFlag.case_id == case.id)
    return {flag.rule: flag.severity for flag in session.scalars(statement)}


def active_case(session: SessionLike, volunteer: User | None = None, **kw: Any) -> Case:
    volunteer = volunteer or make_volunteer(session)
    case = make_case(session, **kw)
    make_assignment(session, case, volunteer, started_at=NOW - 60 * DAY)
    return case


def test_what_does_not_count_as_contact(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    case = active_case(session, volunteer)
    contact = make_checkin(session, case, volunteer, occurred_at=NOW - 20 * DAY)
    # newer, but none of these is a contact
    make_checkin(session, case, volunteer, occurred_at=NOW - 2 * DAY, status="draft")
    make_checkin(session, case, volunteer, occurred_at=NOW - 3 * DAY, status="deleted")
    make_checkin(session, case, volunteer, occurred_at=NOW - 4 * DAY, successful=False)
    facts = {f.case_id: f for f in gather_facts(session)}[case.id]
    assert facts.latest_contact_at == contact.occurred_at
    assert facts.attempts_since_contact == 1
    assert facts.oldest_draft_touched_at == NOW - 2 * DAY
    run_scan(session, NOW)
    assert open_flags(session, case) == {"NO_CONTACT": "medium"}


def test_ended_assignment_is_not_active(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    case = make_case(session, referred_at=NOW - 5 * DAY)
    make_assignment(session, case, volunteer, started_at=NOW - 60 * DAY, ended_at=NOW - 30 * DAY)
    case.status = "waiting"
    session.flush()
    run_scan(session, NOW)
    assert open_flags(session, case) == {}


def test_wellbeing_and_attempt_facts_newest_first(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    case = active_case(session, volunteer)
    for days, score in ((10, 5), (8, 4), (6, 3)):
        make_checkin(session, case, volunteer, occurred_at=NOW - days * DAY, wellbeing=score)
    # an attempt with a score and a contact without one are skipped by WELLBEING_*
    make_checkin(session, case, volunteer, occurred_at=NOW - 5 * DAY, wellbeing=1, successful=False)
    make_checkin(session, case, volunteer, occurred_at=NOW - 4 * DAY, wellbeing=None, bonding=2)
    for days in (3, 2, 1):
        make_checkin(
            session, case, volunteer, occurred_at=NOW - days * DAY, successful=False, wellbeing=None
        )
    facts = {f.case_id: f for f in gather_facts(session)}[case.id]
    assert tuple(facts.wellbeing_scores) == (3, 4, 5)
    assert facts.latest_bonding == 2
    assert facts.attempts_since_contact == 3
    run_scan(session, NOW)
    assert open_flags(session, case) == {
        "WELLBEING_FALLING": "medium",
        "BONDING_LOW": "high",
        "ATTEMPTS_FAILING": "medium",
    }


def test_scan_is_idempotent_and_resolves_when_cleared(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    case = active_case(session, volunteer)
    make_checkin(session, case, volunteer, occurred_at=NOW - 15 * DAY)
    first = run_scan(session, NOW)
    assert first.raised == 1
    session.commit()
    second = run_scan(session, NOW + timedelta(hours=1))
    assert (second.raised, second.resolved) == (0, 0)
    assert session.scalar(select(func.count(EscalationFlag.id))) == 1

    # 30 days: the same flag becomes high, no second flag
    third = run_scan(session, NOW + 15 * DAY)
    assert third.raised == 0 and third.severity_changed == 1
    assert open_flags(session, case) == {"NO_CONTACT": "high"}

    make_checkin(session, case, volunteer, occurred_at=NOW + 16 * DAY)
    fourth = run_scan(session, NOW + 16 * DAY + timedelta(hours=1))
    assert fourth.resolved == 1
    flag = session.scalars(select(EscalationFlag)).one()
    assert flag.status == "resolved" and flag.resolved_by_id is None
    assert flag.resolution_note is not None
    assert "Resolved automatically" in flag.resolution_note
    assert "successful contact" in flag.resolution_note


def test_flags_of_closed_cases_are_resolved(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    case = active_case(session, volunteer)
    make_checkin(session, case, volunteer, occurred_at=NOW - 15 * DAY)
    run_scan(session, NOW)
    case.status = "closed"
    case.closed_at = NOW
    session.flush()
    result = run_scan(session, NOW + DAY)
    assert result.closed_resolved == 1 and result.raised == 0
    flag = session.scalars(select(EscalationFlag)).one()
    assert flag.status == "resolved" and "case was closed" in (flag.resolution_note or "")


def test_unmatched_birth_and_draft_rules_from_the_database(session: SessionLike) -> None:
    waiting = make_case(session, referred_at=NOW - 10 * DAY)
    waiting.parent.due_date = date(2026, 11, 20)
    volunteer = make_volunteer(session, status="paused")
    case = active_case(session, volunteer)
    case.parent.due_date = date(2026, 9, 1)
    case.parent.birth_date = None
    make_checkin(session, case, volunteer, occurred_at=NOW - DAY)
    make_checkin(
        session,
        case,
        volunteer,
        occurred_at=NOW - 3 * DAY,
        status="draft",
        updated_at=NOW - 3 * DAY,
    )
    session.flush()
    run_scan(session, NOW)
    assert open_flags(session, waiting) == {"UNMATCHED": "medium", "BIRTH_SOON": "high"}
    assert open_flags(session, case) == {
        "BIRTH_OVERDUE": "low",
        "VOLUNTEER_LAPSED": "medium",
        "STALE_DRAFT": "low",
    }


def test_thresholds_from_admin_settings(session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    case = active_case(session, volunteer)
    make_checkin(session, case, volunteer, occurred_at=NOW - 15 * DAY)
    save_settings(session, NOW, SETTINGS_KEY, {**DEFAULT_THRESHOLDS, "no_contact_days": 16}, None)
    run_scan(session, NOW)
    assert open_flags(session, case) == {}


# --------------------------------------------------------------------------- statement count


def build(session: SessionLike, n: int) -> None:
    """n cases of a repeating mix, so every kind of write happens at any size."""
    volunteer = make_volunteer(session, max_caseload=n)
    for i in range(n):
        kind = i % 5
        if kind == 0:
            make_case(session, referred_at=NOW - 20 * DAY)  # UNMATCHED
            continue
        case = active_case(session, volunteer)
        if kind == 1:
            make_checkin(session, case, volunteer, occurred_at=NOW - 20 * DAY)  # NO_CONTACT
        elif kind == 2:
            for d in (5, 4, 3):
                make_checkin(session, case, volunteer, occurred_at=NOW - d * DAY, successful=False)
        elif kind == 3:
            make_checkin(session, case, volunteer, occurred_at=NOW - DAY, wellbeing=1)
        else:
            make_checkin(session, case, volunteer, occurred_at=NOW - DAY)
            make_checkin(session, case, volunteer, occurred_at=NOW - 5 * DAY, status="draft")
    session.commit()


def scan_statements(session: SessionLike, count_statements: StatementCounter) -> tuple[int, int]:
    with count_statements() as first:
        first_result = run_scan(session, NOW)
    session.commit()
    # a day later with one contact each for some: some flags resolve, others stay
    with count_statements() as second:
        run_scan(session, NOW + 40 * DAY)
    session.commit()
    assert first_result.raised > 0
    return len(first), len(second)


@pytest.mark.slow
def test_statement_count_does_not_grow_with_cases(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    build(session, 10)
    small = scan_statements(session, count_statements)
    db.session.execute(delete(EscalationFlag))
    for table in ("checkins", "assignments", "cases", "parents"):
        db.session.execute(db.metadata.tables[table].delete())
    session.commit()
    build(session, 1000)
    large = scan_statements(session, count_statements)
    assert small == large
    assert small[0] <= 8
