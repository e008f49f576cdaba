"""Stage: a pure function of the dates and today, and the same rule as SQL on both databases."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Parent
from app.stage import (
    Stage,
    is_birth_overdue,
    second_birthday,
    stage_on,
    two_years_before,
)
from app.stage_sql import stage_sql
from tests.factories import make_parent

DUE = date(2027, 3, 15)
BIRTH = date(2026, 6, 10)
DAY = timedelta(days=1)


# --------------------------------------------------------------------------- pregnancy → birth


def test_pregnancy_until_three_weeks_before_due_date() -> None:
    assert stage_on(DUE, None, DUE - timedelta(weeks=20)) == Stage.PREGNANCY
    assert stage_on(DUE, None, DUE - timedelta(days=22)) == Stage.PREGNANCY


def test_birth_stage_starts_exactly_three_weeks_before_due_date() -> None:
    assert stage_on(DUE, None, DUE - timedelta(days=21)) == Stage.BIRTH
    assert stage_on(DUE, None, DUE - timedelta(days=20)) == Stage.BIRTH
    assert stage_on(DUE, None, DUE) == Stage.BIRTH


# --------------------------------------------------------------------------- birth → postnatal


def test_birth_stage_until_two_weeks_after_birth() -> None:
    assert stage_on(None, BIRTH, BIRTH) == Stage.BIRTH
    assert stage_on(None, BIRTH, BIRTH + timedelta(days=13)) == Stage.BIRTH


def test_postnatal_from_two_weeks_after_birth() -> None:
    assert stage_on(None, BIRTH, BIRTH + timedelta(days=14)) == Stage.POSTNATAL
    assert stage_on(None, BIRTH, BIRTH + timedelta(days=15)) == Stage.POSTNATAL


def test_birth_date_wins_over_due_date() -> None:
    # Born early: the due date is still months away but the baby is here.
    early_due = BIRTH + timedelta(weeks=8)
    assert stage_on(early_due, BIRTH, BIRTH + DAY) == Stage.BIRTH
    assert stage_on(early_due, BIRTH, BIRTH + timedelta(days=14)) == Stage.POSTNATAL


def test_a_birth_recorded_before_the_birth_window_is_birth_not_pregnancy() -> None:
    # Today before the recorded birth date (a date typed in advance): still the birth stage.
    assert stage_on(DUE, DUE, DUE - timedelta(weeks=10)) == Stage.BIRTH


# --------------------------------------------------------------------------- postnatal → over


def test_postnatal_until_the_second_birthday() -> None:
    birthday = date(2028, 6, 10)
    assert second_birthday(BIRTH) == birthday
    assert stage_on(None, BIRTH, birthday - DAY) == Stage.POSTNATAL
    assert stage_on(None, BIRTH, birthday) == Stage.OVER
    assert stage_on(None, BIRTH, birthday + DAY) == Stage.OVER


def test_29_february_baby_turns_two_on_1_march() -> None:
    leap_baby = date(2024, 2, 29)
    assert second_birthday(leap_baby) == date(2026, 3, 1)
    assert stage_on(None, leap_baby, date(2026, 2, 28)) == Stage.POSTNATAL
    assert stage_on(None, leap_baby, date(2026, 3, 1)) == Stage.OVER


def test_two_years_before_a_29_february() -> None:
    assert two_years_before(date(2028, 2, 29)) == date(2026, 2, 28)
    assert two_years_before(date(2026, 11, 2)) == date(2024, 11, 2)
    # born 28 Feb 2026: second birthday 28 Feb 2028, so over on 29 Feb 2028
    assert stage_on(None, date(2026, 2, 28), date(2028, 2, 29)) == Stage.OVER
    assert stage_on(None, date(2026, 3, 1), date(2028, 2, 29)) == Stage.POSTNATAL


# --------------------------------------------------------------------------- overdue, unknown


def test_overdue_without_a_birth_stays_in_birth_stage() -> None:
    assert stage_on(DUE, None, DUE + timedelta(weeks=3)) == Stage.BIRTH
    assert stage_on(DUE, None, DUE + timedelta(weeks=30)) == Stage.BIRTH


def test_is_birth_overdue_after_three_weeks_past_due() -> None:
    assert not is_birth_overdue(DUE, None, DUE)
    assert not is_birth_overdue(DUE, None, DUE + timedelta(days=21))
    assert is_birth_overdue(DUE, None, DUE + timedelta(days=22))
    assert not is_birth_overdue(DUE, DUE + timedelta(days=10), DUE + timedelta(days=40))
    assert not is_birth_overdue(None, None, DUE)


def test_no_dates_is_unknown() -> None:
    assert stage_on(None, None, DUE) == Stage.UNKNOWN
    assert Stage.UNKNOWN.label == "Not known yet"


def test_parent_stage_uses_the_pure_function() -> None:
    parent = Parent(due_date=DUE, birth_date=None)
    assert parent.stage(DUE - timedelta(days=22)) == Stage.PREGNANCY
    assert parent.stage(DUE - timedelta(days=21)) == Stage.BIRTH


# --------------------------------------------------------------------------- SQL agrees


def _combinations() -> list[tuple[date | None, date | None, date]]:
    """Dates on and around every boundary, plus random ones, incl. 29 Feb births and todays."""
    todays = [date(2026, 11, 2), date(2028, 2, 29), date(2026, 3, 1), date(2026, 2, 28)]
    combos: list[tuple[date | None, date | None, date]] = []
    for today in todays:
        combos.append((None, None, today))
        for offset in (-22, -21, -20, 0, 21, 22):
            # due date so that today sits on either side of "3 weeks before due"
            combos.append((today - timedelta(days=offset), None, today))
        for offset in (0, 13, 14, 15):
            combos.append((None, today - timedelta(days=offset), today))
        for born in (
            two_years_before(today),
            two_years_before(today) + DAY,
            two_years_before(today) - DAY,
            date(2024, 2, 29),
            date(2024, 2, 28),
            date(2024, 3, 1),
        ):
            combos.append((born + timedelta(weeks=1), born, today))
    rng = random.Random(20261102)
    base = date(2026, 11, 2)
    for _ in range(150):
        today = base + timedelta(days=rng.randint(-900, 900))
        due = today + timedelta(days=rng.randint(-300, 300)) if rng.random() < 0.8 else None
        birth = today - timedelta(days=rng.randint(-10, 900)) if rng.random() < 0.6 else None
        combos.append((due, birth, today))
    return combos


def test_stage_sql_agrees_with_stage_on(session: SessionLike) -> None:
    combos = _combinations()
    parents = [make_parent(session, due_date=due, birth_date=birth) for due, birth, _ in combos]
    session.commit()
    checked = 0
    for parent, (due, birth, today) in zip(parents, combos, strict=True):
        got = session.scalar(
            select(stage_sql(Parent.due_date, Parent.birth_date, today)).where(
                Parent.id == parent.id
            )
        )
        assert got == stage_on(due, birth, today).value, (due, birth, today)
        checked += 1
    assert checked == len(combos) > 200


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (DUE - timedelta(days=22), {"pregnancy": 1, "birth": 1, "postnatal": 1, "unknown": 1}),
        (DUE - timedelta(days=21), {"birth": 2, "postnatal": 1, "unknown": 1}),
    ],
)
def test_stage_sql_groups_in_one_query(
    session: SessionLike, today: date, expected: dict[str, int]
) -> None:
    from sqlalchemy import func

    make_parent(session, due_date=DUE, birth_date=None)
    make_parent(session, due_date=None, birth_date=today - timedelta(days=3))
    make_parent(session, due_date=None, birth_date=today - timedelta(days=100))
    make_parent(session, due_date=None, birth_date=None)
    session.commit()
    stage = stage_sql(Parent.due_date, Parent.birth_date, today)
    rows = dict(session.execute(select(stage, func.count()).group_by(stage)).all())
    assert rows == expected


def test_stage_sql_is_built_once_a_day_for_each_pair_of_columns() -> None:
    from sqlalchemy.orm import aliased

    today = date(2026, 12, 2)
    first = stage_sql(Parent.due_date, Parent.birth_date, today)
    assert stage_sql(Parent.due_date, Parent.birth_date, today) is first
    assert stage_sql(Parent.due_date, Parent.birth_date, today + timedelta(days=1)) is not first
    other = aliased(Parent)
    mine = stage_sql(other.due_date, other.birth_date, today)
    assert mine is not first
    assert "parents_1" in str(mine.compile())  # the alias's columns, not the table's
