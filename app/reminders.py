"""The volunteers' daily reminder email (``flask emails reminders``; the scheduler at 09:00).

Each volunteer gets **at most one reminder a day**, and none when nothing is due. It counts:

* check-ins due or overdue, by the rule of the volunteer's My parents page and of the
  NO_CONTACT flag (``app.escalation.rules_contact.contact_due``): with nobody reaching the
  parent since the assignment started, the first contact is due ``first_contact_days`` after
  the start (or the case's own period, when shorter); after that, ``no_contact_days``
  (``no_contact_high_risk_days`` for a high-risk case) after the latest successful contact;
* their check-in drafts untouched for the escalation rules' ``stale_draft_days`` (3 by
  default; DESIGN.md's STALE_DRAFT "reminds the volunteer"), for parents still theirs;
* a DBS check or a training renewal date expiring within ``EXPIRY_DAYS`` (or already past).

Set-based: one statement counts everything for every volunteer, one INSERT queues every
email. "At most one a day" is held by the outbox: each reminder's dedupe key is the
volunteer and the day (service time zone), whose Message-ID is unique, so running twice,
or in two processes at once, queues nothing more. Volunteers who turned reminders off on
My availability (``VolunteerProfile.email_reminders``), who left, or whose account is closed
get none. The email says how many, never who: no names, no notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, func, or_, select

from app.domain import CheckInStatus, Role, VolunteerStatus
from app.email import Outgoing, link, queue_emails
from app.escalation.rules_facts import days
from app.escalation.rules_thresholds import Thresholds
from app.escalation.scan import saved_thresholds
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, User, VolunteerProfile
from app.timeutil import local_date

EXPIRY_DAYS = 30
SUBJECT = "Corner: your reminders for today"


@dataclass(frozen=True)
class Due:
    """What one volunteer has due today (counts and expiry dates only)."""

    volunteer_id: int
    email: str
    checkins_due: int
    stale_drafts: int
    dbs_expires_on: date | None
    training_expires_on: date | None

    def expiring(self, today: date) -> list[tuple[str, int]]:
        """("DBS check" | "training", days left: negative when past) within EXPIRY_DAYS."""
        out = []
        dates = (("DBS check", self.dbs_expires_on), ("training", self.training_expires_on))
        for what, day in dates:
            if day is not None and day <= today + timedelta(days=EXPIRY_DAYS):
                out.append((what, (day - today).days))
        return out

    def anything(self, today: date) -> bool:
        return bool(self.checkins_due or self.stale_drafts or self.expiring(today))


def due_query(now: datetime, limits: Thresholds) -> Any:
    """One row per volunteer who may get a reminder, with their counts: one statement."""
    last_contact = (
        select(func.max(CheckIn.occurred_at))
        .where(
            CheckIn.case_id == Case.id,
            CheckIn.status == CheckInStatus.SUBMITTED.value,
            CheckIn.successful.is_(True),
        )
        .correlate(Case)
        .scalar_subquery()
    )

    def due(limit_days: int) -> Any:
        # contact_due(...) <= now, in SQL: the first contact of this assignment, or the next
        first = min(limit_days, limits.first_contact_days)
        no_contact_yet = or_(last_contact.is_(None), last_contact < Assignment.started_at)
        return or_(
            and_(no_contact_yet, Assignment.started_at <= now - days(first)),
            and_(~no_contact_yet, last_contact <= now - days(limit_days)),
        )

    checkins_due = (
        select(func.count(Assignment.id))
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.volunteer_id == User.id,
            Assignment.ended_at.is_(None),
            or_(
                and_(Case.high_risk.is_(True), due(limits.no_contact_high_risk_days)),
                and_(Case.high_risk.is_not(True), due(limits.no_contact_days)),
            ),
        )
        .correlate(User)
        .scalar_subquery()
    )
    still_theirs = (
        select(Assignment.id)
        .where(
            Assignment.case_id == CheckIn.case_id,
            Assignment.volunteer_id == User.id,
            Assignment.ended_at.is_(None),
        )
        .exists()
    )
    stale_drafts = (
        select(func.count(CheckIn.id))
        .where(
            CheckIn.volunteer_id == User.id,
            CheckIn.status == CheckInStatus.DRAFT.value,
            CheckIn.updated_at <= now - days(limits.stale_draft_days),
            still_theirs,
        )
        .correlate(User)
        .scalar_subquery()
    )
    return (
        select(
            User.id,
            User.email,
            checkins_due.label("checkins_due"),
            stale_drafts.label("stale_drafts"),
            VolunteerProfile.dbs_expires_on,
            VolunteerProfile.training_expires_on,
        )
        .join(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(
            User.role == Role.VOLUNTEER.value,
            User.active.is_(True),
            VolunteerProfile.email_reminders.is_not(false()),
            VolunteerProfile.status != VolunteerStatus.LEFT.value,
        )
        .order_by(User.id)
    )


def volunteers_due(session: SessionLike, now: datetime, limits: Thresholds) -> list[Due]:
    """Every volunteer with something to be reminded of today (one statement)."""
    today = local_date(now)
    rows = session.execute(due_query(now, limits))
    found = [Due(int(r[0]), r[1], int(r[2] or 0), int(r[3] or 0), r[4], r[5]) for r in rows]
    return [due for due in found if due.anything(today)]


@dataclass
class ReminderResult:
    queued: int = 0
    due: int = 0

    def __str__(self) -> str:
        already = self.due - self.queued
        return f"Queued {self.queued} reminder emails ({already} already had today's)."


def queue_reminders(session: SessionLike, now: datetime) -> ReminderResult:
    """Queue today's reminder for every volunteer with something due. Flushes only."""
    today = local_date(now)
    limits = saved_thresholds(session)
    due = volunteers_due(session, now, limits)
    links = {
        "parents_url": link("cases.my_parents"),
        "drafts_url": link("cases.my_drafts"),
        "profile_url": link("matching.my_profile"),
    }
    emails = [
        Outgoing(
            to=item.email,
            subject=SUBJECT,
            context={
                **links,
                "checkins_due": item.checkins_due,
                "stale_drafts": item.stale_drafts,
                "stale_days": limits.stale_draft_days,
                "expiring": item.expiring(today),
            },
            dedupe_key=f"reminder-{item.volunteer_id}-{today.isoformat()}",
        )
        for item in due
    ]
    queued = queue_emails(
        session, now, kind="volunteer_reminder", template="volunteer_reminder", emails=emails
    )
    return ReminderResult(queued=queued, due=len(due))
