"""An admin adds an area with its duty email and phone, fixes a mistake the form points out,
renames it, and marks a safeguarding lead; a coordinator's flag page shows the chase steps.
Axe on each new page; screenshots at 390 and 1280 px."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import SessionLike
from app.jobs import job_chase
from app.models import Area, EscalationFlag, User
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.escalation.test_chase import MINUTE, world
from tests.factories import NOW, PASSWORD, make_user
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_admin_manages_areas_and_leads(
    live_server: LiveServer, phone_page: Page, page: Page, session: SessionLike
) -> None:
    admin = make_user(session, "admin", first_name="Ada")
    coordinator = make_user(session, "coordinator", first_name="Lena", last_name="Lead")
    session.commit()
    login_in_browser(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Settings").first.click()
    page.get_by_role("link", name="Areas: names, duty email and duty phone").click()
    expect(page.get_by_role("heading", name="Areas")).to_be_visible()
    page.get_by_role("link", name="Add an area").click()
    page.get_by_label("Name").fill("Bristol")
    page.get_by_label("Duty email address (optional)").fill("duty@bristol.example")
    page.get_by_label("Duty phone number (optional)").fill("ring me")
    page.get_by_role("button", name="Add the area").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a phone number using digits")
    assert_accessible(page, "add an area, with an error", strict=True)
    screenshot(page, "admin-area-form-error-desktop")
    page.get_by_label("Duty phone number (optional)").fill("0117 496 0000")
    page.get_by_role("button", name="Add the area").click()
    expect(page.get_by_role("status").first).to_contain_text("Area Bristol added.")
    page.get_by_role("link", name="Change Bristol").click()
    page.get_by_label("Name").fill("Bristol North")
    page.get_by_role("button", name="Save").click()
    card = page.get_by_role("region", name="Bristol North")
    expect(card).to_contain_text("0117 496 0000")
    expect(card).to_contain_text("duty@bristol.example")
    assert_accessible(page, "areas", strict=True)
    screenshot(page, "admin-areas-desktop")
    session.expire_all()
    area = session.scalars(select(Area)).one()
    assert (area.name, area.duty_phone) == ("Bristol North", "0117 496 0000")

    page.get_by_role("link", name="Users").first.click()
    page.get_by_role("button", name="Make lead (safeguarding): Lena Lead").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Lena Lead is now a safeguarding lead."
    )
    assert_accessible(page, "users with safeguarding leads", strict=True)
    screenshot(page, "admin-users-desktop")
    session.expire_all()
    assert session.get_one(User, coordinator.id).safeguarding_lead is True

    login_in_browser(phone_page, live_server.url, admin.email, PASSWORD)
    phone_page.goto(f"{live_server.url}/admin/areas")
    assert_accessible(phone_page, "areas on a phone", strict=True)
    screenshot(phone_page, "admin-areas-phone")
    phone_page.get_by_role("link", name="Change Bristol North").click()
    assert_accessible(phone_page, "change an area on a phone", strict=True)
    screenshot(phone_page, "admin-area-form-phone")
    phone_page.goto(f"{live_server.url}/admin/users")
    assert_accessible(phone_page, "users on a phone", strict=True)
    screenshot(phone_page, "admin-users-phone")


def test_flag_page_shows_the_chase(
    app: Flask, live_server: LiveServer, phone_page: Page, page: Page, session: SessionLike
) -> None:
    people = world(session)
    job_chase(app, NOW + 60 * MINUTE)
    job_chase(app, NOW + 120 * MINUTE)
    flag = session.scalars(select(EscalationFlag).where(EscalationFlag.severity == "urgent")).one()
    for browser_page, name in ((page, "desktop"), (phone_page, "phone")):
        login_in_browser(browser_page, live_server.url, people["coordinators"][0].email, PASSWORD)
        browser_page.goto(f"{live_server.url}/flags/{flag.id}")
        history = browser_page.locator("ol.flag-history")
        expect(history).to_contain_text("Chased: the duty address")
        expect(history).to_contain_text("Chased: the admins")
        assert_accessible(browser_page, f"flag page with the chase ({name})", strict=True)
        screenshot(browser_page, f"escalation-flag-chased-{name}")
