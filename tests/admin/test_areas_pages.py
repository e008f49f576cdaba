"""The admin's Areas page: list, add, rename, duty email and phone (validated, audited);
and marking safeguarding leads on Users. Admins only; CSRF; bad input re-renders."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import Area, AuditEvent, User
from tests.factories import make_area, make_user
from tests.helpers import login, post_form


@pytest.fixture
def admin_client(app: Flask, session: SessionLike) -> FlaskClient:
    admin = make_user(session, "admin", email="admin@example.org")
    session.commit()
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return client


def audit_actions(session: SessionLike) -> list[tuple[str, str | None, str | None]]:
    session.expire_all()
    return [
        (e.action, e.object_id, e.detail)
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("area.%")).order_by(AuditEvent.id)
        )
    ]


def test_add_then_rename_and_set_duty_details(
    admin_client: FlaskClient, session: SessionLike
) -> None:
    make_area(session, "Bath")
    session.commit()
    assert "Bath" in admin_client.get("/admin/areas").get_data(as_text=True)
    response = post_form(
        admin_client,
        "/admin/areas/new",
        {"name": " Bristol ", "duty_email": "duty@bristol.example", "duty_phone": "0117 496 0000"},
    )
    assert response.status_code == 302
    area = session.scalars(select(Area).where(Area.name == "Bristol")).one()
    assert (area.duty_email, area.duty_phone) == ("duty@bristol.example", "0117 496 0000")
    html = admin_client.get("/admin/areas").get_data(as_text=True)
    assert "duty@bristol.example" in html and "0117 496 0000" in html

    response = post_form(
        admin_client,
        f"/admin/areas/{area.id}",
        {
            "name": "Bristol North",
            "duty_email": "duty@bristol.example",
            "duty_phone": "+44 117 496 0001",
        },
    )
    assert response.status_code == 302
    session.expire_all()
    assert (area.name, area.duty_phone) == ("Bristol North", "+44 117 496 0001")
    assert audit_actions(session) == [
        ("area.created", str(area.id), None),
        ("area.updated", str(area.id), "fields: name, duty_phone"),
    ]
    # saving it unchanged writes no audit event
    post_form(
        admin_client,
        f"/admin/areas/{area.id}",
        {
            "name": "Bristol North",
            "duty_email": "duty@bristol.example",
            "duty_phone": "+44 117 496 0001",
        },
    )
    assert len(audit_actions(session)) == 2
    # clearing the duty phone
    post_form(
        admin_client,
        f"/admin/areas/{area.id}",
        {"name": "Bristol North", "duty_email": "", "duty_phone": ""},
    )
    session.expire_all()
    assert (area.duty_email, area.duty_phone) == (None, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "Enter the area&#39;s name."),
        (
            {"name": "Leeds", "duty_email": "not an email"},
            "Enter an email address in the correct format",
        ),
        ({"name": "Leeds", "duty_phone": "call me"}, "Enter a phone number using digits"),
        ({"name": "Leeds", "duty_phone": "<script>"}, "Enter a phone number using digits"),
        ({"name": "Leeds", "duty_phone": "1" * 41}, "Enter a phone number"),
        ({"name": "x" * 121}, "Keep the name to 120 characters or fewer."),
        ({"name": "bath"}, "There is already an area called bath."),
    ],
)
def test_bad_input_re_renders_with_the_error_and_writes_nothing(
    admin_client: FlaskClient, session: SessionLike, data: dict[str, str], message: str
) -> None:
    make_area(session, "Bath")
    session.commit()
    response = post_form(admin_client, "/admin/areas/new", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(func.count(Area.id))) == 1


def test_renaming_onto_another_area_is_refused(
    admin_client: FlaskClient, session: SessionLike
) -> None:
    make_area(session, "Bath")
    other = make_area(session, "Bristol")
    session.commit()
    response = post_form(admin_client, f"/admin/areas/{other.id}", {"name": "BATH"})
    assert response.status_code == 400
    assert "There is already an area called BATH." in response.get_data(as_text=True)
    session.expire_all()
    assert other.name == "Bristol"
    assert admin_client.get("/admin/areas/999999").status_code == 404


def test_only_admins_and_only_with_csrf(app: Flask, session: SessionLike) -> None:
    coordinator = make_user(session, "coordinator")
    admin = make_user(session, "admin")
    session.commit()
    client = app.test_client()
    login(client, coordinator.email)
    assert client.get("/admin/areas").status_code == 403
    assert client.post("/admin/areas/new", data={"name": "X"}).status_code in (400, 403)
    staff = app.test_client()
    login(staff, admin.email)
    assert staff.post("/admin/areas/new", data={"name": "X"}).status_code == 400  # no token
    assert session.scalar(select(func.count(Area.id))) == 0


def test_safeguarding_leads_are_marked_on_users(
    admin_client: FlaskClient, session: SessionLike
) -> None:
    coordinator = make_user(session, "coordinator", first_name="Lea", last_name="Lead")
    volunteer = make_user(session, "volunteer")
    session.commit()
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Make lead" in html
    post_form(
        admin_client,
        f"/admin/users/{coordinator.id}/safeguarding-lead",
        {"lead": "yes"},
        page="/admin/users",
    )
    session.expire_all()
    assert session.get_one(User, coordinator.id).safeguarding_lead is True
    assert "Lea Lead is now a safeguarding lead." in admin_client.get("/admin/users").get_data(
        as_text=True
    )
    post_form(
        admin_client,
        f"/admin/users/{coordinator.id}/safeguarding-lead",
        {"lead": "no"},
        page="/admin/users",
    )
    session.expire_all()
    assert session.get_one(User, coordinator.id).safeguarding_lead is False
    # a volunteer cannot be one
    post_form(
        admin_client,
        f"/admin/users/{volunteer.id}/safeguarding-lead",
        {"lead": "yes"},
        page="/admin/users",
    )
    session.expire_all()
    assert session.get_one(User, volunteer.id).safeguarding_lead is False
    assert [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.like("user.safeguarding%"))
            .order_by(AuditEvent.id)
        )
    ] == ["user.safeguarding_lead_set", "user.safeguarding_lead_cleared"]
