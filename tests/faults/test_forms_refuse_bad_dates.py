"""Issue 9, item 1: no form takes an implausible date (9999-12-31, 0001-01-01, …).

Every date field on every form goes through one validator (``app.forms.PlausibleDate``
over ``app.dates``), with "today" the request's ``app.web.now()`` (pinned here to NOW,
Mon 2 Nov 2026), so each form re-renders with a plain message and stores nothing; and the
same form with a plausible date is accepted (so the refusal is the date's, not the form's).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import AuditEvent, CheckIn, Parent, VolunteerProfile
from tests.cases.conftest import World
from tests.helpers import csrf_token, login

BAD_DATES = ["9999-12-31", "0001-01-01", "2028-01-01", "1900-01-01"]


class FormDefaults(HTMLParser):
    """The values each POST form on a page would send as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self.data: dict[str, Any] = {}
        self.in_form = False
        self.select: str | None = None
        self.first_option: str | None = None
        self.textarea: str | None = None

    def add(self, name: str, value: str, multi: bool = False) -> None:
        if multi:
            self.data.setdefault(name, []).append(value)
        else:
            self.data[name] = value

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.in_form, self.data = True, {}
            self.forms.append(self.data)
        if not self.in_form or ("name" not in a and tag not in ("option",)):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.add(a["name"], a.get("value", "y"), multi=kind == "checkbox")
            elif kind not in ("submit", "button"):
                self.add(a["name"], a.get("value", ""))
        elif tag == "select":
            self.select, self.first_option = a["name"], None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.add(self.select, a.get("value", ""))
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select:
            self.data.setdefault(self.select, self.first_option or "")
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False


def defaults(client: FlaskClient, url: str, field: str) -> dict[str, Any]:
    """What the page's form with ``field`` would send as it stands."""
    parser = FormDefaults()
    parser.feed(client.get(url).get_data(as_text=True))
    return next(form for form in parser.forms if field in form)


def rows(session: SessionLike) -> tuple[int, ...]:
    session.expire_all()
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Parent, CheckIn, AuditEvent)
    )


def check_form(
    client: FlaskClient,
    session: SessionLike,
    url: str,
    fill: dict[str, Any],
    field: str,
    good: str,
    message: str,
    suffix: str = "",
) -> None:
    base = {**defaults(client, url, field), **fill}
    for bad in BAD_DATES:
        html_page = client.get(url).get_data(as_text=True)  # (a GET may audit the viewing)
        before = rows(session)
        data = {**base, field: bad + suffix, "csrf_token": csrf_token(html_page)}
        response = client.post(url, data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (url, field, bad, response.status_code)
        assert message in html, (url, field, bad, html[:2000])
        assert rows(session) == before, (url, field, bad)
    html_page = client.get(url).get_data(as_text=True)
    accepted = client.post(
        url, data={**base, field: good + suffix, "csrf_token": csrf_token(html_page)}
    )
    assert accepted.status_code == 302, (url, field, good, base, _errors(accepted))


def _errors(response: Any) -> list[str]:
    import re

    return re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)<', response.get_data(as_text=True))


REFERRAL = {
    "first_name": "Lena",
    "phone": "07700 900555",
    "languages": "en",
    "consent_on": "2026-11-01",
    "consent_method": "verbal",
}


@pytest.mark.parametrize(
    ("field", "good", "message"),
    [
        (
            "due_date",
            "2027-03-01",
            "Enter a due date between 2 November 2025 and 2 September 2027.",
        ),
        ("birth_date", "2026-10-20", "Enter a date of birth between 2 November 2023 and today."),
        ("consent_on", "2026-11-02", "Enter the date consent was given between"),
    ],
)
def test_coordinator_referral_and_parent_edit_refuse_implausible_dates(
    client: FlaskClient, session: SessionLike, world: World, field: str, good: str, message: str
) -> None:
    login(client, world.coordinator.email)
    fill = {**REFERRAL, "area": str(world.area.id), "owner": str(world.coordinator.id)}
    check_form(client, session, "/referrals/new", fill, field, good, message)
    check_form(client, session, f"/cases/{world.alice_case.id}/parent", {}, field, good, message)


@pytest.mark.parametrize(
    ("field", "good", "message"),
    [
        ("due_date", "2027-03-01", "Enter a due date between"),
        ("birth_date", "2026-10-20", "Enter a date of birth between"),
    ],
)
def test_self_referral_refuses_implausible_dates(
    client: FlaskClient, session: SessionLike, world: World, field: str, good: str, message: str
) -> None:
    fill = {
        "first_name": "Priya",
        "phone": "07700 900123",
        "area": str(world.area.id),
        "consent": "y",
        "website": "",
    }
    check_form(client, session, "/refer", fill, field, good, message)


def test_checkin_refuses_an_implausible_day(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.alice.email)
    fill = {"mode": "phone", "successful": "yes", "wellbeing": "4", "action": "draft"}
    check_form(
        client,
        session,
        f"/cases/{world.alice_case.id}/checkins/new",
        fill,
        "occurred_at",
        "2026-11-02",
        "Enter a date between 2 November 2021 and today.",
        suffix="T09:00",
    )


@pytest.mark.parametrize(
    ("field", "good", "message"),
    [
        ("dbs_checked_on", "2025-01-05", "Enter a date between 1 January 1900 and today."),
        ("dbs_expires_on", "2028-01-05", "Enter an expiry date between 1 January 1900 and"),
        ("training_completed_on", "2025-01-10", "Enter a date between 1 January 1900 and today."),
    ],
)
def test_volunteer_profile_refuses_implausible_dates(
    app: Flask,
    client: FlaskClient,
    session: SessionLike,
    world: World,
    field: str,
    good: str,
    message: str,
) -> None:
    login(client, world.coordinator.email)
    url = f"/volunteers/{world.alice.id}/edit"
    global BAD_DATES
    bad = BAD_DATES
    try:
        BAD_DATES = ["9999-12-31", "0001-01-01", *(["2037-01-01"] if "expires" in field else [])]
        check_form(client, session, url, {}, field, good, message)
    finally:
        BAD_DATES = bad
    stored = session.scalar(
        select(getattr(VolunteerProfile, field)).where(VolunteerProfile.user_id == world.alice.id)
    )
    assert stored is not None and stored.isoformat() == good


def test_audit_filter_refuses_implausible_dates(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.admin.email)
    for bad in ("9999-12-31", "0001-01-01"):
        response = client.get(f"/admin/audit?date_from={bad}&date_to={bad}")
        assert response.status_code == 200, response.status_code
        assert "Enter a date between 1 January 1900 and 31 December 2200." in response.get_data(
            as_text=True
        )


def test_a_postnatal_parents_old_due_date_is_history_and_accepted(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    """With a birth recorded, a due date 20 months back is the past, not a mistake: the
    parent's details still save (and a due date with no birth that far back does not)."""
    login(client, world.coordinator.email)
    url = f"/cases/{world.alice_case.id}/parent"
    base = defaults(client, url, "due_date")
    html_page = client.get(url).get_data(as_text=True)
    alone = {
        **base,
        "due_date": "2025-03-01",
        "birth_date": "",
        "csrf_token": csrf_token(html_page),
    }
    refused = client.post(url, data=alone)
    assert refused.status_code == 200
    assert "Enter a due date between 2 November 2025 and 2 September 2027." in (
        refused.get_data(as_text=True)
    )
    html_page = client.get(url).get_data(as_text=True)
    born = {**alone, "birth_date": "2025-02-20", "csrf_token": csrf_token(html_page)}
    assert client.post(url, data=born).status_code == 302
    ancient = {**born, "due_date": "2022-01-01", "csrf_token": csrf_token(html_page)}
    refused = client.post(url, data=ancient)
    assert "Enter a due date between 2 November 2022 and 2 September 2027." in (
        refused.get_data(as_text=True)
    )
