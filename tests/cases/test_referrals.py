"""Referrals: the coordinator's form and the public self-referral page."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import AuditEvent, Case, Parent
from app.settings import save_settings
from tests.cases.conftest import World
from tests.factories import NOW, make_area, make_case, make_parent
from tests.helpers import csrf_token, login, post_form

GOOD_SELF = {
    "first_name": "Priya",
    "last_name": "Shah",
    "phone": "07700 900123",
    "email": "",
    "postcode": "bs5 6aa",
    "due_date": "2027-03-01",
    "languages": ["en", "gu"],
    "contact_mode": "phone",
    "consent": "y",
    "website": "",
}


def count(session: SessionLike, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_coordinator_referral_lands_on_waiting_list(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    before = count(session, Case)
    response = post_form(
        client,
        "/referrals/new",
        {
            "first_name": "Lena",
            "last_name": "Novak",
            "phone": "07700 900555",
            "languages": ["en"],
            "other_languages": "polish",
            "due_date": "2027-01-20",
            "tags": ["twins", "young_parent"],
            "contact_mode": "video",
            "availability": ["mon-am", "thu-eve"],
            "referral_source": "midwife",
            "consent_on": "2026-11-01",
            "consent_method": "verbal",
            "consent_scope": "contact and share with volunteer",
            "area": str(world.area.id),
            "owner": str(world.coordinator.id),
            "high_risk": "y",
        },
    )
    assert response.status_code == 302
    assert count(session, Case) == before + 1
    case = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    assert response.headers["Location"] == f"/cases/{case.id}"
    assert case.status == "waiting" and case.high_risk and case.owner_id == world.coordinator.id
    parent = case.parent
    assert parent.languages == ["en", "pl"] and parent.tags == ["twins", "young_parent"]
    assert parent.availability == ["mon-am", "thu-eve"] and parent.contact_mode == "video"
    assert parent.consent_on == date(2026, 11, 1) and parent.ref == case.reference
    assert "Lena" not in response.headers["Location"]
    waiting = client.get("/waiting").get_data(as_text=True)
    assert "Lena Novak" in waiting
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"parent.created", "case.created"} <= actions


def test_referral_needs_a_way_to_contact_and_consent(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    before = count(session, Parent)
    response = post_form(
        client, "/referrals/new", {"first_name": "X", "consent_on": "", "area": world.area.id}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Enter a phone number or an email address." in html
    assert "Enter the date the parent agreed to be referred." in html
    assert count(session, Parent) == before


def test_self_referral_needs_no_login_and_lands_as_referred(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    response = post_form(client, "/refer", GOOD_SELF)
    assert response.status_code == 302
    assert response.headers["Location"] == "/refer/thanks"
    parent = session.scalar(select(Parent).where(Parent.first_name == "Priya"))
    assert parent is not None
    case = parent.cases[0]
    assert case.status == "referred" and case.area_id == world.area.id
    assert parent.referral_source == "self-referral" and parent.consent_method == "online form"
    assert parent.consent_on == date(2026, 11, 2) and parent.postcode == "BS5 6AA"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "referral.self"))
    assert event is not None and event.actor_id is None and event.object_id == str(case.id)
    created = session.scalar(select(AuditEvent).where(AuditEvent.action == "parent.created"))
    assert created is not None and created.object_id == str(parent.id)
    # Both kinds show on the waiting list; the coordinator accepts the self-referral.
    login(client, world.coordinator.email)
    assert "Priya Shah" in client.get("/waiting").get_data(as_text=True)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "New self-referral" in page
    client.post(f"/cases/{case.id}/accept", data={"csrf_token": csrf_token(page)})
    session.expire_all()
    assert session.get(Case, case.id).status == "waiting"  # type: ignore[union-attr]


def test_accepting_a_case_twice_goes_back_with_the_reason(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    """The service's refusal reaches the app-wide handler: nothing saved, the reason shown."""
    case = world.bob_case  # active, so it cannot be accepted
    login(client, world.coordinator.email)
    url = f"/cases/{case.id}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        f"{url}/accept",
        data={"csrf_token": csrf_token(page)},
        headers={"Referer": f"http://localhost{url}"},
    )
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Only a new self-referral can be accepted." in client.get(url).get_data(as_text=True)
    session.expire_all()
    assert session.get(Case, case.id).status == "active"  # type: ignore[union-attr]
    accepted = select(func.count()).where(AuditEvent.action == "case.accepted")
    assert session.scalar(accepted) == 0


def test_self_referral_requires_consent(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    before = count(session, Parent)
    response = post_form(client, "/refer", {**GOOD_SELF, "consent": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Tick the box to say you agree" in html
    assert "share them with the trained volunteer" in html  # the box says what it covers
    assert count(session, Parent) == before


def test_self_referral_needs_csrf(client: FlaskClient, session: SessionLike, world: World) -> None:
    before = count(session, Parent)
    response = client.post("/refer", data=GOOD_SELF)
    assert response.status_code == 400
    assert count(session, Parent) == before


def test_honeypot_pretends_success_and_stores_nothing(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    parents, events = count(session, Parent), count(session, AuditEvent)
    response = post_form(client, "/refer", {**GOOD_SELF, "website": "http://spam.example"})
    assert response.status_code == 302 and response.headers["Location"] == "/refer/thanks"
    assert count(session, Parent) == parents
    assert count(session, AuditEvent) == events


def test_self_referral_asks_for_area_only_when_there_are_several(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    assert "Where do you live?" not in client.get("/refer").get_data(as_text=True)
    north = make_area(session, "North")
    session.commit()
    assert "Where do you live?" in client.get("/refer").get_data(as_text=True)
    post_form(client, "/refer", {**GOOD_SELF, "area": str(north.id)})
    parent = session.scalar(select(Parent).where(Parent.first_name == "Priya"))
    assert parent is not None and parent.cases[0].area_id == north.id


def test_self_referral_rate_limit_per_address(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    save_settings(session, NOW, "referrals", {"per_address": 3}, None)
    session.commit()
    statuses = [post_form(client, "/refer", GOOD_SELF).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert count(session, Parent) == 2 + 3  # the world's two parents and three referrals
    # Another address is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert post_form(other, "/refer", GOOD_SELF).status_code == 302


def test_possible_duplicate_is_shown_never_merged(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    known = make_parent(
        session, area=world.area, first_name="Priya", last_name="S", phone="+44 7700 900123"
    )
    make_case(session, known)
    session.commit()
    post_form(client, "/refer", GOOD_SELF)
    new = session.scalar(select(Parent).where(Parent.last_name == "Shah"))
    assert new is not None and new.id != known.id
    login(client, world.coordinator.email)
    waiting = client.get("/waiting").get_data(as_text=True)
    assert "Possible duplicate" in waiting
    page = client.get(f"/cases/{new.cases[0].id}").get_data(as_text=True)
    assert "This may be a parent we already know" in page
    assert count(session, Parent) == 4  # nothing merged


def test_referral_with_one_area_uses_it_without_asking(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    html = client.get("/referrals/new").get_data(as_text=True)
    assert f'<input type="hidden" name="area" value="{world.area.id}">' in html
    assert '<label for="area">' not in html
    data = {
        "first_name": "Una",
        "email": "una@example.org",
        "consent_on": "2026-11-01",
        "consent_method": "written",
        "owner": "0",
        "csrf_token": csrf_token(html),
    }
    assert client.post("/referrals/new", data=data).status_code == 302
    parent = session.scalar(select(Parent).where(Parent.first_name == "Una"))
    assert parent is not None and parent.cases[0].area_id == world.area.id
    assert parent.cases[0].owner_id is None


def test_rate_limit_holds_across_two_app_instances(
    app: Flask, database_uri: str, session: SessionLike, world: World
) -> None:
    """Two "worker processes" (separate apps, separate engines) share one database count."""
    from tests.helpers import make_app

    other_app = make_app(database_uri, CORNER_NOW=app.config["CORNER_NOW"])
    save_settings(session, NOW, "referrals", {"per_address": 4}, None)
    session.commit()
    clients = [app.test_client(), other_app.test_client()]
    statuses = [post_form(clients[i % 2], "/refer", GOOD_SELF).status_code for i in range(6)]
    assert statuses == [302, 302, 302, 302, 429, 429]
    with other_app.app_context():
        from app.extensions import db

        db.engine.dispose()
