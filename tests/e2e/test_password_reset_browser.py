"""Forgotten password in the browser, on a phone and a desktop: ask, get the email over real
SMTP, set a new password, log in; axe (strict) on every new page; screenshots at 390/1280 px."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page

from app.email import send_pending
from app.extensions import SessionLike
from app.timeutil import utcnow
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import make_user
from tests.helpers import assert_accessible
from tests.smtp import SmtpServer

pytestmark = pytest.mark.browser

NEW_PASSWORD = "lighthouse kettle meadow"


def _emailed_path(app: Flask, smtp_server: SmtpServer) -> str:
    send_pending(app, utcnow() + timedelta(minutes=1))
    [message] = smtp_server.messages
    body = message.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = re.search(r"https?://[^/\s]+(/password/reset/\S+)", body)
    assert match, body
    return match.group(1)


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_forgotten_password_journey(
    app: Flask,
    live_server: LiveServer,
    page: Page,
    phone_page: Page,
    session: SessionLike,
    smtp_server: SmtpServer,
    size: str,
) -> None:
    tab = phone_page if size == "phone" else page
    width = 390 if size == "phone" else 1280
    user = make_user(session, "volunteer", email="kim@example.org", first_name="Kim")
    session.commit()

    tab.goto(f"{live_server.url}/login")
    screenshot(tab, f"login-{width}")
    tab.get_by_role("link", name="Forgotten your password?").click()
    assert tab.get_by_role("heading", name="Forgotten your password?").is_visible()
    assert_accessible(tab, "forgotten password", strict=True)
    screenshot(tab, f"forgot-password-{width}")
    tab.get_by_role("button", name="Email me a link").click()  # empty: the error summary
    assert "There is a problem" in tab.get_by_role("alert").inner_text()
    assert_accessible(tab, "forgotten password with errors", strict=True)
    tab.get_by_label("Email address").fill(user.email)
    tab.get_by_role("button", name="Email me a link").click()
    assert tab.get_by_role("heading", name="Check your email").is_visible()
    assert_accessible(tab, "check your email", strict=True)
    screenshot(tab, f"forgot-password-sent-{width}")

    path = _emailed_path(app, smtp_server)
    tab.goto(f"{live_server.url}{path}")
    assert tab.get_by_role("heading", name="Set a new password").is_visible()
    assert_accessible(tab, "set a new password", strict=True)
    tab.get_by_label("New password", exact=True).fill("short")
    tab.get_by_label("Type the new password again").fill("short")
    tab.get_by_role("button", name="Set new password").click()
    assert "at least 10 characters" in tab.get_by_role("alert").inner_text()
    assert_accessible(tab, "set a new password with errors", strict=True)
    screenshot(tab, f"reset-password-errors-{width}")
    tab.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    tab.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    tab.get_by_role("button", name="Set new password").click()
    assert tab.get_by_text("Your password has been changed").is_visible()
    login_in_browser(tab, live_server.url, user.email, NEW_PASSWORD)
    assert tab.get_by_role("heading", name="Hello, Kim").is_visible()

    tab.goto(f"{live_server.url}{path}")  # used: the link page says so
    assert tab.get_by_role("heading", name="This link cannot be used").is_visible()
    assert_accessible(tab, "reset link used", strict=True)
    screenshot(tab, f"reset-link-used-{width}")
