"""Flags follow the work: whenever a case's facts change, its scheduled rules run again in the
same transaction, by the daily scan's own code restricted to that case."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.cases import service as cases_service
from app.cases.service import CheckInData, ParentData
from app.domain import VolunteerStatus
from app.escalation.hooks import on_case_facts_changed, on_checkin_submitted
from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS
from app.escalation.scan import run_scan
from app.escalation.scan_runs import last_completed_scan
from app.extensions import SessionLike
from app.matching import profiles
from app.matching.planning import confirm_plan
from app.models import Case, CheckIn, EscalationFlag, OutboxEmail, User
from tests.escalation.test_scan_equivalence import build_random
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
from tests.helpers import StatementCounter, csrf_token, login, post_form

DAY = timedelta(days=1)
CONTACT = {
    "mode": "phone",
    "occurred_at": "2026-11-02T09:30",
    "duration_min": "20",
    "successful": "yes",
    "wellbeing": "4",
    "whooley_down": "no",
    "notes": "",
    "action": "submit",
}


def open_rules(session: SessionLike, case: Case) -> set[str]:
    session.expire_all()
    return set(
        session.scalars(
            select(EscalationFlag.rule).where(
                EscalationFlag.case_id == case.id, EscalationFlag.status != "resolved"
            )
        )
    )


def latest_flag(session: SessionLike, case: Case, rule: str) -> EscalationFlag:
    flag = session.scalars(
        select(EscalationFlag)
        .where(EscalationFlag.case_id == case.id, EscalationFlag.rule == rule)
        .order_by(EscalationFlag.id.desc())
    ).first()
    assert flag is not None
    return flag


def emails(session: SessionLike) -> int:
    """Emails about flags (the volunteer's "new parent" email is the assignment's own)."""
    about_flags = OutboxEmail.kind.not_in(("new_parent", "parent_moved"))
    return int(session.scalar(select(func.count(OutboxEmail.id)).where(about_flags)) or 0)


@pytest.fixture
def people(app: Flask, session: SessionLike) -> dict[str, Any]:
    app.config["CORNER_NOW"] = NOW
    area = make_area(session, duty_email="duty@charity.example")
    return {
        "area": area,
        "coordinator": make_user(session, "coordinator", areas=[area]),
        "volunteer": make_volunteer(session, area=area, user_kw={"first_name": "Bea"}),
    }


def active_case(session: SessionLike, people: dict[str, Any], **kw: Any) -> Case:
    """Assigned on 5 Oct, never contacted: NO_CONTACT holds on 2 Nov."""
    case = make_case(session, make_parent(session, area=people["area"]), **kw)
    make_assignment(session, case, people["volunteer"])
    return case


def test_a_contact_resolves_no_contact_in_the_same_request(
    client: FlaskClient, session: SessionLike, people: dict[str, Any]
) -> None:
    case = active_case(session, people)
    other = active_case(session, people)
    run_scan(session, NOW - DAY)
    assert open_rules(session, case) == open_rules(session, other) == {"NO_CONTACT"}
    # the other case gets a contact behind the rules' back: only a scan of it would see it
    make_checkin(session, other, people["volunteer"], occurred_at=NOW - DAY)
    session.commit()

    login(client, people["volunteer"].email)
    data = {**CONTACT, "concerns": ["safeguarding"]}
    response = post_form(client, f"/cases/{case.id}/checkins/new", data)
    assert response.status_code == 302

    assert open_rules(session, case) == {"SAFEGUARDING"}
    flag = latest_flag(session, case, "NO_CONTACT")
    assert flag.status == "resolved" and flag.resolved_at == NOW and flag.resolved_by_id is None
    assert "a successful contact was recorded" in (flag.resolution_note or "")
    assert open_rules(session, other) == {"NO_CONTACT"}  # only the changed case was evaluated
    assert emails(session) == 1  # the urgent alert, once: the scheduled rules send nothing
    assert last_completed_scan(session) is None  # a case's evaluation is not a scan


def test_deleting_the_contact_brings_no_contact_back_and_restoring_resolves_it(
    client: FlaskClient, session: SessionLike, people: dict[str, Any]
) -> None:
    case = active_case(session, people)
    session.commit()
    login(client, people["volunteer"].email)
    post_form(client, f"/cases/{case.id}/checkins/new", CONTACT)
    assert open_rules(session, case) == set()
    checkin = session.scalars(select(CheckIn).where(CheckIn.case_id == case.id)).one()

    page = client.get(f"/checkins/{checkin.id}").get_data(as_text=True)
    client.post(
        f"/checkins/{checkin.id}/delete", data={"csrf_token": csrf_token(page), "confirmed": "yes"}
    )
    assert open_rules(session, case) == {"NO_CONTACT"}

    staff = client.application.test_client()
    login(staff, people["coordinator"].email)
    html = staff.get(f"/cases/{case.id}?deleted=1").get_data(as_text=True)
    staff.post(f"/checkins/{checkin.id}/restore", data={"csrf_token": csrf_token(html)})
    assert open_rules(session, case) == set()
    assert emails(session) == 0


def test_editing_a_contact_into_an_attempt_brings_no_contact_back(
    session: SessionLike, people: dict[str, Any]
) -> None:
    case = active_case(session, people)
    checkin = cases_service.create_checkin(
        session,
        NOW,
        case,
        people["volunteer"],
        CheckInData(occurred_at=NOW - DAY, mode="phone", wellbeing=4),
        submit=True,
    )
    assert open_rules(session, case) == set()
    cases_service.update_checkin(
        session,
        NOW,
        checkin,
        CheckInData(occurred_at=NOW - DAY, mode="phone", successful=False),
        submit=False,
    )
    assert open_rules(session, case) == {"NO_CONTACT"}


def test_assigning_resolves_waiting_for_a_volunteer_and_ending_brings_it_back(
    client: FlaskClient, session: SessionLike, people: dict[str, Any]
) -> None:
    case = make_case(session, make_parent(session, area=people["area"]))  # referred 1 Oct
    run_scan(session, NOW - DAY)
    assert open_rules(session, case) == {"UNMATCHED"}
    session.commit()

    login(client, people["coordinator"].email)
    url = f"/cases/{case.id}/assign/{people['volunteer'].id}"
    assert post_form(client, url, {"current_assignment": "0"}).status_code == 302
    assert open_rules(session, case) == set()  # and no NO_CONTACT: the first call is not due
    flag = latest_flag(session, case, "UNMATCHED")
    assert flag.resolved_at == NOW and "a volunteer was assigned" in (flag.resolution_note or "")

    response = post_form(client, f"/cases/{case.id}/end", {"reason": "parent_stopped"})
    assert response.status_code == 302
    assert open_rules(session, case) == {"UNMATCHED"}  # referred 32 days ago, waiting again
    assert latest_flag(session, case, "UNMATCHED").raised_at == NOW
    assert emails(session) == 0


def test_a_new_assignments_first_contact_is_due_within_3_days(
    session: SessionLike, people: dict[str, Any]
) -> None:
    case = make_case(session, make_parent(session, area=people["area"]))
    started = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)
    make_assignment(session, case, people["volunteer"], started_at=started)
    run_scan(session, started + 3 * DAY - timedelta(seconds=1))
    assert open_rules(session, case) == set()
    run_scan(session, started + 3 * DAY)
    assert open_rules(session, case) == {"NO_CONTACT"}
    evidence = latest_flag(session, case, "NO_CONTACT").evidence
    assert evidence.startswith("No first contact since the volunteer started on Fri 30 Oct")


def test_confirming_the_plan_resolves_waiting_for_a_volunteer(
    session: SessionLike, people: dict[str, Any]
) -> None:
    case = make_case(session, make_parent(session, area=people["area"]))
    run_scan(session, NOW - DAY)
    result = confirm_plan(session, NOW, [(case.id, people["volunteer"].id)], None)
    assert len(result.made) == 1
    assert open_rules(session, case) == set()


def test_new_dates_re_evaluate_the_parents_cases(
    session: SessionLike, people: dict[str, Any]
) -> None:
    parent = make_parent(session, area=people["area"], due_date=date(2026, 10, 1))
    case = make_case(session, parent)
    make_assignment(session, case, people["volunteer"])
    make_checkin(session, case, people["volunteer"], occurred_at=NOW - DAY)
    run_scan(session, NOW - DAY)
    assert open_rules(session, case) == {"BIRTH_OVERDUE"}
    data = ParentData(
        first_name=parent.first_name,
        last_name=parent.last_name,
        postcode=parent.postcode,
        languages=list(parent.languages or []),
        due_date=parent.due_date,
        birth_date=date(2026, 10, 3),
        consent_on=parent.consent_on,
    )
    assert "birth_date" in cases_service.update_parent(session, NOW, parent, data)
    assert open_rules(session, case) == set()
    flag = latest_flag(session, case, "BIRTH_OVERDUE")
    assert "the dates were updated" in (flag.resolution_note or "")


def test_marking_high_risk_shortens_no_contact_at_once(
    session: SessionLike, people: dict[str, Any]
) -> None:
    case = active_case(session, people)
    make_checkin(session, case, people["volunteer"], occurred_at=NOW - 10 * DAY)
    run_scan(session, NOW - DAY)
    assert open_rules(session, case) == set()
    cases_service.set_high_risk(session, NOW, case, True)
    assert open_rules(session, case) == {"NO_CONTACT"}


def test_a_volunteer_pausing_or_resuming_re_evaluates_their_parents(
    session: SessionLike, people: dict[str, Any]
) -> None:
    case = active_case(session, people)
    make_checkin(session, case, people["volunteer"], occurred_at=NOW - DAY)
    profile = people["volunteer"].volunteer_profile
    profiles.set_own_status(session, NOW, profile, VolunteerStatus.PAUSED)
    assert open_rules(session, case) == {"VOLUNTEER_LAPSED"}
    profiles.set_own_status(session, NOW, profile, VolunteerStatus.ACTIVE)
    assert open_rules(session, case) == set()
    fields = profiles.ProfileFields.of(profile)
    profiles.save_profile(
        session, NOW, people["volunteer"], replace(fields, dbs_expires_on=date(2026, 11, 1))
    )
    assert open_rules(session, case) == {"VOLUNTEER_LAPSED"}


def test_closing_resolves_every_flag_and_reopening_looks_again(
    client: FlaskClient, session: SessionLike, people: dict[str, Any]
) -> None:
    case = active_case(session, people)
    attempt = make_checkin(
        session,
        case,
        people["volunteer"],
        occurred_at=NOW - DAY,
        successful=False,
        wellbeing=None,
        concerns=["safeguarding"],
    )
    on_checkin_submitted(session, attempt, NOW - DAY)
    run_scan(session, NOW - DAY)
    assert open_rules(session, case) == {"NO_CONTACT", "SAFEGUARDING"}
    sent_before = emails(session)
    session.commit()

    login(client, people["coordinator"].email)
    response = post_form(client, f"/cases/{case.id}/close", {"reason": "moved_away"})
    assert response.status_code == 302
    assert open_rules(session, case) == set()
    for rule in ("NO_CONTACT", "SAFEGUARDING"):
        flag = latest_flag(session, case, rule)
        assert flag.resolved_at == NOW and "the case was closed" in (flag.resolution_note or "")

    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    client.post(f"/cases/{case.id}/reopen", data={"csrf_token": csrf_token(html)})
    # back on the waiting list, referred on 1 Oct: waiting for a volunteer at once
    assert open_rules(session, case) == {"UNMATCHED"}
    assert emails(session) == sent_before


def test_saving_thresholds_checks_every_open_case_again_and_says_so(
    client: FlaskClient, session: SessionLike, people: dict[str, Any]
) -> None:
    admin = make_user(session, "admin")
    case = active_case(session, people)
    make_checkin(session, case, people["volunteer"], occurred_at=NOW - 20 * DAY)
    waiting = make_case(session, make_parent(session, area=people["area"]))
    run_scan(session, NOW - DAY)
    assert open_rules(session, case) == {"NO_CONTACT"}
    assert open_rules(session, waiting) == {"UNMATCHED"}
    session.commit()

    login(client, admin.email)
    values = {name: str(value) for name, value in DEFAULT_THRESHOLDS.items()}
    response = post_form(
        client,
        "/admin/settings/escalation",
        {**values, "no_contact_days": "21", "unmatched_days": "40"},
    )
    assert response.status_code == 302
    assert open_rules(session, case) == set()
    assert open_rules(session, waiting) == set()
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every open case was checked again with them just now (2 open cases)" in page
    assert "0 flags raised, 2 flags resolved." in page
    assert last_completed_scan(session) == NOW  # a scan of every case, recorded as one


def test_a_cases_evaluation_is_the_scan_restricted_to_it(session: SessionLike) -> None:
    """On random cases: evaluating some cases changes their flags exactly as the full scan
    would, and nobody else's."""
    build_random(session, random.Random(7), 40)
    when = NOW + 5 * DAY
    ids = list(session.scalars(select(Case.id).order_by(Case.id)))
    chosen = ids[::3]
    run_scan(session, NOW)

    def flags() -> dict[int, set[tuple[str, str, str]]]:
        session.expire_all()
        found: dict[int, set[tuple[str, str, str]]] = {case_id: set() for case_id in ids}
        for flag in session.scalars(select(EscalationFlag)):
            found[flag.case_id].add((flag.rule, flag.severity, flag.status))
        return found

    before = flags()
    on_case_facts_changed(session, when, chosen)
    partial = flags()
    run_scan(session, when)
    full = flags()
    for case_id in ids:
        assert partial[case_id] == (full[case_id] if case_id in chosen else before[case_id])


def evaluation_statements(
    session: SessionLike, count_statements: StatementCounter, volunteer: User, n: int
) -> int:
    """Statements of one case's evaluation (its NO_CONTACT resolved, UNMATCHED not) among n
    other open cases with flags and check-ins of their own."""
    for _ in range(n):
        other = make_case(session)
        make_assignment(session, other, volunteer)
        for day in range(3):
            make_checkin(session, other, volunteer, occurred_at=NOW - (20 + day) * DAY)
    case = make_case(session)
    make_assignment(session, case, volunteer)
    for day in range(n):
        make_checkin(session, case, volunteer, occurred_at=NOW - (40 + day) * DAY)
    run_scan(session, NOW - DAY)
    make_checkin(session, case, volunteer, occurred_at=NOW - DAY, wellbeing=1)
    session.commit()
    with count_statements() as statements:
        result = on_case_facts_changed(session, NOW, [case.id])
    session.commit()
    assert (result.raised, result.resolved) == (1, 1)  # WELLBEING_LOW raised, NO_CONTACT gone
    return len(statements)


def test_a_cases_evaluation_runs_a_fixed_number_of_statements(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    volunteer = make_volunteer(session, max_caseload=100)
    small = evaluation_statements(session, count_statements, volunteer, 2)
    large = evaluation_statements(session, count_statements, volunteer, 40)
    assert small == large
    assert small <= 8
