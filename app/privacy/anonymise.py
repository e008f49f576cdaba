"""What erasure writes instead of a parent's details. Pure: no database, no Flask.

* The name shown everywhere afterwards: "Erased parent".
* The reasons an admin gives for erasing (codes stored in the audit, never free text).
* Stand-in dates: reports count referrals by the parent's stage at the referral date, which
  comes from her due date and baby's birth date (``app.stage``). Those exact dates are
  personal data, so erasure replaces them with the earliest dates that give the same stage on
  every day that matters (each referral, each closing): the counts stay the same and the
  stored dates say no more than the stage did.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from app.stage import (
    BIRTH_STAGE_AFTER_BIRTH,
    BIRTH_STAGE_BEFORE_DUE,
    shift,
    stage_on,
    two_years_before,
)

ERASED_FIRST_NAME = "Erased"
ERASED_LAST_NAME = "parent"

#: Why a parent's details are erased (code, words). Stored in the audit as the code only.
ERASURE_REASONS = [
    ("parent_asked", "The parent asked for her details to be erased"),
    ("consent_withdrawn", "The parent withdrew consent"),
    ("retention", "The retention period has passed"),
    ("no_longer_needed", "Corner no longer needs her details"),
]
ERASURE_REASON_LABELS = dict(ERASURE_REASONS)
RETENTION_REASON = "retention"

ONE_DAY = timedelta(days=1)


def _birth_candidates(day: date) -> list[date]:
    """The ends of the ranges of birth dates that give each stage on ``day``."""
    after = shift(day, -BIRTH_STAGE_AFTER_BIRTH)  # born on or before: no longer "birth"
    over = two_years_before(day)  # born on or before: "over"
    return [shift(after, ONE_DAY), after, over, shift(over, ONE_DAY)]


def _due_candidates(day: date) -> list[date]:
    """The ends of the ranges of due dates that give each stage on ``day``."""
    edge = shift(day, BIRTH_STAGE_BEFORE_DUE)  # due on or before: "birth"
    return [edge, shift(edge, ONE_DAY)]


def stand_in_dates(
    due_date: date | None, birth_date: date | None, days: Iterable[date]
) -> tuple[date | None, date | None]:
    """(due date, birth date) to keep instead of the real ones: the stage on each of ``days``
    is the same as with the real dates. With a birth date the due date no longer matters (it
    becomes None); with neither, nothing is kept. Without any day, nothing is kept either."""
    wanted = sorted(set(days))
    if not wanted or (due_date is None and birth_date is None):
        return None, None
    stages = [stage_on(due_date, birth_date, day) for day in wanted]
    if birth_date is not None:
        found = _earliest(
            (c for day in wanted for c in _birth_candidates(day)),
            lambda b: [stage_on(None, b, day) for day in wanted] == stages,
        )
        return None, found if found is not None else birth_date
    assert due_date is not None
    found = _earliest(
        (c for day in wanted for c in _due_candidates(day)),
        lambda d: [stage_on(d, None, day) for day in wanted] == stages,
    )
    return (found if found is not None else due_date), None


def _earliest(candidates: Iterable[date], fits: object) -> date | None:
    assert callable(fits)
    for candidate in sorted(set(candidates)):
        if fits(candidate):
            return candidate
    return None
