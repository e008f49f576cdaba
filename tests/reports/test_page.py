"""The reports page: every chart and table with the hand-counted figures, for the admin (every
case) and for a coordinator (her areas' cases only); volunteers refused; bad input re-rendered."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.reports.tables import TABLE_KEYS
from tests.factories import NOW
from tests.helpers import StatementCounter, login
from tests.reports import service
from tests.reports.html_tables import read

SECTIONS = [
    "Referrals",
    "Matches",
    "Parents supported",
    "Contacts",
    "Cases closed",
    "Concerns raised",
    "Volunteers",
    "Wellbeing",
    "Who we reach",
]


@pytest.fixture
def known(app: Flask, session: SessionLike) -> service.Known:
    app.config["CORNER_NOW"] = NOW
    return service.build(session)


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _page(client: FlaskClient, **query: str) -> str:
    response = client.get("/reports", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def _check(tables: dict[str, dict[str, str]], expected: dict[str, dict[str, str]]) -> None:
    for key, rows in expected.items():
        assert key in tables, f"no table {key}"
        for label, value in rows.items():
            assert tables[key].get(label) == value, f"{key}: {label}"


def test_the_admin_sees_every_chart_and_table_with_the_known_figures(
    app: Flask, known: service.Known
) -> None:
    html = _page(_client(app, known.admin.email), **service.QUERY)
    tables, charts = read(html)
    _check(tables, service.ADMIN)
    assert "1 September to 31 October 2026" in html and "All areas" in html
    for title in SECTIONS:
        assert f">{title}" in html
    # every table with a chart has its chart, described with the same figures
    key_figures = {"matches", "parents-supported", "contacts", "flags"}
    assert set(charts) == set(tables) - key_figures == TABLE_KEYS - key_figures
    assert charts["referrals-by-month"] == (
        "Referrals by month. September 2026: 2; October 2026: 2."
    )
    assert "Midwife: 2" in charts["referrals-by-source"]
    # a long list of kinds draws only those there are, and says so
    assert charts["flags-by-rule"].startswith(
        "Flags raised by kind. Low mood or anxiety: 1; No contact for a while: 1."
    )
    assert "left out of the chart" in charts["flags-by-rule"]
    # names, never codes
    for code in ("white_british", "LOW_MOOD", "in_person", "parent_declined", "25_34"):
        assert code not in html.replace('id="t-', "")
    assert "fewer than 5" in html  # the rule is said beside the downloads


def test_a_coordinator_counts_only_the_cases_she_may_see(app: Flask, known: service.Known) -> None:
    html = _page(_client(app, known.coordinator.email), **service.QUERY)
    tables, _ = read(html)
    _check(tables, service.NORTH)
    assert "Self-referral" not in tables["referrals-by-source"]
    assert "All your areas" in html
    # she may not choose an area that is not hers
    response = _client(app, known.coordinator.email).get(
        "/reports", query_string={**service.QUERY, "area": str(known.south_id)}
    )
    assert response.status_code == 400
    assert "Choose one of the areas listed" in response.get_data(as_text=True)


def test_the_admin_chooses_one_area(app: Flask, known: service.Known) -> None:
    html = _page(_client(app, known.admin.email), **service.QUERY, area=str(known.south_id))
    tables, _ = read(html)
    assert tables["referrals-by-source"] == {"Self-referral": "1", "Total": "1"}
    assert "1 September to 31 October 2026 · South" in " ".join(html.split())


def test_a_preset_period(app: Flask, known: service.Known) -> None:
    # NOW is 2 November 2026: last month is October
    html = _page(_client(app, known.admin.email), period="last_month")
    tables, _ = read(html)
    assert tables["referrals-by-month"] == {"October 2026": "2", "Total": "2"}
    assert "1 to 31 October 2026" in html


def test_volunteers_may_not_see_reports(app: Flask, known: service.Known) -> None:
    client = _client(app, known.volunteer.email)
    for url in ("/reports", "/reports/referrals-by-month.csv", "/reports/report.xlsx"):
        assert client.get(url).status_code == 403, url
    assert app.test_client().get("/reports").status_code == 302  # anonymous: the login page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-10-31", "to": "2026-09-01"}, "The end date must be the same as or after"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "The start date must be a real date"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "The start date must be a real date"),
        ({"from": "0001-01-01", "to": "2026-01-01"}, "The start date must be a real date"),
        ({"period": "dates", "from": "", "to": "2026-01-01"}, "Enter the start date"),
        ({"period": "fortnight"}, "Choose one of the periods listed"),
        ({"period": "last_month", "area": "x" * 5000}, "Choose one of the areas listed"),
        ({"period": "last_month", "area": "99999999999999999999"}, "Choose one of the areas"),
    ],
)
def test_bad_input_shows_the_form_again_with_the_problem(
    app: Flask, known: service.Known, query: dict[str, str], message: str
) -> None:
    client = _client(app, known.admin.email)
    response = client.get("/reports", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert 'id="t-' not in html  # no figures for a question not understood
    for url in ("/reports/referrals-by-source.csv", "/reports/report.xlsx"):
        assert client.get(url, query_string=query).status_code == 400


def test_the_navigation_links_staff_to_reports(app: Flask, known: service.Known) -> None:
    for user in (known.admin, known.coordinator):
        html = _client(app, user.email).get("/").get_data(as_text=True)
        assert 'href="/reports"' in html
    volunteer_home = _client(app, known.volunteer.email).get("/").get_data(as_text=True)
    assert 'href="/reports"' not in volunteer_home


def test_the_statements_grow_neither_with_the_months_nor_with_the_cases(
    app: Flask, session: SessionLike, known: service.Known, count_statements: StatementCounter
) -> None:
    client = _client(app, known.admin.email)
    with count_statements() as before:
        _page(client, **service.QUERY)
    service.build(session, " again")  # as many cases again, in two more areas
    with count_statements() as after:
        _page(client, **service.QUERY)
    assert len(after) == len(before)
    with count_statements() as three_months:
        _page(client, **{"from": "2026-08-01", "to": "2026-10-31"})
    assert len(three_months) == len(before)
