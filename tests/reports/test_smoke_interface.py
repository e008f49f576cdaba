"""The report runs on an empty service and has every key (the full figures: test_summary)."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import Flask

from app.extensions import SessionLike
from app.reports.periods import Period
from app.reports.summary import summarise


def test_an_empty_service_reports_zeros(session: SessionLike, now: datetime) -> None:
    figures = summarise(session, period=Period(date(2026, 10, 1), date(2026, 10, 31)), now=now)
    assert figures["referrals"]["total"] == 0
    assert figures["matches"]["days_to_match_median"] is None
    assert figures["contacts"]["by_mode"] == {"phone": 0, "video": 0, "in_person": 0, "text": 0}


def test_the_cli_prints_json(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["reports", "summary", "--from", "2026-10-01", "--to", "2026-10-31", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["from"] == "2026-10-01"
