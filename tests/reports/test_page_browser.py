"""The reports page in Chromium: at 390 px and 1280 px it fits (no sideways scroll), every
chart is drawn, axe finds nothing serious; the print stylesheet leaves the figures only."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page

from app.extensions import SessionLike
from tests.browser import DESKTOP, PHONE, LiveServer, login_in_browser, screenshot
from tests.factories import NOW, PASSWORD
from tests.helpers import assert_accessible
from tests.reports import service

pytestmark = pytest.mark.browser

#: what makes the page wider than the screen (boxes past its right edge), to say so on failure
WIDEST_JS = """() => [...document.querySelectorAll('main *')]
  .filter(el => !el.closest('svg') && el.getBoundingClientRect().right > innerWidth)
  .slice(0, 5).map(el => `${el.tagName} ${el.closest('[id]')?.id}`)"""


def _open(page: Page, live_server: LiveServer, email: str, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    login_in_browser(page, live_server.url, email, PASSWORD)
    query = "&".join(f"{key}={value}" for key, value in service.QUERY.items())
    page.goto(f"{live_server.url}/reports?{query}")


@pytest.mark.parametrize("width", [320, PHONE["width"], DESKTOP["width"]])
def test_the_report_fits_the_screen_and_is_accessible(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike, width: int
) -> None:
    app.config["CORNER_NOW"] = NOW
    known = service.build(session)
    _open(page, live_server, known.coordinator.email, width)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Report")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.evaluate(WIDEST_JS)
    charts = page.locator("svg[role=img]")
    assert charts.count() == 17
    # each chart is drawn at a readable size: as wide as its column, never past it
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and 0 < box["width"] <= width and box["height"] > 20
    # the tables stack on a phone: "Referrals: 2" under the month's name
    cell = page.locator("#t-referrals-by-month tbody td").first
    stacked = cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert stacked == (width < 640)
    assert_accessible(page, f"reports at {width} px")
    if width != 320:
        screenshot(page, f"reports-{width}")


def test_the_printed_report_has_the_heading_and_tables_and_no_controls(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    known = service.build(session)
    _open(page, live_server, known.admin.email, DESKTOP["width"])
    page.emulate_media(media="print")
    heading = page.get_by_role("heading", level=1)
    assert "1 September to 31 October 2026" in heading.inner_text()
    assert "All areas" in heading.inner_text()
    for hidden in ("nav", "form", ".report-download", ".report-downloads", ".site-header"):
        assert page.locator(hidden).first.is_hidden(), hidden
    assert page.locator("#t-referrals-by-source").is_visible()
    assert page.locator("#t-referrals-by-source thead").is_visible()  # headers printed
    avoid = page.locator(".report-pair").first.evaluate("e => getComputedStyle(e).breakInside")
    assert avoid == "avoid"
    page.pdf(path=str(screenshot(page, "reports-print").with_suffix(".pdf")))
