"""axe-core (bundled by axe-playwright-python, runs offline) on the pages every role sees first."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from app.extensions import SessionLike
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import (
    PASSWORD,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser


def test_login_page_is_accessible(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/login")
    assert_accessible(page, "login")
    page.get_by_role("button", name="Log in").click()  # empty form: the error summary
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page, "login with errors")


@pytest.mark.parametrize("role", ["admin", "coordinator", "volunteer"])
def test_each_home_page_is_accessible(
    live_server: LiveServer, page: Page, session: SessionLike, role: str
) -> None:
    user = make_user(session, role, first_name="Robin")
    session.commit()
    login_in_browser(page, live_server.url, user.email, PASSWORD)
    assert page.get_by_role("heading", name="Hello, Robin").is_visible()
    assert_accessible(page, f"{role} home")


@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_case_page_and_checkin_form_are_accessible(
    live_server: LiveServer, page: Page, session: SessionLike, role: str
) -> None:
    """The case page, and the check-in form: a new one (volunteer), a correction (coordinator)."""
    area = make_area(session, "Bristol North")
    volunteer = make_volunteer(session, area=area)
    case = make_case(session, area=area)
    make_assignment(session, case, volunteer)
    checkin = make_checkin(session, case, volunteer)
    user = volunteer if role == "volunteer" else make_user(session, role, areas=[area])
    session.commit()
    login_in_browser(page, live_server.url, user.email, PASSWORD)

    page.goto(f"{live_server.url}/cases/{case.id}")
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page, f"case page ({role})")

    if role == "volunteer":
        page.goto(f"{live_server.url}/cases/{case.id}/checkins/new")
        heading = "New check-in"
    else:
        page.goto(f"{live_server.url}/checkins/{checkin.id}/edit")
        heading = "Correct a check-in"
    assert page.get_by_role("heading", name=heading).is_visible()
    assert "<" not in page.title() and page.title().endswith("\u2013 Corner"), page.title()
    assert page.locator('script[src$="cases-checkin.js"]').count() == 1
    assert_accessible(page, f"check-in form ({role})")
    if role == "volunteer":
        page.get_by_role("button", name="Submit", exact=True).click()  # empty: errors
        page.wait_for_load_state("domcontentloaded")
        assert page.get_by_role("alert").first.is_visible()
        assert_accessible(page, "check-in form with errors")


def test_error_page_is_accessible(live_server: LiveServer, page: Page) -> None:
    page.goto(f"{live_server.url}/no/such/page")
    assert page.get_by_role("heading", name="Page not found").is_visible()
    assert_accessible(page, "404")


def test_phone_screenshots_of_login_and_volunteer_home(
    live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    area = make_area(session, "Bristol North")
    volunteer = make_volunteer(session, area=area, user_kw={"first_name": "Sam"})
    for _ in range(3):
        make_assignment(session, make_case(session, area=area), volunteer)
    session.commit()

    phone_page.goto(f"{live_server.url}/login")
    # Nothing wider than the phone: no sideways scrolling.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    assert screenshot(phone_page, "phone-login").stat().st_size > 1000

    login_in_browser(phone_page, live_server.url, volunteer.email, PASSWORD)
    assert phone_page.get_by_text("parents you support").is_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone_page, "volunteer home on a phone")
    assert screenshot(phone_page, "phone-volunteer-home").stat().st_size > 1000


def test_the_check_fails_on_a_page_with_serious_problems(page: Page) -> None:
    """Guards against a silent no-op: an unlabelled field and an image without alt fail."""
    page.set_content(
        '<html lang="en"><title>x</title><main><h1>x</h1>'
        '<img src="x.png"><input type="text"></main></html>'
    )
    with pytest.raises(AssertionError, match=r"image-alt|label"):
        assert_accessible(page, "a bad page")
