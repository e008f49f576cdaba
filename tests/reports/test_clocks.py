"""Periods crossing the clocks changing count Europe/London days, not UTC ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.extensions import SessionLike
from app.reports.periods import Period
from app.reports.summary import summarise
from tests.factories import make_assignment, make_case, make_checkin, make_parent, make_volunteer


def _at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_march_the_clocks_go_forward(session: SessionLike, now: datetime) -> None:
    volunteer = make_volunteer(session)
    # referred 28 March; matched 23:30 UTC on 29 March = 00:30 BST on 30 March: 2 days
    case = make_case(session, make_parent(session, referred_on=date(2026, 3, 28)))
    make_assignment(session, case, volunteer, started_at=_at(2026, 3, 29, 23, 30))
    for when, minutes in [
        (_at(2026, 2, 28, 23, 30), 1),  # 28 Feb 23:30 GMT: February
        (_at(2026, 3, 1, 0, 0), 2),  # 1 March 00:00 GMT: March
        (_at(2026, 3, 29, 0, 30), 4),  # the night the clocks change: March
        (_at(2026, 3, 31, 22, 59), 8),  # 31 March 23:59 BST: March
        (_at(2026, 3, 31, 23, 0), 16),  # 1 April 00:00 BST: April
    ]:
        make_checkin(session, case, volunteer, occurred_at=when, duration_min=minutes * 60)
    march = summarise(session, period=Period(date(2026, 3, 1), date(2026, 3, 31)), now=now)
    assert march["contacts"]["successful"] == 3
    assert march["contacts"]["hours"] == 14.0  # 2 + 4 + 8
    assert march["matches"] == {"new": 1, "days_to_match_median": 2.0}
    april = summarise(session, period=Period(date(2026, 4, 1), date(2026, 4, 1)), now=now)
    assert april["contacts"]["hours"] == 16.0
    february = summarise(session, period=Period(date(2026, 2, 28), date(2026, 2, 28)), now=now)
    assert february["contacts"]["hours"] == 1.0


def test_october_the_clocks_go_back(session: SessionLike, now: datetime) -> None:
    volunteer = make_volunteer(session)
    case = make_case(session, make_parent(session, referred_on=date(2026, 10, 20)))
    # 23:30 UTC on 24 October, the last whole day of BST, is 00:30 on 25 October in London
    make_checkin(session, case, volunteer, occurred_at=_at(2026, 10, 24, 23, 30), mode="text")
    # 23:30 UTC on 25 October (GMT by then) is still 25 October
    make_checkin(session, case, volunteer, occurred_at=_at(2026, 10, 25, 23, 30), mode="video")
    # 00:30 UTC on 25 October, 01:30 BST, before the clocks go back at 02:00 BST
    make_checkin(session, case, volunteer, occurred_at=_at(2026, 10, 25, 0, 30), mode="phone")

    def modes(start: date, end: date) -> dict[str, int]:
        figures = summarise(session, period=Period(start, end), now=now)
        return {mode: n for mode, n in figures["contacts"]["by_mode"].items() if n}

    assert modes(date(2026, 10, 24), date(2026, 10, 24)) == {}
    assert modes(date(2026, 10, 25), date(2026, 10, 25)) == {"text": 1, "video": 1, "phone": 1}
    assert modes(date(2026, 10, 26), date(2026, 10, 26)) == {}
