"""The equality monitoring questions in a real browser, on a phone and a desk: a parent answers
them on the self-referral form, a coordinator corrects one and reads them on the case page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import select

from app.equality import WHY_WE_ASK
from app.extensions import SessionLike
from app.models import Parent
from tests.browser import ARTIFACTS, LiveServer, login_in_browser, screenshot
from tests.factories import PASSWORD, make_area, make_user
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser


def fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_parent_answers_and_a_coordinator_reads_the_answers(
    live_server: LiveServer,
    page: Page,
    phone_page: Page,
    session: SessionLike,
    phone: bool,
) -> None:
    browser_page = phone_page if phone else page
    suffix = "phone" if phone else "desktop"
    area = make_area(session, "Bristol")
    coordinator = make_user(session, "coordinator", areas=[area])
    session.commit()

    browser_page.goto(f"{live_server.url}/refer")
    group = browser_page.get_by_role("group", name="About you (optional)")
    assert WHY_WE_ASK in group.inner_text()
    browser_page.get_by_label("Your first name").fill("Priya")
    browser_page.get_by_label("Phone number").fill("07700 900123")
    browser_page.get_by_label("What is your ethnic group?").select_option(label="Indian")
    browser_page.get_by_label("How old are you?").select_option("20_24")
    browser_page.get_by_label("Are you a first-time parent?").select_option(label="Yes")
    browser_page.get_by_label("Would you like an interpreter?").select_option(
        label="Prefer not to say"
    )
    group.scroll_into_view_if_needed()
    assert fits(browser_page)
    assert_accessible(browser_page, "self-referral with equality questions", strict=True)
    screenshot(browser_page, f"equality-self-referral-{suffix}")
    group.screenshot(path=str(ARTIFACTS / f"equality-self-referral-{suffix}-questions.png"))
    browser_page.get_by_label("I agree").check()
    browser_page.get_by_role("button", name="Send").click()
    assert "/refer/thanks" in browser_page.url
    parent = session.scalar(select(Parent).where(Parent.first_name == "Priya"))
    assert parent is not None
    assert (parent.ethnic_group, parent.age_band, parent.first_time_parent) == (
        "asian_indian",
        "20_24",
        "yes",
    )
    assert (parent.disability, parent.interpreter_needed) == (None, "prefer_not")
    case_id = parent.cases[0].id

    login_in_browser(browser_page, live_server.url, coordinator.email, PASSWORD)
    browser_page.goto(f"{live_server.url}/cases/{case_id}/parent")
    group = browser_page.get_by_role("group", name="Equality monitoring (optional)")
    assert group.get_by_label("Ethnic group").input_value() == "asian_indian"
    # a value the form never offered comes back as an error on the field
    browser_page.evaluate(
        "document.getElementById('age_band').add(new Option('Forty', 'forty', true, true))"
    )
    browser_page.get_by_label("Disability or long-term health condition").select_option("no")
    browser_page.get_by_role("button", name="Save changes").click()
    summary = browser_page.get_by_role("alert")
    assert "Choose one of the answers in the list." in summary.inner_text()
    group.scroll_into_view_if_needed()
    assert fits(browser_page)
    assert_accessible(browser_page, "parent edit with an equality error", strict=True)
    screenshot(browser_page, f"equality-edit-error-{suffix}")
    group.screenshot(path=str(ARTIFACTS / f"equality-edit-error-{suffix}-questions.png"))
    browser_page.get_by_label("Age at referral").select_option("25_34")
    browser_page.get_by_role("button", name="Save changes").click()

    section = browser_page.get_by_role("region", name="Equality monitoring")
    text = section.inner_text()
    assert "Indian" in text and "25 to 34" in text and "Prefer not to say" in text
    assert "Disability or long-term health condition" in text
    section.scroll_into_view_if_needed()
    assert fits(browser_page)
    assert_accessible(browser_page, "case page with equality answers", strict=True)
    screenshot(browser_page, f"equality-case-{suffix}")
    section.screenshot(path=str(ARTIFACTS / f"equality-case-{suffix}-answers.png"))
    session.expire_all()
    assert session.get(Parent, parent.id).disability == "no"  # type: ignore[union-attr]
