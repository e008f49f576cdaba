"""What the escalation rules read (``CaseFacts``) and return (``Hit``), and their day arithmetic.

Pure: no database. A date stands for 00:00 in the service time zone (``CORNER_TIMEZONE``)
that day; "N days" compares instants, ``now - t >= N x 24 h``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from app.domain import CaseStatus
from app.timeutil import day_start as _day_start
from app.timeutil import local_date, service_zone
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
        value = local_date(value)
    return _short_day(value)


@lru_cache(maxsize=256)
def days(n: int) -> timedelta:
    """``n`` x 24 hours (cached: the rules ask for the same few periods for every case)."""
    return n * DAY


def whole_days(delta: timedelta) -> int:
    return delta // DAY


@dataclass(frozen=True)
class Hit:
    """A rule whose condition holds, with what made it hold (no free text, no names)."""

    rule: str
    severity: str
    evidence: str


@dataclass(slots=True)
class CaseFacts:
    """What the scheduled rules need to know about one case (gathered set-based by scan_facts.py).

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
