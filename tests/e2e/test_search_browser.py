"""A coordinator finds a parent from the header's search box, on a phone and on a desktop."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page

from app.extensions import SessionLike
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import (
    NOW,
    PASSWORD,
    make_area,
    make_assignment,
    make_case,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_coordinator_finds_a_parent_by_part_of_her_surname(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike, width: int
) -> None:
    app.config["CORNER_NOW"] = NOW
    area = make_area(session, "Bristol")
    make_area(session, "South Gloucestershire")
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Asha")
    volunteer = make_volunteer(
        session, area=area, user_kw={"first_name": "Bea", "last_name": "Okafor"}
    )
    for i, (first, last, phone) in enumerate(
        [
            ("Zoë", "Reynolds", "07700 900123"),
            ("Maria", "Reynolds-Nowak", "07700 900456"),
            ("Chloé", "Reyes", "07700 900789"),
        ]
    ):
        parent = make_parent(
            session,
            area=area,
            ref=f"BR-{185 + i:04d}",
            first_name=first,
            last_name=last,
            phone=phone,
            due_date=date(2027, 1 + i, 10),
        )
        case = make_case(session, parent, area=area)
        if i == 0:
            make_assignment(session, case, volunteer)
            case.status = "active"
    session.commit()

    page.set_viewport_size({"width": width, "height": 800})
    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"header-search-{width}")
    page.get_by_role("searchbox", name="Find a case").fill("reyn")
    page.get_by_role("button", name="Search cases").click()
    page.wait_for_load_state("domcontentloaded")
    assert "2 cases found for “reyn”" in page.inner_text("main")
    assert page.get_by_role("link", name="Zoë Reynolds").is_visible()
    assert page.get_by_role("link", name="Maria Reynolds-Nowak").is_visible()
    assert page.get_by_role("searchbox", name="Find a case").input_value() == "reyn"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, f"case search at {width} px")
    screenshot(page, f"case-search-{width}")

    page.get_by_role("searchbox", name="Find a case").fill("+44 7700 900123")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state("domcontentloaded")
    assert "1 case found" in page.inner_text("main")
    assert page.get_by_role("link", name="Zoë Reynolds").is_visible()
