"""Which open cases the incremental scan must evaluate again (``scan.run_scan(since=...)``).

A rule's verdict on a case can change between two scans only if

* the case's facts changed: caught here from the write times of what the facts are read
  from (check-ins, assignments, the case, the parent; ``changed_since``) and, besides, by
  ``hooks.on_case_facts_changed``, which evaluates a case the moment one of its facts is
  written (so a rule that depends on facts alone is already right for it);
* time passed a threshold: only the rules in ``TIMED_RULES`` read ``now``; the incremental
  scan keeps their pre-filter terms (``scan_prefilter.may_hit``) and with each a loose
  "its threshold was crossed since the last scan" (``crossed_since``);
* the case has an unresolved flag that time alone can resolve or re-grade (``changed_since``
  names them), or a flag of a scheduled rule was resolved since (by hand, say: the full
  scan would raise it again; not the last scan's own resolutions, which agree with the
  rules). Every other flag's condition only changes with the facts; the incremental scan
  leaves the flags of the cases it does not evaluate as they are.

The rules on scores and attempts (wellbeing, bonding, attempts failing) do not read
``now``: a case no write touched and with no flag for them cannot start to hit them. That is
where the incremental scan saves its work; the weekly full scan (``scan.full_scan_due``) is
the safety net. ``tests/escalation/test_scan_incremental.py`` checks, on random histories,
that it raises and resolves exactly what the full scan does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Date, and_, literal, or_, select, type_coerce, union

from app.domain import SCHEDULED_RULES, Rule, Severity
from app.escalation.rules_thresholds import Thresholds
from app.models import Assignment, Case, CheckIn, EscalationFlag, Parent, VolunteerProfile
from app.types import UTCDateTime

#: the scheduled rules that read ``now`` (their pre-filter terms are kept whole)
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


def changed_since(since: datetime) -> Any:
    """The ids of cases written since ``since``, or with a flag to review (one union)."""

    def after(*columns: Any) -> Any:
        return or_(*(column >= since for column in columns))

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
    open_assignment = (
        select(Assignment.case_id)
        .join(VolunteerProfile, VolunteerProfile.user_id == Assignment.volunteer_id)
        .where(Assignment.ended_at.is_(None), VolunteerProfile.updated_at >= since)
    )
    return union(
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
        ),
        select(CheckIn.case_id).where(
            after(CheckIn.created_at, CheckIn.updated_at, CheckIn.submitted_at, CheckIn.deleted_at)
        ),
        select(Assignment.case_id).where(after(Assignment.started_at, Assignment.ended_at)),
        select(Case.id).where(
            after(Case.created_at, Case.updated_at, Case.referred_at, Case.closed_at)
        ),
        select(Case.id)
        .join(Parent, Parent.id == Case.parent_id)
        .where(after(Parent.created_at, Parent.updated_at)),
        open_assignment,
    )


def crossed_since(c: Any, since: datetime, t: Thresholds) -> dict[str, Any]:
    """For each rule in ``TIMED_RULES``, SQL true for every case the rule did *not* hold for
    at ``since`` though its facts were as now (and for some others): a loose form of "a
    threshold was crossed after ``since``". Each rule's time condition only ever turns on as
    time passes (BIRTH_SOON also turns off after the due date, but then its flag names the
    case), so a case the rule holds for now, unchanged since and without a flag, must have
    been on the near side of its threshold at ``since``. A day or two of slack covers
    calendar dates and time zones; the rules decide.

    =================  ==============================================================
    NO_CONTACT         started or last contact later than ``since`` - the longer period
    BIRTH_SOON         due on or after ``since`` + the window, or contact since - N days
    AFTER_BIRTH        born on or after ``since`` - N days
    BIRTH_OVERDUE      due on or after ``since`` - N days
    UNMATCHED          referred later than ``since`` - N days
    VOLUNTEER_LAPSED   the volunteer paused or left (no write time kept for a closed
                       account: all such cases), or the DBS check expires after ``since``
    STALE_DRAFT        oldest draft touched later than ``since`` - N days
    PAST_1001_DAYS     born on or after ``since`` - 731 days (the second birthday)
    =================  ==============================================================
    """
    slack = timedelta(days=2)

    def later_than(column: Any, value: datetime) -> Any:  # column > value, on raw values
        return type_coerce(column, UTCDateTime()) > literal(
            value - timedelta(seconds=1), UTCDateTime()
        )

    def on_or_after(column: Any, value: datetime) -> Any:
        return type_coerce(column, Date()) >= literal((value - slack).date(), Date())

    def days(n: int) -> timedelta:
        return timedelta(days=n)

    longest = days(max(t.no_contact_days, t.no_contact_high_risk_days))
    return {
        Rule.NO_CONTACT: or_(
            later_than(c.started_at, since - longest),
            later_than(c.latest_contact_at, since - longest),
        ),
        Rule.BIRTH_SOON: or_(
            on_or_after(c.due_date, since + days(t.birth_soon_window_days)),
            later_than(c.latest_contact_at, since - days(t.birth_soon_contact_days)),
        ),
        Rule.AFTER_BIRTH: on_or_after(c.birth_date, since - days(t.after_birth_days)),
        Rule.BIRTH_OVERDUE: on_or_after(c.due_date, since - days(t.birth_overdue_days)),
        Rule.UNMATCHED: later_than(c.referred_at, since - days(t.unmatched_days)),
        Rule.VOLUNTEER_LAPSED: or_(
            c.volunteer_status.in_(["paused", "left"]), on_or_after(c.dbs_expires_on, since)
        ),
        Rule.STALE_DRAFT: later_than(c.oldest_draft, since - days(t.stale_draft_days)),
        Rule.PAST_1001_DAYS: on_or_after(c.birth_date, since - days(731)),
    }
