"""Waiting list, case list and the case page: order, stage, area, timeline and actions."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Assignment, AuditEvent, Case
from tests.cases.conftest import World
from tests.factories import (
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_token, login, post_form


def referred(day: int) -> datetime:
    return datetime(2026, 10, day, 9, 0, tzinfo=UTC)


def test_waiting_list_order_high_risk_first_then_longest_waiting(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    area = world.area
    recent = make_case(session, make_parent(session, area=area, first_name="Recent"))
    recent.referred_at = referred(20)
    old = make_case(session, make_parent(session, area=area, first_name="Oldest"))
    old.referred_at = referred(1)
    risky = make_case(session, make_parent(session, area=area, first_name="Risky"), high_risk=True)
    risky.referred_at = referred(25)
    selfref = make_case(session, make_parent(session, area=area, first_name="Selfref"))
    selfref.status, selfref.referred_at = "referred", referred(10)
    session.commit()
    login(client, world.coordinator.email)
    html = client.get("/waiting").get_data(as_text=True)
    positions = [html.index(name) for name in ("Risky", "Oldest", "Selfref", "Recent")]
    assert positions == sorted(positions)
    assert "32 days" in html  # Oldest: 1 Oct 09:00 to 2 Nov 10:00
    for active in (world.alice_case, world.bob_case):
        assert f'/cases/{active.id}"' not in html
    assert '<th scope="col">Area</th>' not in html  # one area: no area column


def test_waiting_list_shows_area_column_and_stage_filter(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    make_area(session, "North")
    make_case(
        session,
        make_parent(session, area=world.area, first_name="Zelda", due_date=date(2027, 4, 1)),
    )
    make_case(
        session,
        make_parent(
            session, area=world.area, first_name="Born", due_date=None, birth_date=date(2026, 6, 1)
        ),
    )
    session.commit()
    login(client, world.coordinator.email)
    html = client.get("/waiting").get_data(as_text=True)
    assert '<th scope="col">Area</th>' in html and "Bristol" in html
    postnatal = client.get("/waiting?stage=postnatal").get_data(as_text=True)
    assert "Born" in postnatal and "Zelda" not in postnatal


def test_coordinator_outside_the_area_gets_404(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    north = make_area(session, "North")
    other = make_user(session, "coordinator", areas=[north])
    session.commit()
    login(client, other.email)
    case_id = world.alice_case.id
    assert client.get(f"/cases/{case_id}").status_code == 404
    assert client.get(f"/cases/{case_id}/parent").status_code == 404
    assert world.alice_case.parent.first_name not in client.get("/waiting").get_data(as_text=True)
    page = client.get("/cases").get_data(as_text=True)
    token = csrf_token(page)
    assert (
        client.post(
            f"/cases/{case_id}/high-risk", data={"csrf_token": token, "high_risk": "1"}
        ).status_code
        == 404
    )
    session.expire_all()
    assert session.get(Case, case_id).high_risk is False  # type: ignore[union-attr]


def test_case_list_status_filter(client: FlaskClient, session: SessionLike, world: World) -> None:
    closed = make_case(
        session, make_parent(session, area=world.area, first_name="Gone"), status="closed"
    )
    session.commit()
    login(client, world.coordinator.email)
    open_html = client.get("/cases").get_data(as_text=True)
    assert "Gone" not in open_html and world.alice_case.parent.first_name in open_html
    closed_html = client.get("/cases?status=closed").get_data(as_text=True)
    assert "Gone" in closed_html and world.alice_case.parent.first_name not in closed_html
    assert f"/cases/{closed.id}" in closed_html


def test_timeline_newest_first_with_checkins_assignments_and_flags(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    from app.models import EscalationFlag

    case = world.alice_case
    make_checkin(
        session,
        case,
        world.alice,
        occurred_at=datetime(2026, 10, 20, 14, 0, tzinfo=UTC),
        notes="older",
    )
    make_checkin(
        session,
        case,
        world.alice,
        occurred_at=datetime(2026, 10, 28, 14, 0, tzinfo=UTC),
        notes="newer",
    )
    make_checkin(
        session,
        case,
        world.alice,
        occurred_at=datetime(2026, 10, 29, 14, 0, tzinfo=UTC),
        status="draft",
        notes="secret draft",
    )
    make_checkin(
        session,
        case,
        world.alice,
        occurred_at=datetime(2026, 10, 30, 14, 0, tzinfo=UTC),
        status="deleted",
        notes="removed one",
    )
    flag = EscalationFlag(
        case_id=case.id,
        rule="LOW_MOOD",
        severity="high",
        raised_at=datetime(2026, 10, 28, 15, 0, tzinfo=UTC),
    )
    session.add(flag)
    session.commit()
    login(client, world.coordinator.email)
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    timeline = html.split('id="timeline-title"')[1]
    assert timeline.index("Low mood") < timeline.index("newer") < timeline.index("older")
    assert timeline.index("older") < timeline.index("started supporting")
    # the flag is on the timeline as a link to its page, named by its rule
    link = re.search(rf'<a href="/flags/{flag.id}">([^<]*)</a>', timeline)
    assert link, timeline
    assert "Low mood" in link.group(1)
    assert ">High<" in timeline  # severity in words
    assert "secret draft" not in html and "1 check-in draft" in html
    assert "removed one" not in html and "Show 1 deleted check-in" in html
    shown = client.get(f"/cases/{case.id}?deleted=1").get_data(as_text=True)
    assert "removed one" in shown and "Restore" in shown


def test_recording_the_birth_moves_the_stage(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case = world.alice_case
    case.parent.due_date = date(2026, 11, 10)
    session.commit()
    login(client, world.coordinator.email)
    assert "<dd>Birth" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    response = post_form(
        client,
        f"/cases/{case.id}/parent",
        {
            "first_name": case.parent.first_name,
            "last_name": case.parent.last_name,
            "phone": "07700 900111",
            "languages": "en",
            "due_date": "2026-11-10",
            "birth_date": "2026-10-01",
            "consent_on": "2026-10-01",
            "consent_method": "verbal",
            "consent_scope": "contact",
        },
    )
    assert response.status_code == 302
    assert "<dd>Postnatal" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "parent.updated"))
    assert event is not None and "birth_date" in (event.detail or "")
    assert "2026" not in (event.detail or "")  # field names, never values


def test_high_risk_close_and_reopen(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case_id = world.alice_case.id
    login(client, world.coordinator.email)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    token = csrf_token(page)
    client.post(f"/cases/{case_id}/high-risk", data={"csrf_token": token, "high_risk": "1"})
    session.expire_all()
    assert session.get(Case, case_id).high_risk is True  # type: ignore[union-attr]
    response = post_form(client, f"/cases/{case_id}/close", {"reason": ""})
    assert "Choose why the case is closing." in response.get_data(as_text=True)
    response = post_form(client, f"/cases/{case_id}/close", {"reason": "moved_away"})
    assert response.status_code == 302
    session.expire_all()
    case = session.get(Case, case_id)
    assert (
        case is not None
        and case.status == "closed"
        and case.close_reason == "Moved out of the area"
    )
    assignment = session.scalar(select(Assignment).where(Assignment.case_id == case_id))
    assert assignment is not None and assignment.end_reason == "case closed"
    html = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "stopped supporting: case closed" in html
    client.post(f"/cases/{case_id}/reopen", data={"csrf_token": csrf_token(html)})
    session.expire_all()
    assert session.get(Case, case_id).status == "waiting"  # type: ignore[union-attr]
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"case.high_risk_set", "case.closed", "case.reopened", "parent.viewed"} <= actions


def test_case_page_view_is_audited_without_names(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    client.get(f"/cases/{world.alice_case.id}")
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "parent.viewed"))
    assert event is not None
    assert event.actor_id == world.coordinator.id and event.ip == "127.0.0.1"
    assert event.object_type == "parent" and event.object_id == str(world.alice_case.parent_id)


def test_a_volunteer_sees_only_their_open_cases_via_my_parents(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    ended = make_case(session, make_parent(session, area=world.area, first_name="Former"))
    make_assignment(session, ended, world.alice, ended_at=datetime(2026, 10, 30, tzinfo=UTC))
    make_volunteer(session)
    session.commit()
    login(client, world.alice.email)
    html = client.get("/my/parents").get_data(as_text=True)
    assert world.alice_case.parent.first_name in html
    assert world.bob_case.parent.first_name not in html and "Former" not in html


def test_coordinator_outside_the_area_gets_404_on_every_case_route(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    north = make_area(session, "North")
    outsider = make_user(session, "coordinator", areas=[north])
    checkin = make_checkin(session, world.alice_case, world.alice)
    deleted = make_checkin(session, world.alice_case, world.alice, status="deleted")
    session.commit()
    login(client, outsider.email)
    token = csrf_token(client.get("/cases").get_data(as_text=True))
    case_id = world.alice_case.id
    gets = [
        f"/cases/{case_id}",
        f"/cases/{case_id}/parent",
        f"/cases/{case_id}/close",
        f"/checkins/{checkin.id}",
        f"/checkins/{checkin.id}/edit",
    ]
    posts = [
        f"/cases/{case_id}/parent",
        f"/cases/{case_id}/high-risk",
        f"/cases/{case_id}/accept",
        f"/cases/{case_id}/close",
        f"/cases/{case_id}/reopen",
        f"/checkins/{checkin.id}/edit",
        f"/checkins/{deleted.id}/restore",
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url in posts:
        data = {"csrf_token": token, "reason": "other", "first_name": "X", "high_risk": "1"}
        assert client.post(url, data=data).status_code == 404, url
    session.expire_all()
    case = session.get(Case, case_id)
    assert case is not None and case.status == "active" and not case.high_risk
    assert case.parent.first_name != "X"


def test_waiting_list_duplicate_marker_agrees_with_duplicates_of(
    session: SessionLike, world: World
) -> None:
    from app.cases import queries
    from app.cases.duplicates import duplicates_of

    a = world.area
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"email": "Same@x.org"}, {"email": "same@X.org"}),
        ({"phone": "+44 (7700) 900-111"}, {"phone": "07700900111"}),
        (
            {"first_name": "Ann", "last_name": "Lee", "due_date": date(2027, 1, 1)},
            {"first_name": "ann", "last_name": "LEE", "due_date": date(2027, 1, 1)},
        ),
        (
            {"first_name": "Bea", "last_name": "Ray", "birth_date": date(2026, 9, 1)},
            {
                "first_name": "Bea",
                "last_name": "Ray",
                "due_date": None,
                "birth_date": date(2026, 9, 1),
            },
        ),
    ]
    expected = {}
    for left, right in pairs:
        for kw in (left, right):
            case = make_case(session, make_parent(session, area=a, **kw))
            expected[case.id] = True
    singles: list[dict[str, Any]] = [
        {"first_name": "Ann", "last_name": "Lee", "due_date": date(2027, 2, 1)},
        {"first_name": "Solo", "last_name": "", "due_date": date(2027, 1, 1)},
        {"first_name": "Solo", "last_name": "", "due_date": date(2027, 1, 1)},  # no last name
    ]
    for kw in singles:
        expected[make_case(session, make_parent(session, area=a, **kw)).id] = False
    session.commit()
    rows = {
        r.case.id: r for r in queries.waiting_list(session, world.coordinator, date(2026, 11, 2))[0]
    }
    for case_id, is_dup in expected.items():
        assert rows[case_id].possible_duplicate is is_dup, case_id
        assert bool(duplicates_of(session, rows[case_id].parent)) is is_dup, case_id


def test_closing_for_another_reason_asks_for_a_few_words(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case_id = world.alice_case.id
    login(client, world.coordinator.email)
    url = f"/cases/{case_id}/close"
    bare = post_form(client, url, {"reason": "other"})
    html = bare.get_data(as_text=True)
    assert bare.status_code == 200 and "There is a problem" in html
    assert "Say in a few words why the case is closing." in html
    assert '<a href="#other">' in html  # the summary links to the field
    session.expire_all()
    assert session.get(Case, case_id).status != "closed"  # type: ignore[union-attr]
    ok = post_form(client, url, {"reason": "other", "other": "  Family moved in with her  "})
    assert ok.status_code == 302
    session.expire_all()
    case = session.get(Case, case_id)
    assert case is not None and case.status == "closed"
    assert case.close_reason == "Other: Family moved in with her"
