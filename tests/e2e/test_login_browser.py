"""A coordinator logs in through a real browser; the harness later journeys build on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from app.extensions import SessionLike
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_coordinator_logs_in_and_sees_home(
    live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    coordinator = make_user(session, "coordinator", first_name="Asha")
    session.commit()

    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)

    assert page.get_by_role("heading", name="Hello, Asha").is_visible()
    assert page.get_by_role("link", name="Waiting list").is_visible()
    path = screenshot(page, "coordinator-home")
    assert path.stat().st_size > 1000


def test_wrong_password_shows_error_summary(
    live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    coordinator = make_user(session, "coordinator")
    session.commit()

    login_in_browser(page, live_server.url, coordinator.email, "not the password")

    summary = page.get_by_role("alert")
    assert "There is a problem" in summary.inner_text()
    assert "email address or password is not right" in summary.inner_text()
