"""In a phone's browser: the questions before deleting and deactivating, the self-referral
settings, and a parent over the self-referral limit; each accessible and no wider than 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import CheckIn, User
from app.settings import save_settings
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import (
    NOW,
    PASSWORD,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_volunteer_is_asked_before_a_draft_is_deleted(
    live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    page = phone_page
    volunteer = make_volunteer(session)
    case = make_case(session)
    make_assignment(session, case, volunteer)
    draft = make_checkin(session, case, volunteer, status="draft", submitted_at=None)
    session.commit()
    login_in_browser(page, live_server.url, volunteer.email, PASSWORD)
    page.goto(f"{live_server.url}/checkins/{draft.id}/edit")
    page.get_by_role("link", name="Delete this draft").click()
    assert page.get_by_role("heading", name="Delete this draft?").is_visible()
    _fits(page)
    screenshot(page, "checkin-delete-question")
    assert_accessible(page, "delete a draft?", strict=True)
    page.get_by_role("button", name="Yes, delete this draft").click()
    assert "Check-in deleted." in page.get_by_role("status").first.inner_text()
    session.expire_all()
    assert session.get(CheckIn, draft.id).status == "deleted"  # type: ignore[union-attr]


def test_admin_pages_deactivate_question_and_referral_settings(
    live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    page = phone_page
    admin = make_user(session, "admin")
    kim = make_user(session, "volunteer", first_name="Kim", last_name="Ross")
    session.commit()
    login_in_browser(page, live_server.url, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/users/{kim.id}/deactivate")
    assert page.get_by_role("heading", name="Deactivate Kim Ross?").is_visible()
    _fits(page)
    screenshot(page, "deactivate-question")
    assert_accessible(page, "deactivate?", strict=True)
    page.get_by_role("link", name="No, keep the account").click()
    session.expire_all()
    assert session.scalar(select(User.active).where(User.id == kim.id)) is True

    page.goto(f"{live_server.url}/admin/settings/referrals")
    page.get_by_label("Phone number parents can call").fill("0117 496 0000")
    page.get_by_role("button", name="Save").click()
    assert "Self-referral settings saved." in page.get_by_role("status").first.inner_text()
    _fits(page)
    screenshot(page, "referral-settings")
    assert_accessible(page, "self-referral settings", strict=True)


def test_parent_over_the_limit_keeps_her_answers(
    live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    page = phone_page
    save_settings(session, NOW, "referrals", {"per_email": 1, "phone": "0117 496 0000"}, None)
    session.commit()
    for _ in range(2):
        page.goto(f"{live_server.url}/refer")
        page.get_by_label("Your first name").fill("Priya")
        page.get_by_label("Email address").fill("priya@example.org")
        page.locator("#consent").check()
        page.get_by_role("button", name="Send").click()
    alert = page.get_by_role("alert").first.inner_text()
    assert "We could not send your form just now" in alert and "0117 496 0000" in alert
    assert page.get_by_label("Your first name").input_value() == "Priya"
    _fits(page)
    screenshot(page, "self-referral-limited")
    assert_accessible(page, "self-referral over the limit", strict=True)
