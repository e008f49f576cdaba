"""The report sends the same statements whatever the number of cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.extensions import SessionLike
from app.models import EscalationFlag
from app.reports.periods import Period
from app.reports.summary import summarise
from tests.factories import (
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_volunteer,
)
from tests.helpers import StatementCounter

OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))


def _add_cases(session: SessionLike, how_many: int) -> int:
    area = make_area(session)
    volunteer = make_volunteer(session, area=area)
    for i in range(how_many):
        day = date(2026, 10, 1) + timedelta(days=i % 28)
        case = make_case(
            session, make_parent(session, area=area, referred_on=day, ethnic_group="white_irish")
        )
        start = datetime(2026, 10, 2, 9, 0, tzinfo=UTC) + timedelta(days=i % 27)
        make_assignment(session, case, volunteer, started_at=start)
        for k in range(2):
            make_checkin(
                session,
                case,
                volunteer,
                occurred_at=start + timedelta(hours=k + 1),
                wellbeing=2 + k,
            )
        flag = EscalationFlag(case_id=case.id, rule="SELF_HARM", severity="urgent")
        flag.status, flag.raised_at = "acknowledged", start
        flag.acknowledged_at = start + timedelta(minutes=i + 1)
        session.add(flag)
        case.status, case.closed_at, case.close_reason = (
            "closed",
            start + timedelta(days=1),
            "other",
        )
    session.flush()
    return area.id


def _count(session: SessionLike, count_statements: StatementCounter, area_id: int | None) -> int:
    with count_statements() as statements:
        summarise(session, period=OCTOBER, area_id=area_id, now=datetime(2026, 11, 2, tzinfo=UTC))
    return len(statements)


def test_the_statement_count_does_not_grow_with_the_cases(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    area_id = _add_cases(session, 3)
    few = _count(session, count_statements, None), _count(session, count_statements, area_id)
    _add_cases(session, 30)
    many = _count(session, count_statements, None), _count(session, count_statements, area_id)
    assert few == many
    assert many[0] <= 15, many
    figures = summarise(session, period=OCTOBER, now=datetime(2026, 11, 2, tzinfo=UTC))
    assert figures["referrals"]["total"] == 33
    assert figures["wellbeing"]["improved"] == 33
