"""Scheduled rules on a case's check-ins: wellbeing and bonding scores, contact, attempts,
unfinished drafts (pure, no database)."""

from __future__ import annotations

from datetime import datetime

from app.domain import Rule, Severity
from app.escalation.rules_facts import CaseFacts, Hit, days, short_date, whole_days
from app.escalation.rules_thresholds import Thresholds


def wellbeing_low(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    if facts.wellbeing_scores and facts.wellbeing_scores[0] <= t.wellbeing_low_max:
        score = facts.wellbeing_scores[0]
        return Hit(Rule.WELLBEING_LOW, Severity.HIGH, f"Latest wellbeing score {score} of 5.")
    return None


def wellbeing_falling(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    scores = list(facts.wellbeing_scores[:3])
    if len(scores) < 3:
        return None
    newest, middle, oldest = scores
    if oldest > middle > newest and newest <= t.wellbeing_falling_latest_max:
        text = f"Last three wellbeing scores, oldest first: {oldest}, {middle}, {newest}."
        return Hit(Rule.WELLBEING_FALLING, Severity.MEDIUM, text)
    return None


def bonding_low(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    if facts.latest_bonding is not None and facts.latest_bonding <= t.bonding_low_max:
        text = f"Latest 'getting to know baby' score {facts.latest_bonding} of 5."
        return Hit(Rule.BONDING_LOW, Severity.HIGH, text)
    return None


def contact_due(
    started_at: datetime, latest_contact_at: datetime | None, high_risk: bool, t: Thresholds
) -> tuple[datetime, bool]:
    """When the case's next contact is due (NO_CONTACT holds from then on), and whether it is
    the first contact of the current assignment.

    No contact since the assignment started: the first one is due ``first_contact_days``
    after the start (or sooner, when the case's own period is shorter). Otherwise the next
    is due ``no_contact_days`` (``no_contact_high_risk_days``) after the latest contact.
    """
    limit = t.no_contact_high_risk_days if high_risk else t.no_contact_days
    if latest_contact_at is None or latest_contact_at < started_at:
        return started_at + days(min(limit, t.first_contact_days)), True
    return latest_contact_at + days(limit), False


def no_contact(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    """Active cases only; counts from the later of the latest contact and the assignment,
    and a new assignment's first contact is due sooner (``contact_due``)."""
    if not facts.is_active or facts.assignment_started_at is None:
        return None
    started = facts.assignment_started_at
    due, first = contact_due(started, facts.latest_contact_at, facts.high_risk, t)
    if now < due:
        return None
    since = started if first or facts.latest_contact_at is None else facts.latest_contact_at
    elapsed = now - since
    severity = Severity.HIGH if elapsed >= days(t.no_contact_severe_days) else Severity.MEDIUM
    if first:
        what = (
            f"No first contact since the volunteer started on {short_date(since)} "
            f"({whole_days(elapsed)} days; it was due by {short_date(due)})."
        )
    else:
        what = f"No successful contact since {short_date(since)} ({whole_days(elapsed)} days)."
    return Hit(Rule.NO_CONTACT, severity, what)


def attempts_failing(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    n = t.attempts_in_a_row
    if facts.attempts_since_contact >= n:
        return Hit(
            Rule.ATTEMPTS_FAILING,
            Severity.MEDIUM,
            f"The last {n} check-ins were attempts that did not reach the parent.",
        )
    return None


def stale_draft(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    touched = facts.oldest_draft_touched_at
    if touched is None or now - touched < days(t.stale_draft_days):
        return None
    return Hit(
        Rule.STALE_DRAFT,
        Severity.LOW,
        f"A check-in draft has not been touched since {short_date(touched)}.",
    )
