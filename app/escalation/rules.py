"""The escalation rules as pure functions of a case's facts and ``now``.

No database here: ``scan.py`` gathers the facts for every open case in a fixed number of
set-based queries and ``hooks.py`` passes a just-submitted check-in; both call these.

Definitions (DESIGN.md, "What the rules mean, exactly"):

* a *contact* is a submitted, successful check-in; an *attempt* a submitted unsuccessful one;
  drafts and deleted check-ins are neither;
* "N days" compares instants: ``now - t >= N x 24 h``; a date stands for 00:00
  the service time zone (``CORNER_TIMEZONE``) that day (``timeutil.day_start``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from app.domain import (
    CaseStatus,
    Concern,
    Rule,
    Severity,
)
from app.stage import second_birthday
from app.timeutil import date_time as _date_time
from app.timeutil import day_start as _day_start
from app.timeutil import service_zone, zone
from app.timeutil import short_date as _short_date

DAY = timedelta(days=1)


def day_start(day: date) -> datetime:
    """00:00 in the service time zone on ``day`` as a UTC instant (cached: a scan asks for
    the same few hundred dates tens of thousands of times)."""
    return _day_start_in(day, service_zone())


@lru_cache(maxsize=8192)
def _day_start_in(day: date, tz: str) -> datetime:
    return _day_start(day, tz)


@lru_cache(maxsize=8192)
def _short_day(day: date) -> str:
    return _short_date(day)


def short_date(value: date | datetime | None) -> str:
    """'Mon 2 Nov' in the service time zone (cached per calendar day)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(zone()).date()
    return _short_day(value)


# --------------------------------------------------------------------------- thresholds

SETTINGS_KEY = "escalation"

#: Label, hint, lowest and highest allowed value of each threshold (the settings form).
THRESHOLD_FIELDS: dict[str, tuple[str, str, int, int]] = {
    "no_contact_days": ("No contact: days", "Raise a flag after this many days.", 1, 365),
    "no_contact_high_risk_days": (
        "No contact, high-risk parent: days",
        "A shorter period for parents marked high risk.",
        1,
        365,
    ),
    "no_contact_severe_days": (
        "No contact: days before it becomes high severity",
        "",
        1,
        730,
    ),
    "attempts_in_a_row": ("Unsuccessful attempts in a row", "", 1, 20),
    "wellbeing_low_max": (
        "Low wellbeing: score at or below",
        "Scores run from 1 (struggling) to 5 (doing well).",
        1,
        4,
    ),
    "wellbeing_falling_latest_max": (
        "Falling wellbeing: latest score at or below",
        "Raised when the last three scores fall.",
        1,
        5,
    ),
    "bonding_low_max": ("Getting to know baby: score at or below", "", 1, 4),
    "birth_soon_window_days": ("Birth soon: days before the due date", "", 1, 120),
    "birth_soon_contact_days": ("Birth soon: days without contact", "", 1, 120),
    "after_birth_days": ("After the birth: days without contact", "", 1, 120),
    "birth_overdue_days": ("Birth not recorded: days after the due date", "", 1, 120),
    "unmatched_days": ("Waiting for a volunteer: days since referral", "", 1, 365),
    "stale_draft_days": ("Unfinished check-in draft: days untouched", "", 1, 60),
}


@dataclass(frozen=True)
class Thresholds:
    no_contact_days: int = 14
    no_contact_high_risk_days: int = 7
    no_contact_severe_days: int = 30
    attempts_in_a_row: int = 3
    wellbeing_low_max: int = 2
    wellbeing_falling_latest_max: int = 3
    bonding_low_max: int = 2
    birth_soon_window_days: int = 28
    birth_soon_contact_days: int = 14
    after_birth_days: int = 14
    birth_overdue_days: int = 21
    unmatched_days: int = 10
    stale_draft_days: int = 3

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Thresholds:
        known = {name: int(values[name]) for name in DEFAULT_THRESHOLDS if name in values}
        return cls(**known)


#: DESIGN.md's defaults; admins change them on the escalation settings page.
DEFAULT_THRESHOLDS: dict[str, int] = asdict(Thresholds())


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Hit:
    """A rule whose condition holds, with what made it hold (no free text, no names)."""

    rule: str
    severity: str
    evidence: str


@dataclass(slots=True)
class CaseFacts:
    """What the scheduled rules need to know about one case (gathered set-based by scan.py).

    Check-in facts count only submitted check-ins: drafts and deleted ones are invisible
    here, except ``oldest_draft_touched_at`` (the oldest ``updated_at`` of a draft).
    """

    case_id: int
    status: str
    high_risk: bool = False
    referred_at: datetime | None = None
    due_date: date | None = None
    birth_date: date | None = None
    #: the open assignment (None when there is none: ended assignments do not count)
    assignment_started_at: datetime | None = None
    volunteer_status: str | None = None
    volunteer_dbs_expires_on: date | None = None
    latest_contact_at: datetime | None = None
    #: submitted check-ins newer than the latest contact (all of them attempts)
    attempts_since_contact: int = 0
    #: wellbeing scores of the latest contacts that recorded one, newest first
    wellbeing_scores: Sequence[int] = field(default_factory=tuple)
    #: "getting to know baby" score of the latest contact that recorded one
    latest_bonding: int | None = None
    oldest_draft_touched_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @property
    def is_active(self) -> bool:
        return self.is_open and self.assignment_started_at is not None


@lru_cache(maxsize=256)
def _days(n: int) -> timedelta:
    return n * DAY


def _whole_days(delta: timedelta) -> int:
    return delta // DAY


# --------------------------------------------------------------------------- scheduled rules


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


def no_contact(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    """Active cases only; counts from the later of the latest contact and the assignment."""
    if not facts.is_active or facts.assignment_started_at is None:
        return None
    since = facts.assignment_started_at
    if facts.latest_contact_at is not None and facts.latest_contact_at > since:
        since = facts.latest_contact_at
    limit = t.no_contact_high_risk_days if facts.high_risk else t.no_contact_days
    elapsed = now - since
    if elapsed < _days(limit):
        return None
    severity = Severity.HIGH if elapsed >= _days(t.no_contact_severe_days) else Severity.MEDIUM
    if facts.latest_contact_at is not None and facts.latest_contact_at >= since:
        what = f"No successful contact since {short_date(since)}"
    else:
        what = f"No successful contact since the volunteer started on {short_date(since)}"
    return Hit(Rule.NO_CONTACT, severity, f"{what} ({_whole_days(elapsed)} days).")


def attempts_failing(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    n = t.attempts_in_a_row
    if facts.attempts_since_contact >= n:
        return Hit(
            Rule.ATTEMPTS_FAILING,
            Severity.MEDIUM,
            f"The last {n} check-ins were attempts that did not reach the parent.",
        )
    return None


def _no_contact_for(facts: CaseFacts, now: datetime, days: int) -> bool:
    return facts.latest_contact_at is None or now - facts.latest_contact_at >= _days(days)


def birth_soon(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    """No birth recorded, due date today or later and within the window, no recent contact."""
    if facts.birth_date is not None or facts.due_date is None:
        return None
    due = day_start(facts.due_date)
    if now >= day_start(facts.due_date + DAY):  # the due date has passed
        return None
    if due - now > _days(t.birth_soon_window_days):
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
    if now - born < _days(t.after_birth_days):
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
    if now - day_start(facts.due_date) <= _days(t.birth_overdue_days):
        return None
    return Hit(
        Rule.BIRTH_OVERDUE,
        Severity.LOW,
        f"Due {short_date(facts.due_date)}; no birth recorded. Please update the dates.",
    )


def unmatched(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    if facts.status not in (CaseStatus.REFERRED, CaseStatus.WAITING):
        return None
    if facts.assignment_started_at is not None or facts.referred_at is None:
        return None
    waited = now - facts.referred_at
    if waited < _days(t.unmatched_days):
        return None
    return Hit(
        Rule.UNMATCHED,
        Severity.MEDIUM,
        f"Referred {short_date(facts.referred_at)}; waiting {_whole_days(waited)} days.",
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


def stale_draft(facts: CaseFacts, now: datetime, t: Thresholds) -> Hit | None:
    touched = facts.oldest_draft_touched_at
    if touched is None or now - touched < _days(t.stale_draft_days):
        return None
    return Hit(
        Rule.STALE_DRAFT,
        Severity.LOW,
        f"A check-in draft has not been touched since {short_date(touched)}.",
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


# --------------------------------------------------------------------------- immediate rules


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
    when = f" at the check-in on {_date_time(checkin.occurred_at)}" if checkin.occurred_at else ""
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
