"""The whole urgent path in Chromium: a volunteer on a phone records a safeguarding concern
and lands on the page with the area's duty phone and the 999 line; the urgent email reaches
the coordinator and the duty address over real SMTP (with no names or notes); the
coordinator finds the flag in the inbox and resolves it; the volunteer sees on her home
page that it was picked up, and gets an email saying so with no names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.email import send_pending
from app.extensions import SessionLike
from app.models import CheckIn, EscalationFlag
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import (
    PASSWORD,
    make_area,
    make_assignment,
    make_case,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import assert_accessible
from tests.smtp import SmtpServer

pytestmark = pytest.mark.browser
CANARY_NOTE = "CANARY-NOTE-7731 partner shouted during the call"


def test_volunteer_raises_safeguarding_and_coordinator_resolves_it(
    app: Flask,
    live_server: LiveServer,
    phone_page: Page,
    page: Page,
    session: SessionLike,
    smtp_server: SmtpServer,
) -> None:
    area = make_area(
        session, "Bristol", duty_email="duty@bristol.example", duty_phone="0117 496 0555"
    )
    coordinator = make_user(session, "coordinator", first_name="Asha", areas=[area])
    volunteer = make_volunteer(session, area=area, user_kw={"first_name": "Alice"})
    parent = make_parent(session, area=area, first_name="Canaryname", last_name="Zeta")
    case = make_case(session, parent, owner=coordinator)
    make_assignment(session, case, volunteer, assigned_by=coordinator)
    session.commit()

    # The volunteer, on a phone, right after the call.
    login_in_browser(phone_page, live_server.url, volunteer.email, PASSWORD)
    phone_page.get_by_role("link", name="My parents").first.click()
    phone_page.get_by_role("link", name="Record a check-in for Canaryname").click()
    expect(phone_page.get_by_role("heading", name="New check-in")).to_be_visible()
    phone_page.get_by_label("4 - Good").check()
    phone_page.get_by_label("Safeguarding (a child or adult at risk)").check()
    phone_page.get_by_label("Notes (optional)").fill(CANARY_NOTE)
    phone_page.get_by_role("button", name="Submit").click()
    expect(phone_page.get_by_text("submitted. Thank you")).to_be_visible()
    # … and lands on the page that says who was alerted, with the duty phone and 999.
    expect(
        phone_page.get_by_role("heading", name="Your coordinator has been alerted")
    ).to_be_visible()
    expect(phone_page.get_by_text("We have emailed your coordinator, Asha")).to_be_visible()
    expect(
        phone_page.get_by_role("heading", name="If someone is in immediate danger, call 999")
    ).to_be_visible()
    call = phone_page.get_by_role("link", name="Call 0117 496 0555")
    expect(call).to_have_attribute("href", "tel:01174960555")
    screenshot(phone_page, "journey-volunteer-alerted-phone")
    assert_accessible(phone_page, "the urgent-concern confirmation on a phone", strict=True)

    # Submitting raised the urgent flag in the same transaction and queued the alert.
    session.expire_all()
    checkin = session.scalars(select(CheckIn)).one()
    assert checkin.status == "submitted" and checkin.concerns == ["safeguarding"]
    flag = session.scalars(select(EscalationFlag)).one()
    assert (flag.rule, flag.severity, flag.status) == ("SAFEGUARDING", "urgent", "open")

    # The outbox sends it over real SMTP to the owner and the duty address.
    result = send_pending(app, datetime.now(UTC))
    assert result.sent == 1
    [message] = smtp_server.messages
    assert sorted(message.recipients) == sorted([coordinator.email, "duty@bristol.example"])
    assert case.reference in message.text
    for secret in ("Canaryname", "Zeta", "CANARY-NOTE-7731", "shouted"):
        assert secret not in message.text

    # The coordinator finds it in the inbox and resolves it.
    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Flags").click()
    first_row = page.locator("tbody tr").first
    expect(first_row).to_contain_text("Urgent")
    expect(first_row).to_contain_text(case.reference)
    expect(first_row).to_contain_text("Safeguarding or domestic abuse concern")
    first_row.get_by_role("link", name="Canaryname Zeta").click()  # the parent, on screen only
    page.get_by_label("Safeguarding referral made").check()
    page.get_by_label("Note").fill("Called the duty social worker; referral made today.")
    page.get_by_role("button", name="Resolve flag").click()
    expect(page.get_by_role("status").first).to_contain_text(
        f"Flag for case {case.reference} resolved."
    )
    screenshot(page, "journey-coordinator-resolved")

    session.expire_all()
    resolved = session.get(EscalationFlag, flag.id)
    assert resolved is not None and resolved.status == "resolved"
    assert resolved.resolved_by_id == coordinator.id
    assert resolved.outcome == "safeguarding_referral"

    # The volunteer sees it was picked up, and is emailed so with no names.
    phone_page.get_by_role("link", name="Home").first.click()
    picked = phone_page.get_by_role("status").filter(has_text="Your concern for Canaryname")
    expect(picked).to_contain_text("Your concern for Canaryname was picked up by Asha")
    screenshot(phone_page, "journey-volunteer-home-picked-up-phone")
    assert_accessible(phone_page, "volunteer home with a picked-up concern", strict=True)
    assert send_pending(app, datetime.now(UTC)).sent == 1
    told = smtp_server.messages[-1]
    assert told.recipients == [volunteer.email]
    assert "A coordinator has picked up the concern you raised on" in told.text
    for secret in ("Canaryname", "Zeta", "CANARY-NOTE-7731", "Asha"):
        assert secret not in told.text

    # The same confirmation page at desk width.
    phone_page.set_viewport_size({"width": 1280, "height": 900})
    phone_page.goto(f"{live_server.url}/checkins/{checkin.id}/alerted")
    expect(phone_page.get_by_role("link", name="Call 0117 496 0555")).to_be_visible()
    screenshot(phone_page, "journey-volunteer-alerted-desktop")
