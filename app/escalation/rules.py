"""The escalation rules as pure functions of a case's facts and ``now``.

No database here: ``scan_facts.py`` gathers the facts for every open case in one set-based
query and ``scan.py`` calls ``evaluate``; ``hooks.py`` passes a just-submitted check-in to
``rules_immediate.immediate``.

The rules live beside this module: ``rules_facts`` (what they read and return),
``rules_thresholds``, ``rules_contact`` (check-ins), ``rules_dates`` (the baby's dates),
``rules_volunteer`` (no volunteer, or a lapsed one) and ``rules_immediate``.

Definitions (docs/domain.md, "What the rules mean, exactly"):

* a *contact* is a submitted, successful check-in; an *attempt* a submitted unsuccessful one;
  drafts and deleted check-ins are neither;
* "N days" compares instants: ``now - t >= N x 24 h``; a date stands for 00:00 in
  the service time zone (``CORNER_TIMEZONE``) that day (``timeutil.day_start``).
"""

from __future__ import annotations

from datetime import datetime

from app.escalation.rules_contact import (
    attempts_failing,
    bonding_low,
    no_contact,
    stale_draft,
    wellbeing_falling,
    wellbeing_low,
)
from app.escalation.rules_dates import after_birth, birth_overdue, birth_soon, past_1001_days
from app.escalation.rules_facts import CaseFacts, Hit
from app.escalation.rules_thresholds import Thresholds
from app.escalation.rules_volunteer import unmatched, volunteer_lapsed

SCHEDULED = (
    wellbeing_low,
    wellbeing_falling,
    bonding_low,
    no_contact,
    attempts_failing,
    birth_soon,
    after_birth,
    birth_overdue,
    unmatched,
    volunteer_lapsed,
    stale_draft,
    past_1001_days,
)


def evaluate(facts: CaseFacts, now: datetime, t: Thresholds | None = None) -> list[Hit]:
    """Every scheduled rule that holds for this case now (closed cases: none)."""
    if not facts.is_open:
        return []
    t = t or Thresholds()
    return [hit for rule in SCHEDULED if (hit := rule(facts, now, t)) is not None]
