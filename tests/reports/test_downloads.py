"""The report's downloads: a CSV of each table and the .xlsx workbook, read back, with the
equality counts from 1 to 4 hidden and every other figure exact."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from app.extensions import SessionLike
from app.reports.tables import TABLE_KEYS
from tests.factories import NOW, make_case, make_parent
from tests.helpers import login
from tests.reports import service


@pytest.fixture
def admin(app: Flask, session: SessionLike) -> FlaskClient:
    app.config["CORNER_NOW"] = NOW
    known = service.build(session)
    client = app.test_client()
    assert login(client, known.admin.email).status_code == 302
    return client


def _csv(client: FlaskClient, table: str, **query: str) -> list[list[str]]:
    response = client.get(f"/reports/{table}.csv", query_string={**service.QUERY, **query})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert f"corner-{table}-2026-09-01-to-2026-10-31" in disposition
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def test_each_table_downloads_as_csv(admin: FlaskClient) -> None:
    for table in TABLE_KEYS:
        rows = _csv(admin, table)
        assert len(rows[0]) == 2 and len(rows) >= 2, table
    assert _csv(admin, "referrals-by-source") == [
        ["Referral source", "Referrals"],
        ["Midwife", "2"],
        ["Health visitor", "1"],
        ["Self-referral", "1"],
        ["Total", "4"],
    ]
    assert _csv(admin, "contacts")[1:] == [
        ["Contacts that reached the parent", "3"],
        ["Attempts that did not", "1"],
        ["Hours of contact", "3.0"],
    ]


def test_equality_counts_from_1_to_4_leave_as_fewer_than_5(admin: FlaskClient) -> None:
    rows = {label: value for label, value in _csv(admin, "equality-ethnic-group")[1:]}
    assert rows["English, Welsh, Scottish, Northern Irish or British"] == "fewer than 5"
    assert rows["Indian"] == "fewer than 5"
    assert rows["Roma"] == "0"
    assert "Total" not in rows  # the hidden counts cannot be worked out from a total


def test_one_area_and_a_coordinators_view(app: Flask, admin: FlaskClient) -> None:
    south = _csv(admin, "referrals-by-source", area="2")
    assert south[1:] == [["Self-referral", "1"], ["Total", "1"]]
    assert admin.get("/reports/nothing.csv").status_code == 404
    assert admin.get("/reports/referrals-by-source.csv?from=zzz").status_code == 400


def test_the_workbook_reads_back(admin: FlaskClient) -> None:
    response = admin.get("/reports/report.xlsx", query_string=service.QUERY)
    assert response.status_code == 200
    assert str(response.mimetype).endswith("spreadsheetml.sheet")
    assert "corner-report-2026-09-01-to-2026-10-31.xlsx" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == [
        "About", "Referrals", "Matches", "Parents supported", "Contacts", "Cases closed",
        "Concerns raised", "Volunteers", "Wellbeing", "Who we reach",
    ]  # fmt: skip
    about = {row[0]: row[1] for row in book["About"].iter_rows(min_row=3, values_only=True)}
    assert about["Period"] == "1 September to 31 October 2026"
    assert about["From"] == "2026-09-01" and about["To"] == "2026-10-31"
    assert about["Area"] == "All areas"
    assert about["Generated at"] == "2026-11-02 10:00 GMT"
    assert "fewer than 5" in str(about["Small numbers"])

    referrals = list(book["Referrals"].iter_rows(values_only=True))
    start = referrals.index(("Referrals by referral source", None))
    assert referrals[start + 1] == ("Referral source", "Referrals")  # the header row
    assert referrals[start + 2 : start + 6] == [
        ("Midwife", 2),
        ("Health visitor", 1),
        ("Self-referral", 1),
        ("Total", 4),
    ]  # fmt: skip
    contacts = {row[0]: row[1] for row in book["Contacts"].iter_rows(values_only=True)}
    assert contacts["Hours of contact"] == 3.0
    reach = {row[0]: row[1] for row in book["Who we reach"].iter_rows(values_only=True)}
    assert reach["Indian"] == "fewer than 5" and reach["Roma"] == 0
    matches = {row[0]: row[1] for row in book["Matches"].iter_rows(values_only=True)}
    assert matches["Median days from referral to first match"] == 5


def test_a_referral_source_that_looks_like_a_formula_stays_text(
    session: SessionLike, admin: FlaskClient
) -> None:
    parent = make_parent(session, referral_source="=1+1", referred_on=date(2026, 9, 3))
    make_case(session, parent)
    session.commit()
    assert ["'=1+1", "1"] in _csv(admin, "referrals-by-source")
    response = admin.get("/reports/report.xlsx", query_string=service.QUERY)
    sheet = load_workbook(io.BytesIO(response.get_data()))["Referrals"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1"]
    assert cells and all(cell.data_type == "s" for cell in cells)
