"""A coordinator finds an urgent flag in the inbox and resolves it, in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from app.escalation.hooks import on_checkin_submitted
from app.extensions import SessionLike
from app.models import EscalationFlag, OutboxEmail
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


def test_coordinator_finds_urgent_flag_and_resolves_it(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    app.config["CORNER_NOW"] = now
    area = make_area(session, "Bristol", duty_email="duty@bristol.example")
    coordinator = make_user(session, "coordinator", first_name="Asha", areas=[area])
    volunteer = make_volunteer(session, area=area)
    case = make_case(session, area=area, owner=coordinator)
    make_assignment(session, case, volunteer)
    # a quieter flag that must sort below the urgent one
    session.add(
        EscalationFlag(
            case_id=case.id,
            rule="STALE_DRAFT",
            severity="low",
            evidence="A check-in draft has not been touched since Thu 29 Oct.",
            raised_at=datetime(2026, 10, 29, 9, 0, tzinfo=UTC),
        )
    )
    checkin = make_checkin(
        session,
        case,
        volunteer,
        occurred_at=now,
        concerns=["safeguarding"],
        notes="Partner shouted during the call.",
    )
    on_checkin_submitted(session, checkin, now)  # what the cases area does on submit
    session.commit()
    urgent = session.scalars(
        select(EscalationFlag).where(EscalationFlag.rule == "SAFEGUARDING")
    ).one()
    assert session.scalars(select(OutboxEmail)).one().kind == "urgent_flag"

    login_in_browser(page, live_server.url, coordinator.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Flags").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.get_by_role("heading", name="Flags", exact=True).is_visible()
    rows = page.locator("tbody tr")
    assert rows.count() == 1  # the case's two flags in one row
    first = rows.nth(0).inner_text()
    assert "Urgent" in first and "Safeguarding" in first and case.reference in first
    assert case.parent.full_name in first and "Check-in draft not finished" in first
    screenshot(page, "escalation-inbox")
    assert_accessible(page, "inbox")

    page.get_by_role("link", name=case.parent.full_name).click()  # opens the most severe
    page.wait_for_load_state("domcontentloaded")
    assert "a safeguarding concern" in page.locator(".summary-list").inner_text()
    screenshot(page, "escalation-flag")
    assert_accessible(page, "flag page")

    # submitting without choosing shows the error summary
    page.get_by_role("button", name="Resolve flag").click()
    page.wait_for_load_state("domcontentloaded")
    summary = page.get_by_role("alert")
    assert "Choose what was done." in summary.inner_text()
    screenshot(page, "escalation-flag-errors")
    assert_accessible(page, "flag page with errors")

    page.get_by_role("button", name="Acknowledge").click()
    page.wait_for_load_state("domcontentloaded")
    assert "Flag acknowledged" in page.get_by_role("status").first.inner_text()
    page.get_by_label("Safeguarding referral made").check()
    page.get_by_label("Note").fill("Called the duty social worker; referral made today.")
    page.get_by_role("button", name="Resolve flag").click()
    page.wait_for_load_state("domcontentloaded")
    assert (
        f"Flag for case {case.reference} resolved." in page.get_by_role("status").first.inner_text()
    )
    assert page.locator("tbody tr").count() == 1  # only the low flag is left
    assert "Low" in page.locator("tbody tr").first.inner_text()
    screenshot(page, "escalation-inbox-after")

    session.expire_all()
    resolved = session.get(EscalationFlag, urgent.id)
    assert resolved is not None and resolved.status == "resolved"
    assert resolved.outcome == "safeguarding_referral"
    assert resolved.resolved_by_id == coordinator.id


def test_inbox_on_a_phone(
    app: Flask, live_server: LiveServer, phone_page: Page, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    coordinator = make_user(session, "coordinator")
    case = make_case(session)
    session.add(
        EscalationFlag(
            case_id=case.id,
            rule="NO_CONTACT",
            severity="high",
            evidence="No successful contact since Mon 5 Oct (28 days).",
            raised_at=datetime(2026, 11, 1, 6, 0, tzinfo=UTC),
        )
    )
    session.commit()
    login_in_browser(phone_page, live_server.url, coordinator.email, PASSWORD)
    phone_page.goto(f"{live_server.url}/flags")
    assert "High" in phone_page.locator("tbody tr").first.inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "escalation-inbox-phone")
    assert_accessible(phone_page, "inbox on a phone")


def test_admin_outbox_and_thresholds_pages(
    app: Flask, live_server: LiveServer, page: Page, session: SessionLike
) -> None:
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    app.config["CORNER_NOW"] = now
    admin = make_user(session, "admin")
    session.add(
        OutboxEmail(
            message_id="<urgent_flag.1@corner.test>",
            kind="urgent_flag",
            to_addrs=["duty@bristol.example"],
            subject="Urgent flag for case C-00007: please look today",
            body_text="x",
            body_html="x",
            status="failed",
            attempts=6,
            created_at=now,
            next_attempt_at=now,
            last_error="SMTPDataError: (451, b'4.3.0 Try again later')",
        )
    )
    session.commit()
    login_in_browser(page, live_server.url, admin.email, PASSWORD)
    page.goto(f"{live_server.url}/admin/emails")
    assert "Failed" in page.locator("tbody tr").first.inner_text()
    screenshot(page, "escalation-outbox")
    assert_accessible(page, "outbox")
    page.get_by_role("button", name="Try again").click()
    page.wait_for_load_state("domcontentloaded")
    assert "will be tried again" in page.get_by_role("status").first.inner_text()

    page.goto(f"{live_server.url}/admin/settings/escalation")
    page.get_by_label("No contact: days", exact=True).fill("0")
    page.get_by_role("button", name="Save thresholds").click()
    page.wait_for_load_state("domcontentloaded")
    assert "must be between 1 and 365" in page.get_by_role("alert").inner_text()
    screenshot(page, "escalation-settings-errors")
    assert_accessible(page, "thresholds with errors")
