"""A coordinator opens a waiting case's suggestions, reads the breakdown and assigns one."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Assignment, CaseStatus
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import NOW, PASSWORD, make_case, make_parent, make_user, make_volunteer
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_coordinator_reads_suggestions_and_assigns(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    coordinator = make_user(session, "coordinator", first_name="Asha")
    parent = make_parent(
        session,
        first_name="Amira",
        tags=["twins", "nicu"],
        availability=["mon-am", "tue-am", "wed-pm"],
        languages=["en", "so"],
        contact_mode="in_person",
    )
    case = make_case(session, parent)
    make_volunteer(
        session,
        user_kw={"first_name": "Bea", "last_name": "Okafor"},
        tags=["twins"],
        availability=["mon-am", "tue-am"],
        languages=["en", "so"],
        postcode="BS2 9AA",
    )
    make_volunteer(session, user_kw={"first_name": "Cath", "last_name": "Lee"}, max_caseload=2)
    make_volunteer(session, user_kw={"first_name": "Dee", "last_name": "Paused"}, status="paused")
    make_volunteer(
        session,
        user_kw={"first_name": "Eve", "last_name": "Expired"},
        dbs_expires_on=date(2026, 9, 1),
    )
    session.commit()

    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/cases/{case.id}/suggestions")

    assert page.get_by_role("heading", name="Suggested volunteers for Amira").is_visible()
    first = page.locator(".suggestion").first
    assert first.get_by_role("heading", name="Bea Okafor").is_visible()
    breakdown = first.locator("table.score-parts").inner_text()
    assert "Shares experience of twins or more" in breakdown
    assert "Free 2 of the parent's 3 preferred times" in breakdown
    assert "Same postcode district" in breakdown
    excluded = page.locator(".match-excluded").inner_text()
    assert "1 paused or left" in excluded and "1 DBS check or training expired" in excluded
    screenshot(page, "matching-suggestions")

    assert_accessible(page, "suggestions", strict=True)

    first.get_by_role("link", name="Assign Bea Okafor").click()
    assert page.get_by_role("heading", name="Assign Bea Okafor to support Amira").is_visible()
    screenshot(page, "matching-confirm-assign")
    page.get_by_role("button", name="Yes, assign Bea Okafor").click()

    assert "Bea Okafor is now supporting Amira" in page.get_by_role("status").first.inner_text()
    assert page.url == f"{live_server.url}/cases/{case.id}"  # the case page, not suggestions
    screenshot(page, "matching-assigned-case")
    page.goto(f"{live_server.url}/cases/{case.id}/suggestions")
    assert "has supported this parent since" in page.locator(".match-current").inner_text()
    assert not page.get_by_role("link", name="Reassign to Bea Okafor").count()
    assert page.get_by_role("link", name="Reassign to Cath Lee").is_visible()
    screenshot(page, "matching-assigned")
    session.expire_all()
    assignment = session.scalar(select(Assignment).where(Assignment.case_id == case.id))
    assert assignment is not None and assignment.ended_at is None
    assert case.status == CaseStatus.ACTIVE


def test_suggestions_on_a_phone(
    app: Flask, live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    coordinator = make_user(session, "coordinator")
    case = make_case(session, make_parent(session, first_name="Amira", tags=["feeding"]))
    make_volunteer(session, user_kw={"first_name": "Bea"}, tags=["feeding"])
    session.commit()
    login_in_browser(phone_page, live_server.url, coordinator.email, PASSWORD)
    phone_page.goto(f"{live_server.url}/cases/{case.id}/suggestions")
    assert phone_page.get_by_text("Shares experience of feeding difficulties").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    screenshot(phone_page, "matching-suggestions-phone")


def test_plan_and_profile_pages_are_accessible(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    coordinator = make_user(session, "coordinator")
    admin = make_user(session, "admin")
    for n in range(3):
        make_case(session, make_parent(session, first_name=f"Parent{n}", tags=["twins"]))
    bea = make_volunteer(
        session,
        user_kw={"first_name": "Bea", "last_name": "Okafor"},
        tags=["twins"],
        dbs_expires_on=date(2026, 11, 20),
    )
    make_volunteer(session, user_kw={"first_name": "Cath", "last_name": "Lee"}, max_caseload=1)
    session.commit()

    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/plan")
    assert "This plan finds a volunteer for 3 parents." in page.locator(".plan-totals").inner_text()
    screenshot(page, "matching-plan")
    assert_accessible(page, "plan", strict=True)
    page.get_by_label("Confirm Parent2 Example with Bea Okafor").uncheck()
    page.get_by_role("button", name="Confirm the ticked pairs").click()
    assert page.get_by_role("heading", name="2 assignments made").is_visible()
    screenshot(page, "matching-plan-done")

    page.goto(f"{live_server.url}/volunteers")
    assert "Warning: Expires in 18 days" in page.locator("table").inner_text()
    screenshot(page, "matching-volunteers")
    assert_accessible(page, "volunteers", strict=True)
    page.get_by_role("link", name="Edit Bea Okafor's profile").click()
    screenshot(page, "matching-volunteer-edit")
    assert_accessible(page, "volunteer profile", strict=True)

    page.get_by_role("button", name="Log out").click()
    login_in_browser(page, live_server.url, bea.email, PASSWORD)
    page.goto(f"{live_server.url}/my/profile")
    page.get_by_label("Saturday morning").check()
    reminders = page.get_by_label("Email me a reminder when check-ins are due")
    assert reminders.is_checked()  # on until the volunteer turns it off
    reminders.uncheck()
    page.get_by_role("button", name="Save", exact=True).click()
    saved = "Your availability and reminder choice are saved."
    assert saved in page.get_by_role("status").first.inner_text()
    assert not page.get_by_label("Email me a reminder when check-ins are due").is_checked()
    screenshot(page, "matching-my-profile")
    assert_accessible(page, "my profile", strict=True)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "matching-my-profile-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Log out").click()
    login_in_browser(page, live_server.url, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/settings/matching")
    page.get_by_label("Shared experience").fill("40")
    page.get_by_role("button", name="Save").click()
    assert "Matching weights saved" in page.get_by_role("status").first.inner_text()
    screenshot(page, "matching-settings")
    assert_accessible(page, "matching settings", strict=True)
