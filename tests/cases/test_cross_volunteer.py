"""A volunteer asking for anything that is not theirs gets 404 and nothing changes.

Every route in tests/cross_volunteer.py is tried with another volunteer's ids (and with ids
of a case whose assignment to this volunteer has ended), by GET and POST as listed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Assignment, AuditEvent, Case, CheckIn, Parent
from tests.cases.conftest import World
from tests.cross_volunteer import CROSS_VOLUNTEER_ROUTES
from tests.factories import make_assignment, make_case, make_checkin, make_parent
from tests.helpers import csrf_token, login

FORM = {
    "mode": "phone",
    "occurred_at": "2026-11-02T09:00",
    "successful": "yes",
    "wellbeing": "1",
    "notes": "should never be stored",
    "action": "submit",
}


def snapshot(session: SessionLike) -> list[Any]:
    """Everything a request could change about cases and check-ins."""
    session.expire_all()
    rows: list[Any] = []
    for c in session.scalars(select(CheckIn).order_by(CheckIn.id)):
        rows.append(("checkin", c.id, c.status, c.notes, c.wellbeing, c.case_id, c.deleted_at))
    for case in session.scalars(select(Case).order_by(Case.id)):
        rows.append(("case", case.id, case.status, case.high_risk))
    for a in session.scalars(select(Assignment).order_by(Assignment.id)):
        rows.append(("assignment", a.id, a.ended_at))
    rows.append(("parents", len(list(session.scalars(select(Parent.id))))))
    return rows


@pytest.fixture
def targets(session: SessionLike, world: World) -> dict[str, int]:
    ended = make_case(session, make_parent(session, area=world.area))
    make_assignment(
        session,
        ended,
        world.alice,
        started_at=datetime(2026, 9, 1, tzinfo=UTC),
        ended_at=datetime(2026, 10, 1, tzinfo=UTC),
    )
    ended.status = "waiting"
    ended_checkin = make_checkin(
        session, ended, world.alice, occurred_at=datetime(2026, 9, 10, tzinfo=UTC)
    )
    other_checkin = make_checkin(session, world.bob_case, world.bob)
    other_draft = make_checkin(
        session, world.bob_case, world.bob, status="draft", submitted_at=None
    )
    predecessor = make_checkin(
        session, world.alice_case, world.bob, occurred_at=datetime(2026, 9, 20, tzinfo=UTC)
    )
    session.commit()
    return {
        "predecessor_checkin": predecessor.id,
        "other_case": world.bob_case.id,
        "ended_case": ended.id,
        "other_checkin": other_checkin.id,
        "other_draft": other_draft.id,
        "ended_checkin": ended_checkin.id,
    }


def probes(app: Flask, targets: dict[str, int]) -> list[tuple[str, str, str]]:
    adapter = app.url_map.bind("localhost")
    found = []
    for endpoint, probe in CROSS_VOLUNTEER_ROUTES.items():
        for kind in probe.kinds:
            url = adapter.build(endpoint, {probe.param: targets[kind]})
            for method in probe.methods:
                found.append((endpoint, method, url))
    return found


def test_every_registered_route_answers_404_to_another_volunteer(
    app: Flask, client: FlaskClient, session: SessionLike, world: World, targets: dict[str, int]
) -> None:
    login(client, world.alice.email)
    token = csrf_token(client.get("/my/parents").get_data(as_text=True))
    before = snapshot(session)
    events_before = len(list(session.scalars(select(AuditEvent.id))))
    tried = probes(app, targets)
    assert {endpoint for endpoint, _, _ in tried} == set(CROSS_VOLUNTEER_ROUTES)
    for endpoint, method, url in tried:
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**FORM, "csrf_token": token})
        assert response.status_code == 404, f"{method} {url} ({endpoint})"
        assert "should never be stored" not in response.get_data(as_text=True)
    assert snapshot(session) == before
    # Logins aside, a refused request leaves no trace that could hint at the record.
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))[events_before:]
    assert [e.action for e in events] == []


def test_own_records_still_work_so_the_404s_mean_something(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine = make_checkin(session, world.alice_case, world.alice, status="draft", submitted_at=None)
    session.commit()
    login(client, world.alice.email)
    assert client.get(f"/cases/{world.alice_case.id}").status_code == 200
    assert client.get(f"/checkins/{mine.id}").status_code == 200
    assert client.get(f"/checkins/{mine.id}/edit").status_code == 200
    assert client.get(f"/cases/{world.alice_case.id}/checkins/new").status_code == 200


def test_hidden_form_fields_cannot_move_a_checkin_to_another_case(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine = make_checkin(session, world.alice_case, world.alice, status="draft", submitted_at=None)
    session.commit()
    login(client, world.alice.email)
    page = client.get(f"/checkins/{mine.id}/edit").get_data(as_text=True)
    data = {
        **FORM,
        "action": "draft",
        "case_id": str(world.bob_case.id),
        "volunteer_id": str(world.bob.id),
        "status": "submitted",
        "csrf_token": csrf_token(page),
    }
    assert client.post(f"/checkins/{mine.id}/edit", data=data).status_code == 302
    session.expire_all()
    checkin = session.get(CheckIn, mine.id)
    assert checkin is not None
    assert checkin.case_id == world.alice_case.id and checkin.volunteer_id == world.alice.id
    assert checkin.status == "draft"


def test_a_volunteer_cannot_use_coordinator_actions(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.alice.email)
    token = csrf_token(client.get("/my/parents").get_data(as_text=True))
    before = snapshot(session)
    case_id = world.alice_case.id
    for url in (
        f"/cases/{case_id}/high-risk",
        f"/cases/{case_id}/close",
        f"/cases/{case_id}/reopen",
        f"/cases/{case_id}/accept",
        f"/cases/{case_id}/parent",
    ):
        assert client.post(url, data={"csrf_token": token, "reason": "other"}).status_code == 403
    assert client.get("/waiting").status_code == 403
    assert client.get("/admin/audit").status_code == 403
    assert snapshot(session) == before


def test_every_registered_route_answers_404_to_a_volunteer_who_has_left(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    """Her own case, check-in and draft, once she has left (issue 10 item 3)."""
    own = {
        "case_id": [world.alice_case.id],
        "checkin_id": [
            make_checkin(session, world.alice_case, world.alice).id,
            make_checkin(
                session, world.alice_case, world.alice, status="draft", submitted_at=None
            ).id,
        ],
    }
    session.commit()
    login(client, world.alice.email)
    token = csrf_token(client.get("/my/parents").get_data(as_text=True))
    assert world.alice.volunteer_profile is not None
    world.alice.volunteer_profile.status = "left"
    session.commit()
    before = snapshot(session)
    adapter = app.url_map.bind("localhost")
    for endpoint, probe in CROSS_VOLUNTEER_ROUTES.items():
        for object_id in own[probe.param]:
            url = adapter.build(endpoint, {probe.param: object_id})
            for method in probe.methods:
                if method == "GET":
                    response = client.get(url)
                else:
                    response = client.post(url, data={**FORM, "csrf_token": token})
                assert response.status_code == 404, f"{method} {url} ({endpoint})"
    assert snapshot(session) == before
