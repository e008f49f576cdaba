"""In Chromium at 390 px: the red banner of an undelivered urgent email, the home page's
"not being delivered", and one email's page (axe strict on each)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from app.email import send_pending
from app.escalation.hooks import on_checkin_submitted
from app.extensions import SessionLike
from app.models import OutboxEmail
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import (
    NOW,
    PASSWORD,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)
from tests.helpers import assert_accessible
from tests.smtp import free_port

pytestmark = pytest.mark.browser


def test_banner_home_warning_and_email_page_on_a_phone(
    app: Flask, live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    area = make_area(session, "Bristol", duty_email="duty@bristol.example")
    coordinator = make_user(session, "coordinator", first_name="Asha", areas=[area])
    admin = make_user(session, "admin", first_name="Ada")
    volunteer = make_volunteer(session, area=area)
    case = make_case(session, area=area, owner=coordinator)
    make_assignment(session, case, volunteer)
    checkin = make_checkin(session, case, volunteer, occurred_at=NOW, concerns=["safeguarding"])
    on_checkin_submitted(session, checkin, NOW)
    session.commit()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # the server is down
    send_pending(app, NOW)
    app.config["CORNER_NOW"] = NOW + timedelta(minutes=8)

    page = phone_page
    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    banner = page.get_by_role("alert").filter(has_text="Urgent email not delivered")
    assert case.reference in banner.inner_text()
    assert page.get_by_text("Emails are not being delivered since").is_visible()
    assert_accessible(page, "coordinator home with the urgent banner", strict=True)
    screenshot(page, "delivery-coordinator-home-phone")
    page.goto(f"{live_server.url}/cases")
    assert page.get_by_role("alert").filter(has_text=case.reference).is_visible()

    page.context.clear_cookies()
    login_in_browser(page, live_server.url, admin.email, PASSWORD)
    assert page.get_by_text("Emails are not being delivered since").is_visible()
    email = session.scalars(select(OutboxEmail)).one()
    page.goto(f"{live_server.url}/admin/emails")
    page.get_by_role("link", name=email.subject).click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", level=1).inner_text() == email.subject
    assert case.reference in page.locator("pre.email-body").inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the email page is {width}px wide on a 390px phone"
    assert_accessible(page, "one email's page", strict=True)
    screenshot(page, "delivery-email-page-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "delivery-email-page-desktop")
