"""Consent withdrawn closes the case through the ordinary close, ends the assignment, stops
reminders, the waiting list and the plan for her, records the day and audits it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from app.cases.queries import waiting_list
from app.escalation.scan import saved_thresholds
from app.extensions import SessionLike
from app.matching.planning import propose
from app.models import Assignment, AuditEvent
from app.privacy.consent import ConsentError, record_consent_withdrawn
from app.reminders import volunteers_due
from tests.factories import NOW, make_case, make_parent
from tests.privacy.erasure_canaries import Charity, seed_charity


@pytest.fixture
def charity(app: Flask, session: SessionLike) -> Charity:
    app.config["CORNER_NOW"] = NOW
    return seed_charity(session)


def _due_checkins(session: SessionLike, volunteer_id: int) -> int:
    later = NOW + timedelta(days=30)
    found = volunteers_due(session, later, saved_thresholds(session))
    return sum(d.checkins_due for d in found if d.volunteer_id == volunteer_id)


def test_withdrawal_closes_the_case_and_stops_reminders(
    session: SessionLike, charity: Charity
) -> None:
    assert _due_checkins(session, charity.volunteer.id) == 1
    closed = record_consent_withdrawn(
        session, NOW, charity.b, on=date(2026, 11, 1), actor_id=charity.coordinator.id
    )
    session.commit()
    assert [c.id for c in closed] == [charity.b_case.id]
    assert charity.b_case.status == "closed"
    assert charity.b_case.close_reason == "The parent withdrew consent"
    assert charity.b.consent_withdrawn_on == date(2026, 11, 1)
    ended = session.scalars(select(Assignment).where(Assignment.case_id == charity.b_case.id))
    assert all(a.ended_at == NOW for a in ended)
    assert _due_checkins(session, charity.volunteer.id) == 0
    actions = session.execute(
        select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.actor_id == charity.coordinator.id
        )
    ).all()
    assert ("case.closed", "reason: consent_withdrawn") in actions
    assert ("privacy.consent_withdrawn", "ref CH-B-002; on 2026-11-01; cases closed 1") in actions


def test_a_waiting_parent_leaves_the_waiting_list_and_the_plan(
    session: SessionLike, charity: Charity
) -> None:
    parent = make_parent(session, area=charity.area)
    case = make_case(session, parent, status="waiting")
    session.commit()
    today = NOW.date()
    assert case.id in [row.case.id for row in waiting_list(session, charity.admin, today)[0]]
    assert propose(session, NOW).waiting == 1
    record_consent_withdrawn(session, NOW, parent, on=today, actor_id=charity.admin.id)
    session.commit()
    assert case.id not in [row.case.id for row in waiting_list(session, charity.admin, today)[0]]
    assert propose(session, NOW).waiting == 0


def test_refused_for_a_future_day_or_an_erased_parent(
    session: SessionLike, charity: Charity
) -> None:
    with pytest.raises(ConsentError, match="future"):
        record_consent_withdrawn(session, NOW, charity.b, on=date(2026, 11, 3), actor_id=None)
    with pytest.raises(ConsentError, match="before she gave consent"):
        record_consent_withdrawn(session, NOW, charity.b, on=date(2020, 1, 1), actor_id=None)
    assert charity.b_case.status == "active"
