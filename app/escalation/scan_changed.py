"""Which open cases the incremental scan must evaluate again (``scan.run_scan(since=...)``).

``candidate_ids`` is one union of case ids, none of whose terms reads a check-in fact
aggregated per case (latest contact, oldest draft, scores): ``scan_facts.facts_query`` puts
it inside its open-case query, so the check-in facts are computed for the candidates only.

A rule's verdict on a case can change between two scans only if

* the case's facts changed: caught here from the write times of what the facts are read
  from (check-ins, assignments, the case, the parent, the volunteer's profile;
  ``written_since``) and, besides, by ``hooks.on_case_facts_changed``, which evaluates a case
  the moment one of its facts is written (so a rule that depends on facts alone is already
  right for it);
* time passed a threshold: only the rules in ``TIMED_RULES`` read ``now``; for each,
  ``crossed_since`` names the cases whose threshold can fall between ``since`` and ``now``,
  from the dates themselves (for a threshold counted from the latest contact or the oldest
  draft: a check-in of that kind in the window, ``checkin_windows``);
* the case has an unresolved flag that time alone can resolve or re-grade, or a flag of a
  scheduled rule was resolved since (by hand, say: the full scan would raise it again; not
  the last scan's own resolutions, which agree with the rules): ``flags_to_review``. Every
  other flag's condition only changes with the facts; the incremental scan leaves the flags
  of the cases it does not evaluate as they are.

The rules on scores and attempts (wellbeing, bonding, attempts failing) do not read
``now``: a case no write touched and with no flag for them cannot start to hit them. That is
where the incremental scan saves its work; the weekly full scan (``scan.full_scan_due``) is
the safety net. ``tests/escalation/test_scan_incremental.py`` checks, on random histories,
that it raises and resolves exactly what the full scan does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, or_, select, union

from app.domain import OPEN_CASE_STATUSES, SCHEDULED_RULES, CheckInStatus, Rule, Severity
from app.escalation.rules_thresholds import Thresholds
from app.models import Assignment, Case, CheckIn, EscalationFlag, Parent, User, VolunteerProfile

#: the scheduled rules that read ``now``
TIMED_RULES = frozenset(
    {
        Rule.NO_CONTACT,
        Rule.BIRTH_SOON,
        Rule.AFTER_BIRTH,
        Rule.BIRTH_OVERDUE,
        Rule.UNMATCHED,
        Rule.VOLUNTEER_LAPSED,
        Rule.STALE_DRAFT,
        Rule.PAST_1001_DAYS,
    }
)

#: a day or two either side of a window on a calendar date covers the service time zone
DATE_SLACK = timedelta(days=2)
#: and a second either side of a window on an instant covers rounding
INSTANT_SLACK = timedelta(seconds=1)

OPEN_STATUSES = [str(status) for status in OPEN_CASE_STATUSES]


def days(n: int) -> timedelta:
    return timedelta(days=n)


def instant_in(column: Any, since: datetime, now: datetime, offset: timedelta) -> Any:
    """SQL: ``column + offset`` falls in (``since``, ``now``] (a second of slack either side),
    i.e. a threshold ``offset`` after the instant in ``column`` was crossed in between."""
    return and_(
        column > since - offset - INSTANT_SLACK,
        column <= now - offset + INSTANT_SLACK,
    )


def date_in(column: Any, since: datetime, now: datetime, offset: timedelta) -> Any:
    """SQL: 00:00 (service time zone) on the date in ``column``, plus ``offset``, can fall in
    (``since``, ``now``] (``DATE_SLACK`` either side)."""
    return and_(
        column >= (since - offset - DATE_SLACK).date(),
        column <= (now - offset + DATE_SLACK).date(),
    )


def candidate_ids(since: datetime, now: datetime, t: Thresholds) -> Any:
    """The ids of the cases the incremental scan as of ``now`` evaluates, the last completed
    scan being as of ``since`` (one union; a closed case in it is harmless, the open-case
    query leaves it out)."""
    return union(
        *written_since(since, now, t),
        *flags_to_review(since, now, t),
        crossed_since(since, now, t),
    )


def checkin_windows(since: datetime, now: datetime, t: Thresholds) -> Any:
    """SQL on ``checkins``: a contact or a draft whose threshold can have been crossed
    between ``since`` and ``now``. A rule counted from the case's *latest* contact (or its
    *oldest* draft) crosses its threshold in the window only if that check-in is in it, so
    "some contact (draft) in the window" is a loose, aggregate-free form of it:

    =================  ==============================================================
    NO_CONTACT         a contact ``no_contact_days`` or ``no_contact_high_risk_days``
                       before the window (raised), or ``no_contact_severe_days`` (high)
    BIRTH_SOON         a contact ``birth_soon_contact_days`` before the window
    STALE_DRAFT        a draft last touched ``stale_draft_days`` before the window
    =================  ==============================================================
    """
    contact_offsets = sorted(
        {
            t.no_contact_days,
            t.no_contact_high_risk_days,
            t.no_contact_severe_days,
            t.birth_soon_contact_days,
        }
    )
    return or_(
        and_(
            CheckIn.status == CheckInStatus.SUBMITTED.value,
            CheckIn.successful.is_(True),
            or_(*(instant_in(CheckIn.occurred_at, since, now, days(n)) for n in contact_offsets)),
        ),
        and_(
            CheckIn.status == CheckInStatus.DRAFT.value,
            instant_in(CheckIn.updated_at, since, now, days(t.stale_draft_days)),
        ),
    )


def written_since(since: datetime, now: datetime, t: Thresholds) -> list[Any]:
    """Selects of the ids of cases something their facts are read from was written since
    ``since`` (the check-ins' select also takes ``checkin_windows``: one pass over them)."""

    def after(*columns: Any) -> Any:
        return or_(*(column >= since for column in columns))

    return [
        select(CheckIn.case_id).where(
            or_(
                after(
                    CheckIn.created_at,
                    CheckIn.updated_at,
                    CheckIn.submitted_at,
                    CheckIn.deleted_at,
                ),
                checkin_windows(since, now, t),
            )
        ),
        select(Assignment.case_id).where(after(Assignment.started_at, Assignment.ended_at)),
        select(Case.id).where(
            after(Case.created_at, Case.updated_at, Case.referred_at, Case.closed_at)
        ),
        select(Case.id)
        .join(Parent, Parent.id == Case.parent_id)
        .where(after(Parent.created_at, Parent.updated_at)),
        select(Assignment.case_id)
        .join(VolunteerProfile, VolunteerProfile.user_id == Assignment.volunteer_id)
        .where(Assignment.ended_at.is_(None), VolunteerProfile.updated_at >= since),
    ]


def flags_to_review(since: datetime, now: datetime, t: Thresholds) -> list[Any]:
    """Selects of the ids of cases with a flag of a scheduled rule resolved since ``since``
    (not by the last scan itself), or an unresolved one time alone can resolve or re-grade."""
    # the unresolved flags time alone can resolve or re-grade: a birth soon (the due date
    # passes), a medium "no contact" (it turns high), a volunteer lapsed (a closed account
    # reopened has no write time), a case that could not be checked
    may_change_with_time = or_(
        EscalationFlag.rule.in_(
            [str(Rule.BIRTH_SOON), str(Rule.VOLUNTEER_LAPSED), str(Rule.CHECK_FAILED)]
        ),
        and_(
            EscalationFlag.rule == str(Rule.NO_CONTACT),
            EscalationFlag.severity != str(Severity.HIGH),
        ),
    )
    return [
        select(EscalationFlag.case_id).where(
            EscalationFlag.rule.in_([str(rule) for rule in SCHEDULED_RULES]),
            or_(
                and_(EscalationFlag.resolved_at.is_(None), may_change_with_time),
                EscalationFlag.resolved_at > since,
                # resolved by hand as the last scan ran (the scan's own resolutions are
                # automatic, as of ``since``: they agree with the rules then)
                and_(
                    EscalationFlag.resolved_at == since, EscalationFlag.resolved_by_id.is_not(None)
                ),
            ),
        )
    ]


def crossed_since(since: datetime, now: datetime, t: Thresholds) -> Any:
    """A select of the ids of open cases whose facts, as they are, can make a rule in
    ``TIMED_RULES`` hold now though it did not at ``since``: a threshold, counted from a date
    of the case, the parent or the volunteer, falls between the two. Each rule's time
    condition only ever turns on as time passes (BIRTH_SOON also turns off after the due
    date, but then its flag names the case; ``flags_to_review``). A threshold counted from
    the latest contact or the oldest draft is ``checkin_windows``.

    =================  ==============================================================
    NO_CONTACT         the first contact falls due (``first_contact_days``, or the
                       case's shorter period) or turns high, counted from the start
    BIRTH_SOON         the due date comes within the window (no birth recorded)
    AFTER_BIRTH        ``after_birth_days`` after the birth date
    BIRTH_OVERDUE      ``birth_overdue_days`` after the due date (no birth recorded)
    UNMATCHED          ``unmatched_days`` after the referral
    VOLUNTEER_LAPSED   the DBS check expires; or the volunteer is paused or left (a
                       closed account has no write time)
    PAST_1001_DAYS     the second birthday (730 or 731 days after the birth)
    =================  ==============================================================
    """
    started = Assignment.started_at
    first_contact = sorted(
        {
            min(t.no_contact_days, t.first_contact_days),
            min(t.no_contact_high_risk_days, t.first_contact_days),
            t.no_contact_severe_days,
        }
    )
    due, born = Parent.due_date, Parent.birth_date
    no_birth = born.is_(None)
    return (
        select(Case.id)
        .join(Parent, Parent.id == Case.parent_id)
        .outerjoin(Assignment, and_(Assignment.case_id == Case.id, Assignment.ended_at.is_(None)))
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Assignment.volunteer_id)
        .outerjoin(User, User.id == Assignment.volunteer_id)
        .where(
            Case.status.in_(OPEN_STATUSES),
            or_(
                false(),
                *(instant_in(started, since, now, days(n)) for n in first_contact),
                and_(no_birth, date_in(due, since, now, -days(t.birth_soon_window_days))),
                date_in(born, since, now, days(t.after_birth_days)),
                and_(no_birth, date_in(due, since, now, days(t.birth_overdue_days))),
                instant_in(Case.referred_at, since, now, days(t.unmatched_days)),
                and_(
                    started.is_not(None),
                    or_(
                        VolunteerProfile.status.in_(["paused", "left"]),
                        User.active.is_(False),
                        date_in(VolunteerProfile.dbs_expires_on, since, now, days(0)),
                    ),
                ),
                # the second birthday is 730 or 731 days after the birth
                and_(
                    born >= (since - days(731) - DATE_SLACK).date(),
                    born <= (now - days(730) + DATE_SLACK).date(),
                ),
            ),
        )
    )
