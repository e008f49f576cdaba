"""Every page of every role fits a phone: nothing wider than 390 px, axe clean, big tap targets.

One seeded app (the demo service, so lists are long and names real), one browser. The pages
are derived from ``app.url_map``: each GET route the role may use, with the ids of seeded
records put in; a route that cannot be opened this way is listed in ``NOT_VISITED`` with the
reason, and a new route with an argument this walk does not know fails the test until it is
given an id here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from app.auth.access import PUBLIC, access_rule
from app.auth.reset import request_password_reset
from app.auth.service import issue_invitation
from app.demo import vocab
from app.demo.build import build_demo
from app.escalation.scan import run_scan
from app.extensions import SessionLike
from app.matching.planning import propose
from app.models import (
    Assignment,
    BackgroundJob,
    Case,
    CaseStatus,
    CheckIn,
    CheckInStatus,
    EscalationFlag,
    OutboxEmail,
    User,
)
from app.scope import visible_cases
from tests.browser import ARTIFACTS, DESKTOP, LiveServer, login_in_browser
from tests.factories import NOW, make_checkin, make_user
from tests.helpers import assert_accessible

pytestmark = pytest.mark.browser

PHONE = 390
SMALL_PHONE = 320
STAFF = ("coordinator", "admin")
TABLET = 700  # between the two widths where tables stack (40rem and 60rem)

#: GET routes the walk does not open, and why (POST-only routes are left out by their methods).
NOT_VISITED = {
    "static": "files (the stylesheet, scripts), not pages",
    "main.favicon": "the site's icon, an image, not a page",
    "health.healthz": "the health check for monitors, JSON, not a page",
    "reports.table_download": "a CSV file of one report table, a download, not a page",
    "reports.workbook_download": "the report as an .xlsx workbook, a download, not a page",
}

#: A few key pages checked again on the smallest phone in use and on a small tablet.
KEY_PAGES = {
    "volunteer": ["matching.my_profile", "cases.my_parents", "cases.case_detail"],
    "coordinator": [
        "cases.waiting_list",
        "escalation.inbox",
        "matching.volunteer_list",
        "matching.plan",
        "cases.case_detail",
        "reports.report",
    ],
    "admin": ["admin.users", "escalation.outbox", "admin.audit_log"],
}

#: Screenshots at 390 px (in tests/artifacts/), to look at.
SCREENSHOTS = {
    ("coordinator", "cases.waiting_list"),
    ("coordinator", "escalation.inbox"),
    ("coordinator", "matching.volunteer_list"),
    ("coordinator", "cases.case_detail"),
    ("coordinator", "matching.plan"),
    ("coordinator", "reports.report"),
    ("volunteer", "matching.my_profile"),
    ("volunteer", "cases.case_detail"),
    ("admin", "admin.users"),
    ("admin", "escalation.outbox"),
    ("admin", "admin.audit_log"),
    ("anonymous", "rights.notice"),
    ("admin", "rights.notice_edit"),
    ("admin", "erasure.erase"),
    ("admin", "spreadsheets.job_page"),
    ("admin", "erasure.privacy_settings_page"),
    ("coordinator", "erasure.consent_withdrawn"),
}

# Every link, button and field at least 24 x 24 px (WCAG 2.5.8), but a link inside a sentence.
SMALL_TARGETS_JS = """() => {
  const small = [];
  const targets = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(targets)) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.bottom <= 0) continue;
    const inline = getComputedStyle(el).display === 'inline';
    if (inline && el.closest('p, li, dd, dt, .hint, .muted, label, legend')) continue;
    if (box.width < 24 || box.height < 24) {
      const text = (el.innerText || el.value || el.name || '').trim().split('\\n')[0];
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${el.tagName.toLowerCase()} "${text.slice(0, 40)}" ${size}`);
    }
  }
  return small;
}"""

# A box that scrolls sideways hides part of the page off-screen: none may, on a phone.
CLIPPED_JS = """() => {
  const clipped = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.matches('input, select, textarea') || el.clientWidth <= 1) continue;
    const overflow = getComputedStyle(el).overflowX;
    if (!['auto', 'scroll', 'hidden'].includes(overflow)) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const name = `${el.tagName.toLowerCase()}.${el.className}`;
      clipped.push(`${name} ${el.scrollWidth}>${el.clientWidth}`);
    }
  }
  return clipped;
}"""


@dataclass
class Seeded:
    """Who logs in, and which ids go into the URLs (per role; per endpoint where it matters)."""

    emails: dict[str, str]
    ids: dict[str, dict[str, Any]]
    endpoint_ids: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    #: pages opened a second time with other ids (a waiting parent's case page, say)
    also: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def args(self, role: str, endpoint: str, arguments: set[str]) -> dict[str, Any]:
        chosen = {**self.ids[role], **self.endpoint_ids.get((role, endpoint), {})}
        missing = arguments - set(chosen)
        assert not missing, f"{endpoint}: give the walk an id for {sorted(missing)} ({role})"
        return {name: chosen[name] for name in arguments}


def _seed(session: SessionLike) -> Seeded:
    """The demo service, today's flags, a failed email, an invitation and a draft check-in."""
    build_demo(session, NOW)
    run_scan(session, NOW)
    session.flush()
    volunteer = session.scalars(select(User).where(User.email == vocab.VOLUNTEER_EMAIL)).one()
    coordinator = session.scalars(select(User).where(User.email == vocab.COORDINATOR_EMAIL)).one()
    admin = session.scalars(select(User).where(User.email == vocab.ADMIN_EMAIL)).one()
    area_ids = [area.id for area in coordinator.areas]
    own_case = session.scalars(
        select(Case)
        .join(Assignment, Assignment.case_id == Case.id)
        .where(Assignment.volunteer_id == volunteer.id, Assignment.ended_at.is_(None))
        .order_by(Case.id)
    ).first()
    assert own_case is not None and own_case.area_id in area_ids
    submitted = session.scalars(
        select(CheckIn)
        .where(CheckIn.case_id == own_case.id, CheckIn.status == CheckInStatus.SUBMITTED.value)
        .order_by(CheckIn.id)
    ).first()
    assert submitted is not None
    draft = make_checkin(session, own_case, volunteer, status="draft", submitted_at=None)
    # an urgent concern: the page after it, with the duty phone
    urgent = make_checkin(session, own_case, volunteer, concerns=["safeguarding"])
    # a waiting parent someone can be offered to: the suggestions page shows a suggestion
    plan = propose(session, NOW, visible_cases(coordinator))
    assert plan.pairs, "the demo should leave someone to match"
    waiting = session.get(Case, plan.pairs[0].case_id)
    match = plan.pairs[0].volunteer_id
    flag = session.scalars(
        select(EscalationFlag)
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(Case.area_id.in_(area_ids))
        .order_by(EscalationFlag.id)
    ).first()
    assert waiting is not None and waiting.status == CaseStatus.WAITING and flag is not None
    # a closed case: its erase page has the whole form (an open case's says close it first)
    closed = session.scalars(
        select(Case)
        .where(Case.status == CaseStatus.CLOSED.value, Case.area_id.in_(area_ids))
        .order_by(Case.id)
    ).first()
    assert closed is not None
    invited = make_user(session, "coordinator", password=None, areas=coordinator.areas)
    token = issue_invitation(session, NOW, invited, admin)
    reset_token = request_password_reset(session, NOW, volunteer)
    failed = OutboxEmail(
            message_id="<urgent_flag.phone@corner.test>", kind="urgent_flag",
            to_addrs=["north.duty@corner.demo"], subject="Urgent flag on a case",
            body_text="x", body_html="<p>x</p>", status="failed", attempts=4, created_at=NOW,
            next_attempt_at=NOW, last_error="ConnectionRefusedError: [Errno 111] refused",
        )  # fmt: skip
    session.add(failed)
    problems = [
        f"checkins.csv:{line}: volunteer_email: no volunteer has the email "
        f"someone.with.a.long.address{line}@example.org (neither in volunteers.csv nor in Corner)"
        for line in range(2, 40)
    ]
    failed_import = BackgroundJob(
        kind="import", status="failed", created_by_id=admin.id, created_at=NOW, started_at=NOW,
        finished_at=NOW, rows_checked=1234, input_files=["checkins.csv", "parents.csv"],
        result={"problems": problems, "more": 12},
    )  # fmt: skip
    running_import = BackgroundJob(
        kind="import", status="running", created_by_id=admin.id, created_at=NOW, started_at=NOW,
        phase="checked", rows_checked=120_000, input_files=["checkins.csv"],
    )  # fmt: skip
    session.add_all([failed_import, running_import])
    session.commit()

    staff = {
        "case_id": own_case.id,
        "checkin_id": submitted.id,
        "flag_id": flag.id,
        "user_id": volunteer.id,
        "volunteer_id": volunteer.id,
        "area_id": area_ids[0],
        "email_id": failed.id,
        "job_id": failed_import.id,
    }
    waiting_case: dict[str, Any] = {"case_id": waiting.id, "volunteer_id": match}
    endpoint_ids: dict[tuple[str, str], dict[str, Any]] = {
        (role, endpoint): waiting_case
        for role in STAFF
        for endpoint in ("matching.suggestions", "matching.assign", "matching.decline")
    }
    endpoint_ids[("volunteer", "cases.checkin_edit")] = {"checkin_id": draft.id}
    endpoint_ids[("volunteer", "cases.checkin_alerted")] = {"checkin_id": urgent.id}
    endpoint_ids[("anonymous", "auth.reset_password_page")] = {"token": reset_token}
    endpoint_ids[("volunteer", "cases.checkin_delete")] = {"checkin_id": draft.id}
    return Seeded(
        emails={
            "volunteer": volunteer.email,
            "coordinator": coordinator.email,
            "admin": admin.email,
        },
        ids={
            "anonymous": {"token": token},
            "volunteer": {"case_id": own_case.id, "checkin_id": submitted.id},
            "coordinator": staff,
            "admin": staff,
        },
        endpoint_ids=endpoint_ids,
        also={
            "coordinator": [("cases.case_detail", {"case_id": waiting.id})],
            "admin": [
                ("cases.case_detail", {"case_id": waiting.id}),
                ("erasure.erase", {"case_id": closed.id}),
                ("spreadsheets.job_page", {"job_id": running_import.id}),
            ],
        },
    )


def _pages(app: Flask, seeded: Seeded, role: str) -> list[tuple[str, str]]:
    """(endpoint, path) of every GET page this role may open, from the URL map."""
    adapter = app.url_map.bind("localhost")
    pages = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint in NOT_VISITED:
            continue
        access = access_rule(app.view_functions[rule.endpoint])
        if role == "anonymous" and access != PUBLIC:
            continue
        if role != "anonymous" and (access == PUBLIC or role not in (access or ())):
            continue
        args = seeded.args(role, rule.endpoint, set(rule.arguments))
        pages.append((rule.endpoint, adapter.build(rule.endpoint, args)))
    pages += [
        (endpoint, adapter.build(endpoint, args)) for endpoint, args in seeded.also.get(role, [])
    ]
    return pages


def _check(page: Page, base: str, path: str, width: int, where: str) -> list[str]:
    """Open the page; what is wrong with it on a screen this wide (axe failures raise)."""
    response = page.goto(f"{base}{path}")
    assert response is not None
    problems = []
    if response.status != 200 or not page.url.endswith(path):
        problems.append(f"{where}: {response.status} at {page.url} (expected the page itself)")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    if page_width > width:
        problems.append(f"{where}: {page_width} px wide")
    problems += [f"{where}: scrolls sideways: {box}" for box in page.evaluate(CLIPPED_JS)]
    small = page.evaluate(SMALL_TARGETS_JS)
    if small:
        more = f" and {len(small) - 3} more" if len(small) > 3 else ""
        problems.append(f"{where}: tap targets under 24 px: {'; '.join(small[:3])}{more}")
    return problems


def _axe(page: Page, where: str) -> list[str]:
    """axe-core's serious and critical problems (target size included), as a list."""
    try:
        assert_accessible(page, where, rules={"target-size": {"enabled": True}})
    except AssertionError as problem:
        return [str(problem)]
    return []


def test_every_page_of_every_role_fits_a_phone(
    app: Flask, live_server: LiveServer, browser: Browser, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    seeded = _seed(session)
    base = live_server.url
    problems: list[str] = []
    axed: set[str] = set()
    visited: dict[str, list[str]] = {}
    for role in ("anonymous", "volunteer", "coordinator", "admin"):
        context = browser.new_context(viewport={"width": PHONE, "height": 844})
        context.set_default_timeout(10_000)
        page = context.new_page()
        try:
            if role != "anonymous":
                login_in_browser(page, base, seeded.emails[role], vocab.DEMO_PASSWORD)
                assert page.url == f"{base}/", f"{role} could not log in"
            pages = _pages(app, seeded, role)
            axed_again = set(pages[len(pages) - len(seeded.also.get(role, [])) :])
            visited[role] = [endpoint for endpoint, _ in pages]
            for endpoint, path in pages:
                where = f"{role} {path}"
                problems += _check(page, base, path, PHONE, where)
                # axe takes a second a page: once per page, as the first role to open it
                # sees it (an admin's view of a coordinator's page adds a column at most);
                # a page opened again with other ids is another page
                again = (endpoint, path) in axed_again
                if (path if again else endpoint) not in axed:
                    problems += _axe(page, where)
                    axed.add(path if again else endpoint)
                if (role, endpoint) in SCREENSHOTS:  # the first screenful, to look at
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    name = f"phone-{role}-{endpoint.replace('.', '-')}.png"
                    page.screenshot(path=str(ARTIFACTS / name))
            for width in (SMALL_PHONE, TABLET):
                page.set_viewport_size({"width": width, "height": 800})
                for endpoint, path in pages:
                    if endpoint in KEY_PAGES.get(role, []):
                        problems += _check(page, base, path, width, f"{role} {path} at {width} px")
            if role == "admin":  # on a desk the audit log is a table again: no scroll trap
                page.set_viewport_size(DESKTOP)
                page.goto(f"{base}/admin/audit")
                problems += _axe(page, "admin /admin/audit at 1280 px")
        finally:
            context.close()

    assert not problems, "\n".join(problems)
    # the walk reached the pages that matter (so a broken URL map or login shows here)
    assert {"matching.my_profile", "cases.checkin_new", "cases.checkin_edit"} <= set(
        visited["volunteer"]
    )
    assert {"cases.waiting_list", "matching.plan", "matching.assign"} <= set(visited["coordinator"])
    assert {"admin.audit_log", "admin.users", "escalation.outbox", "cases.waiting_list"} <= set(
        visited["admin"]
    )
    assert {"auth.login", "auth.accept", "rights.notice"} <= set(visited["anonymous"])
    assert "rights.notice_edit" in visited["admin"]
