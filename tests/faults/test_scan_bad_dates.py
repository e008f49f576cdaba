"""Issue 9, item 1: one implausible stored date never stops the daily scan or breaks a page.

A parent saved with birth date 9999-12-31 (or due date 0001-01-01) once made every scan fail
with ``ValueError: year 10001 is out of range`` and the case page, suggestions and /plan
answer 500. Here those dates are written straight into the database (no form accepts them
now), and the scan must flag every other case exactly as it does without them.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select, update

from app.domain import Rule
from app.escalation import scan as scan_module
from app.escalation.rules import evaluate as real_evaluate
from app.escalation.rules_facts import CaseFacts
from app.escalation.scan import run_scan
from app.extensions import SessionLike
from app.models import Case, EscalationFlag, Parent, VolunteerProfile
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import login

DAY = timedelta(days=1)
EXTREMES: dict[str, dict[str, date | None]] = {
    "birth_max": {"birth_date": date.max, "due_date": None},  # 9999-12-31
    "due_min": {"due_date": date.min},  # 0001-01-01
    "birth_min": {"birth_date": date.min, "due_date": date.max},
    "due_max": {"due_date": date.max, "birth_date": None},
}


def build_normal_cases(session: SessionLike) -> list[int]:
    """A spread of ordinary cases, most of which some rule flags at NOW."""
    area = make_area(session)
    volunteer = make_volunteer(session, area=area)
    ids = []
    for n in range(12):
        parent = make_parent(
            session,
            area=area,
            due_date=NOW.date() + (n * 9 - 40) * DAY,
            birth_date=None if n % 3 else NOW.date() - (n * 70) * DAY,
        )
        case = make_case(session, parent, referred_at=NOW - (n * 5 + 1) * DAY)
        if n % 2:
            case.status = "active"
            make_assignment(session, case, volunteer, started_at=NOW - (n * 4 + 10) * DAY)
            if n % 4 == 1:
                make_checkin(session, case, volunteer, occurred_at=NOW - n * 3 * DAY)
        ids.append(case.id)
    session.commit()
    return ids


def add_extreme_parents(session: SessionLike, volunteer_dbs: bool = True) -> dict[str, int]:
    """Cases whose parents have impossible dates, written straight into the database (some
    assigned to a volunteer whose DBS expiry is 9999-12-31), so the pre-filter passes them."""
    area = session.scalars(select(Case.area_id)).first()
    volunteer = make_volunteer(session, dbs_expires_on=date.max if volunteer_dbs else None)
    cases = {}
    for name, dates in EXTREMES.items():
        parent = make_parent(session, first_name=f"Secret{name}")
        case = make_case(session, parent, area_id=area, referred_at=NOW - 90 * DAY)
        session.flush()
        session.execute(update(Parent).where(Parent.id == parent.id).values(**dates))
        cases[name] = case.id
    active = make_case(session, make_parent(session, first_name="SecretActive"), status="active")
    make_assignment(session, active, volunteer, started_at=NOW - 60 * DAY)
    session.flush()
    session.execute(update(Parent).where(Parent.id == active.parent_id).values(birth_date=date.max))
    cases["active_birth_max"] = active.id
    session.commit()
    session.expire_all()
    return cases


def flags_of(session: SessionLike, case_ids: list[int]) -> set[tuple[int, str, str, str]]:
    return {
        (f.case_id, f.rule, f.severity, f.status)
        for f in session.scalars(select(EscalationFlag).where(EscalationFlag.case_id.in_(case_ids)))
    }


def test_the_scan_completes_with_impossible_dates_and_flags_every_other_case_the_same(
    app: Flask, session: SessionLike
) -> None:
    normal = build_normal_cases(session)
    run_scan(session, NOW)
    session.commit()
    expected = flags_of(session, normal)
    assert len(expected) >= 6  # the spread really raises flags

    session.execute(delete(EscalationFlag))
    session.commit()
    extreme = add_extreme_parents(session)
    result = run_scan(session, NOW)  # raised ValueError: year 10001 is out of range
    session.commit()
    assert result.failed == 0  # the date arithmetic is total: nothing to isolate
    assert flags_of(session, normal) == expected
    # and the impossible dates are judged like any other: far past due, or not born yet
    rules = {
        (case_id, rule) for case_id, rule, _s, _st in flags_of(session, list(extreme.values()))
    }
    assert (extreme["due_min"], Rule.BIRTH_OVERDUE) in rules
    assert not any(rule == Rule.CHECK_FAILED for _c, rule in rules)

    # a later scan, a day on, also completes
    later = run_scan(session, NOW + DAY)
    session.commit()
    assert later.cases == len(normal) + len(extreme)


def test_a_case_the_rules_cannot_evaluate_is_flagged_and_the_scan_carries_on(
    app: Flask,
    session: SessionLike,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Defence in depth: whatever makes the rules raise for one case (here a rule that
    fails for one case id), that case gets CHECK_FAILED, keeps its flags, and every other
    case is flagged as usual; the first scan that can evaluate it resolves CHECK_FAILED."""
    normal = build_normal_cases(session)
    run_scan(session, NOW)
    session.commit()
    before = flags_of(session, normal)
    broken = next(case_id for case_id, *_ in sorted(before))
    kept = {flag for flag in before if flag[0] == broken}

    def evaluate(facts: CaseFacts, now: object, t: object = None) -> object:
        if facts.case_id == broken:
            raise ValueError("year 10001 is out of range")
        return real_evaluate(facts, now, t)  # type: ignore[arg-type]

    monkeypatch.setattr(scan_module, "evaluate", evaluate)
    with caplog.at_level(logging.ERROR, logger="app.escalation.scan"):
        result = run_scan(session, NOW + DAY)
    session.commit()
    assert result.failed == 1
    after = flags_of(session, normal)
    assert (broken, Rule.CHECK_FAILED, "high", "open") in after
    assert kept <= after  # the failed case keeps the flags it had
    parent_name = session.get(Case, broken).parent.first_name  # type: ignore[union-attr]
    messages = " ".join(record.getMessage() for record in caplog.records)
    assert f"C-{broken:05d}" in messages and parent_name not in messages
    assert "10001" not in messages  # only the kind of error, no value
    label = session.scalar(
        select(EscalationFlag.evidence).where(EscalationFlag.rule == Rule.CHECK_FAILED)
    )
    assert label and "dates" in label

    monkeypatch.setattr(scan_module, "evaluate", real_evaluate)
    run_scan(session, NOW + 2 * DAY)
    session.commit()
    check_failed = session.scalar(
        select(EscalationFlag).where(EscalationFlag.rule == Rule.CHECK_FAILED)
    )
    assert check_failed is not None and check_failed.status == "resolved"
    assert "could check this case again" in (check_failed.resolution_note or "")


def test_pages_answer_for_a_parent_with_impossible_dates(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    """The case page, its parent page, its suggestions, /plan and the lists: 200, not 500."""
    app.config["CORNER_NOW"] = NOW
    build_normal_cases(session)
    extreme = add_extreme_parents(session)
    coordinator = make_user(session, "coordinator")
    session.commit()
    run_scan(session, NOW)
    session.commit()
    login(client, coordinator.email)
    for case_id in extreme.values():
        for url in (
            f"/cases/{case_id}",
            f"/cases/{case_id}/parent",
            f"/cases/{case_id}/suggestions",
        ):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
    for url in ("/plan", "/cases", "/waiting", "/flags", "/"):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)


def test_check_dates_lists_the_stored_implausible_dates_by_reference(
    app: Flask, session: SessionLike
) -> None:
    build_normal_cases(session)
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["escalation", "check-dates", "--now", NOW.isoformat()])
    assert clean.exit_code == 0, clean.output
    assert "No implausible dates." in clean.output
    extreme = add_extreme_parents(session)
    found = runner.invoke(args=["escalation", "check-dates", "--now", NOW.isoformat()])
    assert found.exit_code == 1, found.output
    lines = [line for line in found.stdout.splitlines() if line]
    assert f"C-{extreme['birth_max']:05d}" in found.stdout
    assert any(
        f"C-{extreme['birth_max']:05d}" in line and ": birth_date: 9999-12-31:" in line
        for line in lines
    )
    assert any(
        f"C-{extreme['due_min']:05d}" in line and ": due_date: 0001-01-01:" in line
        for line in lines
    )
    assert any("dbs_expires_on: 9999-12-31" in line for line in lines)
    assert "Secret" not in found.output  # references only, never a name
    profile = session.scalars(select(VolunteerProfile)).first()
    assert profile is not None
