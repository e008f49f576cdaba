"""An admin imports spreadsheets through a real browser: problems first, then success."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

from app.background import run_next_job
from app.extensions import SessionLike
from tests.browser import LiveServer, login_in_browser, screenshot
from tests.factories import PASSWORD, make_user
from tests.helpers import assert_accessible
from tests.spreadsheets.data import COORDINATOR, GOOD, replace, table_counts, write_dir

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_admin_fixes_a_file_and_imports(
    app: Flask,
    live_server: LiveServer,
    page: Page,
    phone_page: Page,
    session: SessionLike,
    tmp_path: Path,
    phone: bool,
) -> None:
    browser_page = phone_page if phone else page
    admin = make_user(session, "admin", first_name="Ada")
    make_user(session, "coordinator", email=COORDINATOR)
    session.commit()
    broken = dict(GOOD)
    broken["checkins.csv"] = replace(GOOD["checkins.csv"], "yes,2,3,", "yes,7,3,")
    broken["parents.csv"] = replace(GOOD["parents.csv"], "2026-10-01,2026-10-01", "1/10/26,")
    bad_dir = write_dir(tmp_path / "bad", dict(broken))
    good_dir = write_dir(tmp_path / "good", dict(GOOD))
    suffix = "phone" if phone else "desktop"

    login_in_browser(browser_page, live_server.url, admin.email, PASSWORD)
    browser_page.get_by_role("link", name="Import").first.click()
    assert browser_page.get_by_role("heading", name="Import spreadsheets").is_visible()
    browser_page.locator("summary", has_text="parents.csv").click()  # the column help
    assert browser_page.get_by_role("cell", name="coordinator_email").is_visible()
    screenshot(browser_page, f"spreadsheets-import-{suffix}")
    browser_page.locator("summary", has_text="parents.csv").click()

    for label, name in [
        ("Volunteers", "volunteers.csv"),
        ("Parents", "parents.csv"),
        ("Assignments", "assignments.csv"),
        ("Check-ins", "checkins.csv"),
    ]:
        browser_page.get_by_label(label).set_input_files(str(bad_dir / name))
    before = table_counts(session)
    browser_page.get_by_role("button", name="Check and import").click()
    # the upload only queues the job: its page waits, then refreshes itself to the result
    assert "Waiting to start" in browser_page.get_by_role("status").inner_text()
    screenshot(browser_page, f"spreadsheets-job-waiting-{suffix}")
    assert_accessible(browser_page, "import waiting", strict=True)
    assert run_next_job(app) is not None
    alert = browser_page.get_by_role("alert")
    text = alert.inner_text()
    assert "Nothing was imported: 2 problems to fix" in text
    assert (
        'parents.csv:2: referred_on: "1/10/26" needs the year in full: write it as '
        "YYYY-MM-DD or DD/MM/YYYY, like 2026-11-02 or 02/11/2026" in text
    )
    assert "checkins.csv:3: wellbeing: 7 is out of range: it must be from 1 to 5" in text
    screenshot(browser_page, f"spreadsheets-problems-{suffix}")
    assert_accessible(browser_page, "import problems", strict=True)
    # nothing imported: only the queued job and the audit of the upload are new
    queued = {"background_jobs", "audit_events"}
    after = table_counts(session)
    assert {k: v for k, v in after.items() if k not in queued} == {
        k: v for k, v in before.items() if k not in queued
    }

    browser_page.get_by_role("link", name="Upload the corrected files").click()
    for label, name in [("Parents", "parents.csv"), ("Check-ins", "checkins.csv")]:
        browser_page.get_by_label(label).set_input_files(str(good_dir / name))
    for label, name in [("Volunteers", "volunteers.csv"), ("Assignments", "assignments.csv")]:
        browser_page.get_by_label(label).set_input_files(str(good_dir / name))
    browser_page.get_by_role("button", name="Check and import").click()
    browser_page.get_by_role("status").filter(has_text="Waiting to start").wait_for()
    assert run_next_job(app) is not None
    status = browser_page.get_by_role("status").filter(has_text="Imported")
    assert "Imported 3 new volunteers" in status.inner_text()
    assert_accessible(browser_page, "import done", strict=True)
    screenshot(browser_page, f"spreadsheets-imported-{suffix}")
    assert table_counts(session)["checkins"] == 6


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_admin_exports_and_downloads_the_zip(
    app: Flask,
    live_server: LiveServer,
    page: Page,
    phone_page: Page,
    session: SessionLike,
    phone: bool,
) -> None:
    browser_page = phone_page if phone else page
    admin = make_user(session, "admin", first_name="Ada")
    session.commit()
    suffix = "phone" if phone else "desktop"
    login_in_browser(browser_page, live_server.url, admin.email, PASSWORD)
    browser_page.goto(f"{live_server.url}/admin/import")
    browser_page.get_by_role("button", name="Prepare the download (.zip)").click()
    assert "Waiting to start" in browser_page.get_by_role("status").inner_text()
    assert run_next_job(app) is not None
    # the page updates itself: the counts, then the download button
    button = browser_page.get_by_role("button", name="Download the export (.zip)")
    button.wait_for()
    assert "Exported 0 rows in volunteers.csv" in browser_page.get_by_role("status").inner_text()
    screenshot(browser_page, f"spreadsheets-export-ready-{suffix}")
    assert_accessible(browser_page, "export ready", strict=True)
    with browser_page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename.startswith("corner-export-")
    assert download.value.suggested_filename.endswith(".zip")
