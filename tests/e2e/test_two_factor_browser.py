"""Two-factor sign-in in the browser: a coordinator made to set it up on a phone scans (reads)
the key, keeps the recovery codes, and later signs in with a code, at 390 px and 1280 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from flask import Flask
from playwright.sync_api import Page

from app.auth.two_factor_service import SETTINGS_KEY
from app.extensions import SessionLike
from app.settings import save_settings
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import NOW, PASSWORD, make_user
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser

FITS_JS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_set_up_on_a_phone_then_sign_in_with_a_code(
    app: Flask, live_server: LiveServer, page: Page, phone_page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "coordinator", first_name="Ola")
    session.commit()
    save_settings(session, NOW, SETTINGS_KEY, {"require_two_factor": True}, None)
    session.commit()

    login_in_browser(page, live_server.url, user.email, PASSWORD)  # a wide screen first
    assert page.locator(".qr svg").is_visible()
    assert_accessible(page, "two-factor set-up (desktop)")
    screenshot(page, "desktop-two-factor-setup")
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Two-factor sign-in").is_visible()  # nothing else

    login_in_browser(phone_page, live_server.url, user.email, PASSWORD)
    assert phone_page.get_by_role("heading", name="Two-factor sign-in").is_visible()
    assert phone_page.locator(".qr svg").is_visible()
    assert phone_page.evaluate(FITS_JS)
    assert_accessible(phone_page, "two-factor set-up")
    screenshot(phone_page, "phone-two-factor-setup")
    secret = re.sub(r"\s", "", phone_page.locator("code.secret").inner_text())
    phone_page.get_by_label("Code").fill(pyotp.TOTP(secret).at(NOW))
    phone_page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert phone_page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert phone_page.locator(".recovery-codes code").count() == 10
    assert phone_page.evaluate(FITS_JS)
    assert_accessible(phone_page, "recovery codes")
    screenshot(phone_page, "phone-two-factor-recovery-codes")

    later = NOW + timedelta(minutes=1)
    app.config["CORNER_NOW"] = later
    for browser_page, name in ((page, "desktop"), (phone_page, "phone")):
        browser_page.context.clear_cookies()
        login_in_browser(browser_page, live_server.url, user.email, PASSWORD)
        assert browser_page.get_by_role("heading", name="Enter your code").is_visible()
        assert browser_page.evaluate(FITS_JS)
        assert_accessible(browser_page, f"code page ({name})")
        screenshot(browser_page, f"{name}-two-factor-code")
    phone_page.get_by_label("Code").fill(pyotp.TOTP(secret).at(later))
    phone_page.get_by_role("button", name="Log in").click()
    assert phone_page.get_by_role("heading", name="Hello, Ola").is_visible()
    page.goto(f"{live_server.url}/account/two-factor")
    assert page.get_by_role("heading", name="Log in to Corner").is_visible()  # not signed in

    app.config["CORNER_NOW"] = later + timedelta(minutes=1)
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(later + timedelta(minutes=1)))
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/account/two-factor")
    assert page.get_by_text("It is on").is_visible()
    assert_accessible(page, "two-factor status")
    screenshot(page, "desktop-two-factor-on")
