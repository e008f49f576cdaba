"""Scheduled rules on a case's volunteer: none yet (unmatched), or one who has lapsed
(pure, no database)."""

from __future__ import annotations

from datetime import datetime

from app.domain import CaseStatus, Rule, Severity
from app.escalation.rules_facts import CaseFacts, Hit, day_start, days, short_date, whole_days
from app.escalation.rules_thresholds import Thresholds


def unmatched(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    if facts.status not in (CaseStatus.REFERRED, CaseStatus.WAITING):
        return None
    if facts.assignment_started_at is not None or facts.referred_at is None:
        return None
    waited = now - facts.referred_at
    if waited < days(t.unmatched_days):
        return None
    return Hit(
        Rule.UNMATCHED,
        Severity.MEDIUM,
        f"Referred {short_date(facts.referred_at)}; waiting {whole_days(waited)} days.",
    )


def volunteer_lapsed(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    if not facts.is_active:
        return None
    reasons = []
    if facts.volunteer_status in ("paused", "left"):
        reasons.append(f"volunteer is {facts.volunteer_status}")
    if facts.volunteer_dbs_expires_on is not None and now >= day_start(
        facts.volunteer_dbs_expires_on
    ):
        reasons.append(f"DBS check expired {short_date(facts.volunteer_dbs_expires_on)}")
    if not reasons:
        return None
    text = "; ".join(reasons)
    return Hit(Rule.VOLUNTEER_LAPSED, Severity.MEDIUM, text[0].upper() + text[1:] + ".")
