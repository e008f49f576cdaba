"""The volunteer who raised an urgent concern is told: at once (who was alerted, the duty
phone, 999), and when a coordinator picks it up (home page; an email with no names)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.email import send_pending
from app.escalation.service import resolve
from app.extensions import SessionLike
from app.models import CheckIn, EscalationFlag, OutboxEmail
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import login, post_form
from tests.smtp import SmtpServer

CANARIES = ("Harriet", "Canarysurname", "07700 900555", "CANARY-NOTE-9120", "Hannah")


def setup(session: SessionLike, *, duty_phone: str | None = "0117 496 0123"):
    area = make_area(session, "Bristol", duty_email="duty@bristol.example", duty_phone=duty_phone)
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Hannah")
    volunteer = make_volunteer(session, area=area, user_kw={"email": "vol@example.org"})
    parent = make_parent(
        session, area=area, first_name="Harriet", last_name="Canarysurname", phone="07700 900555"
    )
    case = make_case(session, parent, owner=coordinator)
    make_assignment(session, case, volunteer)
    session.commit()
    return case, volunteer, coordinator


def submit_urgent(client, case_id: int):
    return post_form(
        client,
        f"/cases/{case_id}/checkins/new",
        {
            "action": "submit",
            "mode": "phone",
            "occurred_at": "2026-11-02T09:30",
            "successful": "yes",
            "wellbeing": "2",
            "concerns": ["self_harm"],
            "notes": "CANARY-NOTE-9120 said she cannot go on",
        },
    )


def test_urgent_submit_goes_to_the_page_with_the_duty_phone(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    case, volunteer, _ = setup(session)
    client = app.test_client()
    login(client, volunteer.email)
    response = submit_urgent(client, case.id)
    assert response.status_code == 302
    checkin = session.scalars(select(CheckIn)).one()
    assert response.headers["Location"].endswith(f"/checkins/{checkin.id}/alerted")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your coordinator has been alerted" in html
    assert "We have emailed your coordinator, Hannah" in html
    assert 'href="tel:01174960123"' in html and "0117 496 0123" in html
    assert "If someone is in immediate danger, call 999" in html


def test_without_a_duty_phone_the_page_still_says_999(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    case, volunteer, _ = setup(session, duty_phone=None)
    client = app.test_client()
    login(client, volunteer.email)
    html = client.get(submit_urgent(client, case.id).headers["Location"]).get_data(as_text=True)
    assert "call 999" in html and "call your coordinator" in html


def test_a_calm_check_in_goes_back_to_my_parents(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    case, volunteer, _ = setup(session)
    client = app.test_client()
    login(client, volunteer.email)
    response = post_form(
        client,
        f"/cases/{case.id}/checkins/new",
        {"action": "submit", "mode": "phone", "occurred_at": "2026-11-02T09:30",
         "successful": "yes", "wellbeing": "4"},
    )  # fmt: skip
    assert response.headers["Location"].endswith("/my/parents")
    checkin = session.scalars(select(CheckIn)).one()
    # and the alerted page of a calm check-in is just the check-in
    assert client.get(f"/checkins/{checkin.id}/alerted").status_code == 302


def test_acknowledging_tells_the_volunteer_on_home_and_by_email_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    case, volunteer, coordinator = setup(session)
    client = app.test_client()
    login(client, volunteer.email)
    submit_urgent(client, case.id)
    assert "picked up" not in client.get("/").get_data(as_text=True)
    send_pending(app, NOW)
    smtp_server.messages.clear()

    flags = session.scalars(select(EscalationFlag).where(EscalationFlag.severity == "urgent")).all()
    assert flags
    staff = app.test_client()
    login(staff, coordinator.email)
    for flag in flags:
        post_form(staff, f"/flags/{flag.id}/acknowledge", {}, page=f"/flags/{flag.id}")
    # resolving afterwards (already acknowledged) sends nothing more
    resolve(session, NOW, flags[0], coordinator, outcome="no_further_action", note="Rang her.")
    session.commit()

    home = client.get("/").get_data(as_text=True)
    assert home.count("Your concern for Harriet was picked up by Hannah") == 1
    assert send_pending(app, NOW).sent == 1
    [message] = smtp_server.messages
    assert message.recipients == ["vol@example.org"]
    assert "A coordinator has picked up the concern you raised on Mon 2 Nov" in message.text
    assert "http://" in message.text or "https://" in message.text
    for canary in CANARIES:
        assert canary not in message.text, canary


def test_resolving_without_acknowledging_also_tells_the_volunteer(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    case, volunteer, coordinator = setup(session)
    client = app.test_client()
    login(client, volunteer.email)
    submit_urgent(client, case.id)
    flag = session.scalars(
        select(EscalationFlag).where(EscalationFlag.severity == "urgent")
    ).first()
    assert flag is not None
    resolve(session, NOW, flag, coordinator, outcome="no_further_action", note="Rang her.")
    acknowledge_again = session.scalars(
        select(OutboxEmail).where(OutboxEmail.kind == "concern_picked_up")
    ).all()
    assert [e.to_addrs for e in acknowledge_again] == [["vol@example.org"]]
