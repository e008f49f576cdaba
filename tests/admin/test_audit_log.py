"""The admin's audit log: newest first, paginated, filtered; admins only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.audit import record
from app.extensions import SessionLike
from app.models import User
from tests.factories import NOW, make_area, make_user, make_volunteer
from tests.helpers import login


@dataclass
class World:
    admin: User
    coordinator: User
    alice: User  # a volunteer


@pytest.fixture
def world(app: Flask, session: SessionLike) -> World:
    app.config["CORNER_NOW"] = NOW
    area = make_area(session, "Bristol")
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Cora")
    admin = make_user(session, "admin", first_name="Ada")
    alice = make_volunteer(session, area=area, user_kw={"first_name": "Alice"})
    session.commit()
    return World(admin, coordinator, alice)


def test_audit_log_lists_filters_and_paginates(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    base = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    for i in range(60):
        record(
            session,
            base + timedelta(hours=i),
            "parent.viewed" if i % 2 else "checkin.viewed",
            actor_id=world.coordinator.id if i % 3 else world.alice.id,
            object_type="parent" if i % 2 else "checkin",
            object_id=i,
            ip="192.0.2.1",
            detail=f"n{i}",
        )
    session.commit()
    login(client, world.admin.email)
    page1 = client.get("/admin/audit").get_data(as_text=True)
    assert "61 events" in page1 and "Showing 1\u201350 of 61" in page1
    rows = page1.split("<tbody>")[1]
    # Newest first: the admin's own login is the newest, then event 59 (3 Oct 23:00 UTC).
    assert rows.index("Logged in") < rows.index(">n59<") < rows.index(">n58<")
    assert ">n9<" not in rows  # on page 2
    page2 = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert ">n9<" in page2
    assert 'href="/admin/audit?page=2' in page1 and ">Older</a>" in page1
    assert 'href="/admin/audit?page=1' in page2 and ">Newer</a>" in page2

    only = client.get(f"/admin/audit?action=parent.viewed&actor={world.alice.id}")
    html = only.get_data(as_text=True)
    body = html.split("<tbody>")[1]
    assert "Read a check-in" not in body and "Logged in" not in body
    ids = [i for i in range(60) if i % 2 and not i % 3]
    assert f"{len(ids)} events" in html
    for i in ids:
        assert f">n{i}<" in body

    by_type = client.get("/admin/audit?object_type=checkin").get_data(as_text=True)
    assert "30 events" in by_type

    dated = client.get("/admin/audit?date_from=2026-10-02&date_to=2026-10-02").get_data(
        as_text=True
    )
    # 2 Oct in London (BST): 1 Oct 23:00 UTC up to 2 Oct 23:00 UTC = events 11..34.
    assert "24 events" in dated


def test_only_admins_see_the_audit_log(client: FlaskClient, world: World) -> None:
    login(client, world.coordinator.email)
    assert client.get("/admin/audit").status_code == 403


def test_who_menu_lists_staff_only_and_anyone_is_found_by_name_or_email(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    """The "Who" menu does not grow with the volunteers: it lists the staff (and a person
    already chosen); anyone else is found by typing part of their name or email."""
    area = world.alice.areas[0] if world.alice.areas else make_area(session, "Bath")
    others = [
        make_volunteer(session, area=area, user_kw={"first_name": f"Vol{i}", "last_name": "Zed"})
        for i in range(5)
    ]
    at = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    record(session, at, "parent.viewed", actor_id=world.alice.id, object_type="parent", detail="a1")
    record(session, at, "parent.viewed", actor_id=others[0].id, object_type="parent", detail="o1")
    record(session, at, "parent.viewed", actor_id=world.coordinator.id, detail="c1")
    session.commit()
    login(client, world.admin.email)

    html = client.get("/admin/audit").get_data(as_text=True)
    menu = html.split('name="actor"')[1].split("</select>")[0]
    assert f'value="{world.coordinator.id}"' in menu and f'value="{world.admin.id}"' in menu
    assert f'value="{world.alice.id}"' not in menu
    assert not any(f'value="{v.id}"' in menu for v in others)
    assert '<label for="person"' in html  # the typed field is labelled

    found = client.get(f"/admin/audit?person={world.alice.email.upper()}")
    body = found.get_data(as_text=True).split("<tbody>")[1]
    assert ">a1<" in body and ">o1<" not in body and ">c1<" not in body

    by_name = client.get("/admin/audit?person=zed").get_data(as_text=True).split("<tbody>")[1]
    assert ">o1<" in by_name and ">a1<" not in by_name

    chosen = client.get(f"/admin/audit?actor={world.alice.id}").get_data(as_text=True)
    menu = chosen.split('name="actor"')[1].split("</select>")[0]
    assert f'<option selected value="{world.alice.id}">' in menu  # kept, so the filter shows
    assert ">a1<" in chosen.split("<tbody>")[1]

    nobody = client.get("/admin/audit?person=%25%25").get_data(as_text=True)
    assert "0 events" in nobody  # punctuation only finds no one rather than everyone
    too_long = client.get("/admin/audit?person=" + "x" * 101)
    assert too_long.status_code == 200
    assert "100 characters" in too_long.get_data(as_text=True)
