"""The immediate rules: what a just-submitted check-in raises at once (pure, no database).

``hooks.on_checkin_submitted`` builds the ``CheckInFacts`` and writes the flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.domain import Concern, Rule, Severity
from app.escalation.rules_facts import Hit
from app.timeutil import date_time


@dataclass(frozen=True)
class CheckInFacts:
    """A just-submitted check-in, as the immediate rules see it."""

    status: str
    successful: bool
    concerns: Iterable[str] = ()
    coordinator_today: bool = False
    whooley_down: bool | None = None
    whooley_interest: bool | None = None
    occurred_at: datetime | None = None


def immediate(checkin: CheckInFacts) -> list[Hit]:
    """The urgent/high rules a submitted check-in raises at once (drafts and deleted: none).

    Evidence names the concern ticked and when, never the notes.
    """
    if checkin.status != "submitted":
        return []
    concerns = set(checkin.concerns)
    when = f" at the check-in on {date_time(checkin.occurred_at)}" if checkin.occurred_at else ""
    hits: list[Hit] = []
    recorded = [
        label
        for code, label in (
            (Concern.SAFEGUARDING, "a safeguarding concern"),
            (Concern.DOMESTIC_ABUSE, "a domestic abuse concern"),
        )
        if code in concerns
    ]
    if recorded:
        text = " and ".join(recorded)
        hits.append(Hit(Rule.SAFEGUARDING, Severity.URGENT, f"Volunteer recorded {text}{when}."))
    if Concern.SELF_HARM in concerns:
        hits.append(
            Hit(
                Rule.SELF_HARM,
                Severity.URGENT,
                f"Volunteer recorded thoughts of self-harm or suicide{when}.",
            )
        )
    if checkin.coordinator_today:
        hits.append(
            Hit(
                Rule.COORDINATOR_TODAY,
                Severity.URGENT,
                f"Volunteer asked for a coordinator today{when}.",
            )
        )
    mood = [
        label
        for present, label in (
            (Concern.LOW_MOOD in concerns, "low mood"),
            (Concern.ANXIETY in concerns, "anxiety"),
            (checkin.whooley_down is True, "'yes' to feeling down, depressed or hopeless"),
            (checkin.whooley_interest is True, "'yes' to little interest or pleasure"),
        )
        if present
    ]
    if mood:
        hits.append(
            Hit(Rule.LOW_MOOD, Severity.HIGH, f"Volunteer recorded {', '.join(mood)}{when}.")
        )
    return hits
