"""The parent's stage, derived from dates and today: never stored, so never stale.

``pregnancy`` until 3 weeks before the due date; ``birth`` from then until 2 weeks after
the baby's birth; ``postnatal`` until the baby's second birthday; ``over`` after that.
A parent with no dates at all is ``unknown``. Pure: its SQL twin is ``app.stage_sql``.
"""

from __future__ import annotations

from datetime import date, timedelta

from app.domain import STAGE_LABELS, TRAINABLE_STAGES, Stage

__all__ = [
    "STAGE_LABELS",
    "TRAINABLE_STAGES",
    "Stage",
    "is_birth_overdue",
    "second_birthday",
    "shift",
    "stage_on",
    "two_years_before",
]

BIRTH_STAGE_BEFORE_DUE = timedelta(weeks=3)
BIRTH_STAGE_AFTER_BIRTH = timedelta(weeks=2)
OVERDUE_AFTER = timedelta(weeks=3)


def shift(day: date, delta: timedelta) -> date:
    """``day + delta``, clamped to ``date.min`` … ``date.max`` (never ``OverflowError``).

    Every stored date is some date in that range, however implausible (9999-12-31 typed by
    mistake): the date arithmetic here is total, so one such parent cannot stop a scan.
    """
    try:
        return day + delta
    except OverflowError:
        return date.max if delta > timedelta(0) else date.min


def second_birthday(birth: date) -> date:
    """The baby's second birthday; a 29 February baby's falls on 1 March.

    ``date.max`` for a birth in the last two years of the calendar (9998-01-01 or later).
    """
    if birth.year + 2 > date.max.year:
        return date.max
    try:
        return birth.replace(year=birth.year + 2)
    except ValueError:
        return date(birth.year + 2, 3, 1)


def two_years_before(today: date) -> date:
    """The latest birth date whose second birthday is on or before ``today``.

    ``date.min`` for a ``today`` in the first two years of the calendar.
    """
    if today.year - 2 < date.min.year:
        return date.min
    try:
        return today.replace(year=today.year - 2)
    except ValueError:  # today is 29 February
        return date(today.year - 2, 2, 28)


def stage_on(due_date: date | None, birth_date: date | None, today: date) -> Stage:
    """The stage on ``today`` for a parent with these dates."""
    if birth_date is not None:
        if today < shift(birth_date, BIRTH_STAGE_AFTER_BIRTH):
            return Stage.BIRTH
        if today < second_birthday(birth_date):
            return Stage.POSTNATAL
        return Stage.OVER
    if due_date is not None:
        if today < shift(due_date, -BIRTH_STAGE_BEFORE_DUE):
            return Stage.PREGNANCY
        return Stage.BIRTH
    return Stage.UNKNOWN


def is_birth_overdue(due_date: date | None, birth_date: date | None, today: date) -> bool:
    """No birth recorded and the due date more than 3 weeks past: a coordinator should update."""
    return birth_date is None and due_date is not None and today > shift(due_date, OVERDUE_AFTER)
