"""In Chromium: consent withdrawn, then erasure with the typed reference, on a phone and on a
desk; each page fits 390 px and passes axe."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page

from app.extensions import SessionLike
from tests.browser import DESKTOP, PHONE, LiveServer, login_in_browser, screenshot
from tests.factories import NOW, PASSWORD
from tests.helpers import assert_accessible
from tests.privacy.erasure_canaries import seed_charity

pytestmark = pytest.mark.browser


def _fits(page: Page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], where
    assert_accessible(page, where)


def test_withdraw_then_erase_in_the_browser(
    app: Flask, live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    charity = seed_charity(session)
    base, page = live_server.url, phone_page
    login_in_browser(page, base, charity.admin.email, PASSWORD)

    page.goto(f"{base}/cases/{charity.b_case.id}")
    page.get_by_role("link", name="She withdrew consent").click()
    _fits(page, "consent withdrawn")
    screenshot(page, "privacy-phone-consent-withdrawn")
    page.get_by_role("button", name="Record and close the case").click()
    assert "She withdrew consent on" in page.content()
    page.get_by_role("link", name="Erase her details").click()
    _fits(page, "erase")
    screenshot(page, "privacy-phone-erase")
    page.get_by_label("Why are her details being erased?").select_option("consent_withdrawn")
    page.get_by_label("Type the parent's reference to confirm").fill("CH-A-001")
    page.get_by_role("button", name="Erase her details for good").click()
    assert "That is not her reference" in page.content()
    _fits(page, "erase with an error")
    page.get_by_label("Type the parent's reference to confirm").fill("CH-B-002")
    page.get_by_role("button", name="Erase her details for good").click()
    assert "Erased parent" in page.content() and "Plonkington" not in page.content()
    _fits(page, "the erased parent's case")
    screenshot(page, "privacy-phone-erased-case")

    page.goto(f"{base}/admin/settings/privacy")
    _fits(page, "privacy settings")
    screenshot(page, "privacy-phone-settings")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "privacy-desktop-settings")
    page.goto(f"{base}/cases/{charity.a_case.id}/erase")
    screenshot(page, "privacy-desktop-erase")
