"""An admin invites a coordinator in the browser; the coordinator sets a password on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from app.extensions import SessionLike
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import PASSWORD, make_area, make_user
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lighthouse kettle meadow"


def test_invite_accept_and_log_in(
    live_server: LiveServer, page: Page, phone_page: Page, session: SessionLike
) -> None:
    make_area(session, "Bristol North")
    admin = make_user(session, "admin", first_name="Priya")
    make_user(session, "volunteer", first_name="Kim", last_name="Ross")
    session.commit()

    login_in_browser(page, live_server.url, admin.email, PASSWORD)
    page.get_by_role("link", name="Users").click()
    assert page.get_by_role("cell", name="Kim Ross", exact=True).is_visible()
    assert_accessible(page, "users")
    screenshot(page, "admin-users")

    page.get_by_role("link", name="Invite someone").click()
    page.get_by_role("button", name="Create the invitation").click()  # empty: errors first
    assert "There is a problem" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "invite with errors")
    page.get_by_label("Email address").fill("ola@example.org")
    page.get_by_label("First name").fill("Ola")
    page.get_by_label("Last name").fill("Nowak")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_label("Area").select_option(label="Bristol North")
    page.get_by_role("button", name="Create the invitation").click()
    assert page.get_by_role("heading", name="Invitation emailed to Ola Nowak").is_visible()
    assert_accessible(page, "invitation ready")
    screenshot(page, "admin-invitation-emailed")
    link = page.get_by_label("Set-password link").input_value()
    assert link.startswith(f"{live_server.url}/invitation/")

    phone_page.goto(link)
    assert phone_page.get_by_text("Welcome, Ola").is_visible()
    assert_accessible(phone_page, "set password")
    phone_page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    phone_page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    screenshot(phone_page, "phone-set-password")
    phone_page.get_by_role("button", name="Set password").click()
    assert phone_page.get_by_text("Your password is set").is_visible()
    login_in_browser(phone_page, live_server.url, "ola@example.org", NEW_PASSWORD)
    assert phone_page.get_by_role("heading", name="Hello, Ola").is_visible()
    assert phone_page.get_by_role("link", name="Waiting list").is_visible()

    phone_page.goto(link)  # the link worked once
    assert phone_page.get_by_role("heading", name="This link cannot be used").is_visible()
