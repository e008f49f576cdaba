"""A volunteer on a phone saves a check-in draft, finishes and submits it; a coordinator sees it.

Also screenshots the main cases pages and runs axe on the check-in form and self-referral page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import CheckIn
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


def build_world(session: SessionLike) -> dict[str, Any]:
    area = make_area(session, "Bristol")
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Cora")
    volunteer = make_volunteer(session, area=area, user_kw={"first_name": "Alice"})
    parent = make_parent(
        session,
        area=area,
        first_name="Maya",
        last_name="Patel",
        phone="07700 900123",
        email="maya@example.org",
        due_date=date(2027, 1, 10),
        tags=["young_parent"],
        contact_mode="phone",
        referral_source="midwife",
    )
    case = make_case(session, parent, owner=coordinator)
    make_assignment(session, case, volunteer, assigned_by=coordinator)
    now = datetime.now(UTC)
    for i, (first, last, risk) in enumerate(
        [("Grace", "Okafor", True), ("Hannah", "Jones", False), ("Zofia", "Nowak", False)]
    ):
        waiting = make_case(
            session,
            make_parent(session, area=area, first_name=first, last_name=last),
            high_risk=risk,
        )
        waiting.referred_at = now - timedelta(days=30 - 9 * i)
    session.commit()
    return {"coordinator": coordinator, "volunteer": volunteer, "case": case}


def test_volunteer_draft_then_submit_then_coordinator_sees_it(
    live_server: LiveServer, phone_page: Page, page: Page, session: SessionLike
) -> None:
    world = build_world(session)
    base = live_server.url

    # The volunteer, on a phone.
    login_in_browser(phone_page, base, world["volunteer"].email, PASSWORD)
    phone_page.get_by_role("link", name="My parents").first.click()
    expect(phone_page.get_by_role("heading", name="My parents")).to_be_visible()
    phone_page.get_by_role("link", name="Record a check-in for Maya").click()
    expect(phone_page.get_by_role("heading", name="New check-in")).to_be_visible()
    screenshot(phone_page, "cases-checkin-form-phone")
    assert_accessible(phone_page, "check-in form on a phone")

    topics = phone_page.get_by_role("group", name="What did you talk about?")
    topics.get_by_label("Sleep").check()
    phone_page.get_by_label("Notes (optional)").fill("Good chat about sleep routines.")
    phone_page.get_by_role("button", name="Save as draft").click()
    expect(phone_page.get_by_role("heading", name="My drafts")).to_be_visible()
    expect(phone_page.get_by_text("Saved as a draft")).to_be_visible()
    session.expire_all()
    draft = session.scalars(select(CheckIn)).one()
    assert draft.status == "draft" and draft.notes == "Good chat about sleep routines."

    # Later: back via My drafts, finish and submit.
    phone_page.get_by_role("link", name="Finish the check-in for Maya").click()
    expect(phone_page.get_by_role("heading", name="Finish the check-in")).to_be_visible()
    assert phone_page.get_by_label("Notes (optional)").input_value() == (
        "Good chat about sleep routines."
    )
    phone_page.get_by_role("button", name="Submit").click()
    # Submitting without "How was the parent feeling?" shows the error summary.
    summary = phone_page.get_by_role("alert")
    expect(summary).to_contain_text("Choose how the parent was feeling.")
    screenshot(phone_page, "cases-checkin-form-phone-error")
    assert_accessible(phone_page, "check-in form with errors")
    # Progressive enhancement: an attempt hides the questions about the conversation.
    expect(phone_page.get_by_role("alert")).to_be_focused()
    phone_page.get_by_label("No, I only tried to reach them").check()
    expect(phone_page.get_by_label("4 - Good")).to_be_hidden()
    phone_page.get_by_label("Yes, we spoke").check()
    phone_page.get_by_label("4 - Good").check()
    phone_page.get_by_role("button", name="Submit").click()
    expect(phone_page.get_by_text("submitted. Thank you")).to_be_visible()
    session.expire_all()
    submitted = session.scalars(select(CheckIn)).one()
    assert submitted.status == "submitted" and submitted.wellbeing == 4
    assert submitted.topics == ["sleep"]
    screenshot(phone_page, "cases-my-parents-phone")
    assert_accessible(phone_page, "my parents on a phone")
    phone_page.get_by_role("link", name="Maya P").click()
    expect(phone_page.get_by_role("link", name="07700 900123")).to_be_visible()
    screenshot(phone_page, "cases-volunteer-case-phone")

    # The coordinator, at a desk, sees it on the case timeline.
    login_in_browser(page, base, world["coordinator"].email, PASSWORD)
    page.get_by_role("link", name="Waiting list").first.click()
    expect(page.get_by_role("heading", name="Waiting list")).to_be_visible()
    screenshot(page, "cases-waiting-list")
    assert_accessible(page, "waiting list")
    page.goto(f"{base}/cases/{world['case'].id}")
    timeline = page.locator("ol.timeline")
    expect(timeline).to_contain_text("Check-in by Alice")
    expect(timeline).to_contain_text("Good chat about sleep routines.")
    expect(timeline).to_contain_text("Feeling: 4 of 5")
    screenshot(page, "cases-case-page")
    assert_accessible(page, "case page")
    page.get_by_role("link", name="Waiting list").first.click()
    page.get_by_role("link", name="New referral").click()
    expect(page.get_by_role("heading", name="New referral")).to_be_visible()
    screenshot(page, "cases-referral-form")
    assert_accessible(page, "referral form")


def test_self_referral_page_is_accessible_and_works(
    app: Flask, live_server: LiveServer, phone_page: Page, page: Page, session: SessionLike
) -> None:
    """A parent refers herself on a phone, picking her language by name; the coordinator
    accepts her and is offered the volunteer who speaks it."""
    app.config["CORNER_NOW"] = NOW
    area = make_area(session, "Bristol")
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Cora")
    make_volunteer(
        session,
        area=area,
        languages=["pl", "en"],
        user_kw={"first_name": "Bea", "last_name": "Nowak"},
    )
    make_volunteer(session, area=area, languages=["so"], user_kw={"first_name": "Cath"})
    session.commit()
    phone_page.goto(f"{live_server.url}/refer")
    expect(phone_page.get_by_role("heading", name="Ask for a peer supporter")).to_be_visible()
    screenshot(phone_page, "cases-self-referral-phone")
    assert_accessible(phone_page, "self-referral on a phone")
    phone_page.get_by_label("Another language (optional)").fill("Klingon")
    phone_page.get_by_role("button", name="Send").click()
    expect(phone_page.get_by_role("alert")).to_contain_text("Tick the box to say you agree")
    expect(phone_page.get_by_role("alert")).to_contain_text('"Klingon" is not a language we know')
    assert_accessible(phone_page, "self-referral with errors")
    phone_page.get_by_label("Your first name").fill("Sara")
    phone_page.get_by_label("Phone number").fill("07700 900777")
    phone_page.get_by_label("When is your baby due?").fill("2027-02-14")
    languages = phone_page.get_by_role("group", name="Which languages do you speak? (optional)")
    languages.get_by_label("Polish").check()
    phone_page.get_by_label("Another language (optional)").fill("")
    phone_page.get_by_label("I agree that the charity").check()
    phone_page.get_by_role("button", name="Send").click()
    expect(phone_page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(f"{live_server.url}/refer")
    screenshot(page, "cases-self-referral-desktop")

    # The coordinator accepts her and asks for a volunteer: the Polish speaker is offered.
    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    page.goto(f"{live_server.url}/waiting")
    page.get_by_role("link", name="Sara").click()
    expect(page.locator("dl").first).to_contain_text("Polish")
    page.get_by_role("button", name="Accept onto the waiting list").click()
    page.get_by_role("link", name="Find a volunteer").click()
    expect(page.get_by_role("heading", name="Suggested volunteers for Sara")).to_be_visible()
    offered = page.locator(".suggestion")
    expect(offered).to_have_count(1)
    expect(offered.get_by_role("heading", name="Bea Nowak")).to_be_visible()
    expect(offered).to_contain_text("Speaks Polish")
    expect(page.locator(".match-excluded")).to_contain_text("1 no shared language")
    screenshot(page, "cases-self-referral-suggestions")
