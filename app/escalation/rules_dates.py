"""Scheduled rules on the baby's dates: birth soon, after the birth, birth overdue, past
the first 1001 days (pure, no database)."""

from __future__ import annotations

from datetime import datetime

from app.domain import Rule, Severity
from app.escalation.rules_facts import DAY, CaseFacts, Hit, day_start, days, short_date
from app.escalation.rules_thresholds import Thresholds
from app.stage import second_birthday, shift


def _no_contact_for(facts: CaseFacts, now: datetime, limit: int) -> bool:
    return facts.latest_contact_at is None or now - facts.latest_contact_at >= days(limit)


def birth_soon(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    """No birth recorded, due date today or later and within the window, no recent contact."""
    if facts.birth_date is not None or facts.due_date is None:
        return None
    due = day_start(facts.due_date)
    if now >= day_start(shift(facts.due_date, DAY)):  # the due date has passed
        return None
    if due - now > days(t.birth_soon_window_days):
        return None
    if not _no_contact_for(facts, now, t.birth_soon_contact_days):
        return None
    last = (
        f"last contact {short_date(facts.latest_contact_at)}"
        if facts.latest_contact_at
        else "no contact yet"
    )
    return Hit(Rule.BIRTH_SOON, Severity.HIGH, f"Due {short_date(facts.due_date)}; {last}.")


def after_birth(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    """Referred before the birth, and no contact at or after the birth date within N days."""
    if facts.birth_date is None or facts.referred_at is None:
        return None
    born = day_start(facts.birth_date)
    if facts.referred_at >= born:
        return None
    if now - born < days(t.after_birth_days):
        return None
    if facts.latest_contact_at is not None and facts.latest_contact_at >= born:
        return None
    return Hit(
        Rule.AFTER_BIRTH,
        Severity.HIGH,
        f"Baby born {short_date(facts.birth_date)}; no successful contact since.",
    )


def birth_overdue(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    """More than N days past the due date (strictly) and no birth recorded."""
    if facts.birth_date is not None or facts.due_date is None:
        return None
    if now - day_start(facts.due_date) <= days(t.birth_overdue_days):
        return None
    return Hit(
        Rule.BIRTH_OVERDUE,
        Severity.LOW,
        f"Due {short_date(facts.due_date)}; no birth recorded. Please update the dates.",
    )


def past_1001_days(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    if facts.birth_date is None:
        return None
    birthday = second_birthday(facts.birth_date)
    if now < day_start(birthday):
        return None
    return Hit(
        Rule.PAST_1001_DAYS,
        Severity.LOW,
        f"Second birthday was {short_date(birthday)}; the case is still open.",
    )
