"""The page's figures by month: the same as ``summarise`` over each month, in five statements."""

from __future__ import annotations

from datetime import date

from flask import Flask

from app.extensions import SessionLike
from app.reports.monthly import by_month
from app.reports.periods import Period, months
from app.reports.summary import summarise
from app.scope import visible_cases
from tests.factories import NOW
from tests.helpers import StatementCounter
from tests.reports import service


def _picked(figures: dict) -> dict:
    return {
        "referrals": {"total": figures["referrals"]["total"]},
        "matches": {"new": figures["matches"]["new"]},
        "parents_supported": figures["parents_supported"],
        "contacts": {"successful": figures["contacts"]["successful"]},
        "flags": {"raised": figures["flags"]["raised"]},
    }


def test_each_month_is_the_summary_of_that_month(app: Flask, session: SessionLike) -> None:
    known = service.build(session)
    parts = months(Period(date(2026, 8, 15), date(2026, 11, 30)))  # a part month, then whole
    for area_id, scope in (
        (None, None),
        (known.north_id, None),
        (None, visible_cases(known.coordinator)),
    ):
        got = by_month(session, parts, area_id=area_id, scope=scope)
        assert [part for part, _ in got] == parts
        expected = [
            _picked(summarise(session, period=part, area_id=area_id, scope=scope, now=NOW))
            for part in parts
        ]
        assert [figures for _, figures in got] == expected
    everything = [figures for _, figures in by_month(session, parts)]
    assert sum(f["referrals"]["total"] for f in everything) > 0  # the service has history
    assert sum(f["contacts"]["successful"] for f in everything) > 0


def test_five_statements_for_a_year(
    app: Flask, session: SessionLike, count_statements: StatementCounter
) -> None:
    service.build(session)
    year = months(Period(date(2026, 1, 1), date(2026, 12, 31)))
    with count_statements() as statements:
        by_month(session, year)
    assert len(statements) == 5
    assert by_month(session, []) == []
