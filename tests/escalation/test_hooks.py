"""Immediate rules on submit: flags, evidence on an open flag, the urgent email queued."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, render_template_string
from sqlalchemy import func, select

from app.escalation.hooks import on_case_facts_changed, on_checkin_submitted
from app.escalation.queries import case_flags
from app.extensions import SessionLike
from app.models import EscalationFlag, OutboxEmail
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)


def setup_case(session: SessionLike, *, owner: bool = True):
    area = make_area(session, duty_email="duty@charity.example")
    coordinator = make_user(session, "coordinator", areas=[area], email="owner@charity.example")
    other = make_user(session, "coordinator", areas=[area], email="other@charity.example")
    volunteer = make_volunteer(session, area=area)
    case = make_case(session, area=area, owner=coordinator if owner else None)
    make_assignment(session, case, volunteer)
    return case, volunteer, coordinator, other


def test_safeguarding_raises_urgent_flag_and_queues_email(session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session)
    checkin = make_checkin(
        session,
        case,
        volunteer,
        concerns=["safeguarding"],
        coordinator_today=True,
        whooley_down=True,
        notes="secret note",
    )
    on_checkin_submitted(session, checkin, NOW)
    flags = {f.rule: f for f in session.scalars(select(EscalationFlag))}
    assert {rule: f.severity for rule, f in flags.items()} == {
        "SAFEGUARDING": "urgent",
        "COORDINATOR_TODAY": "urgent",
        "LOW_MOOD": "high",
    }
    assert flags["SAFEGUARDING"].checkin_id == checkin.id
    email = session.scalars(select(OutboxEmail)).one()
    assert email.kind == "urgent_flag"
    assert email.to_addrs == ["duty@charity.example", "owner@charity.example"]
    assert case.reference in email.subject
    assert f"/flags/{flags['SAFEGUARDING'].id}" in email.body_text
    assert "secret note" not in email.body_text + email.body_html
    assert "safeguarding" not in (email.body_text + email.subject).lower()


def test_without_owner_the_area_coordinators_get_it(session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session, owner=False)
    checkin = make_checkin(session, case, volunteer, concerns=["self_harm"])
    on_checkin_submitted(session, checkin, NOW)
    email = session.scalars(select(OutboxEmail)).one()
    assert email.to_addrs == [
        "duty@charity.example",
        "other@charity.example",
        "owner@charity.example",
    ]


def test_second_concern_adds_evidence_and_still_alerts(session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session)
    first = make_checkin(
        session, case, volunteer, concerns=["safeguarding"], occurred_at=NOW - timedelta(days=1)
    )
    on_checkin_submitted(session, first, NOW - timedelta(days=1))
    second = make_checkin(session, case, volunteer, concerns=["domestic_abuse"], occurred_at=NOW)
    on_checkin_submitted(session, second, NOW)
    flag = session.scalars(select(EscalationFlag)).one()
    assert "domestic abuse" in flag.evidence and "Earlier:" in flag.evidence
    assert session.scalar(select(func.count(OutboxEmail.id))) == 2
    # the same check-in handed in twice queues one email
    on_checkin_submitted(session, second, NOW)
    assert session.scalar(select(func.count(OutboxEmail.id))) == 2
    assert session.scalar(select(func.count(EscalationFlag.id))) == 1


def test_a_resolved_flag_does_not_block_a_new_one(session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session)
    first = make_checkin(session, case, volunteer, concerns=["low_mood"])
    on_checkin_submitted(session, first, NOW)
    flag = session.scalars(select(EscalationFlag)).one()
    flag.status = "resolved"
    session.flush()
    again = make_checkin(session, case, volunteer, concerns=["anxiety"])
    on_checkin_submitted(session, again, NOW)
    assert session.scalar(select(func.count(EscalationFlag.id))) == 2
    # LOW_MOOD is high, not urgent: no immediate email
    assert session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_drafts_and_closed_cases_raise_nothing(session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session)
    draft = make_checkin(session, case, volunteer, concerns=["safeguarding"], status="draft")
    on_checkin_submitted(session, draft, NOW)
    case.status = "closed"
    done = make_checkin(session, case, volunteer, concerns=["safeguarding"])
    on_checkin_submitted(session, done, NOW)
    assert session.scalar(select(func.count(EscalationFlag.id))) == 0
    assert session.scalar(select(func.count(OutboxEmail.id))) == 0


def test_closing_a_case_resolves_its_flags_saying_so(session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session)
    checkin = make_checkin(session, case, volunteer, concerns=["self_harm", "anxiety"])
    on_checkin_submitted(session, checkin, NOW)
    case.status = "closed"
    assert on_case_facts_changed(session, NOW, [case.id]).closed_resolved == 2
    flags = case_flags(session, case.id)
    assert {f.status for f in flags} == {"resolved"}
    assert all(
        f.resolved_by_id is None and "case was closed" in (f.resolution_note or "") for f in flags
    )


def test_case_page_timeline_macro_links_to_each_flag(app: Flask, session: SessionLike) -> None:
    case, volunteer, _, _ = setup_case(session)
    checkin = make_checkin(session, case, volunteer, concerns=["safeguarding"])
    on_checkin_submitted(session, checkin, NOW)
    with app.test_request_context():
        html = render_template_string(
            '{% from "escalation/_flags.html" import flag_timeline %}'
            "{{ flag_timeline(flags, now) }}",
            flags=case_flags(session, case.id),
            now=NOW,
        )
    flag = case_flags(session, case.id)[0]
    assert f'href="/flags/{flag.id}"' in html
    assert "Urgent" in html and "Safeguarding or domestic abuse concern" in html
