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

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, false, not_, or_, select, union

from app.domain import SCHEDULED_RULES, CheckInStatus, FlagStatus, Rule
from app.escalation.rules_dates import after_birth, birth_overdue, birth_soon, past_1001_days
from app.escalation.rules_facts import CaseFacts, Hit
from app.escalation.rules_thresholds import Thresholds
from app.escalation.rules_volunteer import volunteer_lapsed
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

#: how far either side of a date's threshold the days are tried (``changing_dates``)
DATE_REACH = timedelta(days=3)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def instant_in(column: Any, since: datetime, now: datetime, offset: timedelta) -> Any:
    """SQL: ``column + offset`` falls in (``since``, ``now``]: a threshold ``offset`` after the
    instant in ``column`` was crossed in between (the rules hold from the threshold on, and
    both databases compare instants to the microsecond, so these bounds are exact)."""
    return and_(column > since - offset, column <= now - offset)


def changing_dates(
    since: datetime,
    now: datetime,
    verdict: Callable[[date, datetime], Hit | None],
    offsets: Iterable[int],
) -> list[date]:
    """The calendar dates for which a rule on one date of a case (its other facts held so
    that only that date matters) holds at ``since`` but not at ``now``, or the other way
    round: the rule itself (``verdict``) is asked, so the service time zone, the second
    birthday of 29 February and each rule's "on or after" are exactly the rule's. Only the
    dates within ``DATE_REACH`` of ``since`` - N .. ``now`` - N are tried, for each N in
    ``offsets`` (the rule's threshold is N days after 00:00 on the date, in a zone less
    than a day from UTC); no other date's verdict can change in between."""
    found: set[date] = set()
    for offset in offsets:
        day = (since - days(offset) - DATE_REACH).date()
        last = (now - days(offset) + DATE_REACH).date()
        while day <= last:
            if (verdict(day, since) is None) != (verdict(day, now) is None):
                found.add(day)
            day += timedelta(days=1)
    return sorted(found)


def date_changes(column: Any, dates: list[date]) -> Any:
    """SQL: the date in ``column`` is one of ``dates`` (false for none)."""
    return column.in_(dates) if dates else false()


#: facts for which only the date under test decides a date rule
_FAR_PAST = datetime(1900, 1, 1, tzinfo=UTC)


def _facts(**dates: Any) -> CaseFacts:
    return CaseFacts(
        case_id=0,
        status="active",
        referred_at=_FAR_PAST,
        assignment_started_at=_FAR_PAST,
        volunteer_status="active",
        **dates,
    )


def date_terms(since: datetime, now: datetime, t: Thresholds) -> dict[str, list[date]]:
    """For each rule on a date, the dates whose verdict changes between ``since`` and
    ``now`` (``changing_dates``)."""
    return {
        Rule.BIRTH_SOON: changing_dates(  # comes within the window, or the due date passes
            since,
            now,
            lambda day, at: birth_soon(_facts(due_date=day), at, t),
            [-t.birth_soon_window_days, 1],
        ),
        Rule.AFTER_BIRTH: changing_dates(
            since,
            now,
            lambda day, at: after_birth(_facts(birth_date=day), at, t),
            [t.after_birth_days],
        ),
        Rule.BIRTH_OVERDUE: changing_dates(
            since,
            now,
            lambda day, at: birth_overdue(_facts(due_date=day), at, t),
            [t.birth_overdue_days],
        ),
        Rule.VOLUNTEER_LAPSED: changing_dates(
            since,
            now,
            lambda day, at: volunteer_lapsed(_facts(volunteer_dbs_expires_on=day), at, t),
            [0],
        ),
        Rule.PAST_1001_DAYS: changing_dates(
            since,
            now,
            lambda day, at: past_1001_days(_facts(birth_date=day), at, t),
            [730, 731],
        ),
    }


def candidate_ids(since: datetime, now: datetime, t: Thresholds) -> Any:
    """The ids of the cases the incremental scan as of ``now`` evaluates, the last completed
    scan being as of ``since`` (one union; a closed case in it is harmless, the open-case
    query leaves it out)."""
    return union(
        *written_since(since, now, t),
        *flags_to_review(since, now, t),
        *crossed_since(since, now, t),
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
    (not by the last scan itself), or with an unresolved flag that time alone can resolve
    or re-grade between ``since`` and ``now``:

    =================  ==============================================================
    BIRTH_SOON         resolves the day after the due date: that day starts in between
    NO_CONTACT         a medium one turns high ``no_contact_severe_days`` after the
                       start or the latest contact: ``crossed_since`` and
                       ``checkin_windows`` name those cases already, flag or not
    VOLUNTEER_LAPSED   resolves when the volunteer is active with a valid DBS check; a
                       closed account reopened has no write time, so every case whose
                       rule is not sure to hold still (paused, left, closed account or
                       DBS expired two days before ``now``) is a candidate
    CHECK_FAILED       every one (the next scan that can evaluate the case resolves it)
    =================  ==============================================================

    Every other flag's condition changes only with the facts (``written_since``).
    """
    open_assignment = and_(Assignment.case_id == Case.id, Assignment.ended_at.is_(None))
    dates = date_terms(since, now, t)
    return [
        select(EscalationFlag.case_id).where(
            EscalationFlag.rule.in_([str(rule) for rule in SCHEDULED_RULES]),
            or_(
                EscalationFlag.resolved_at > since,
                # resolved by hand as the last scan ran (the scan's own resolutions are
                # automatic, as of ``since``: they agree with the rules then)
                and_(
                    EscalationFlag.resolved_at == since, EscalationFlag.resolved_by_id.is_not(None)
                ),
            ),
        ),
        select(EscalationFlag.case_id)
        .join(Case, Case.id == EscalationFlag.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .outerjoin(Assignment, open_assignment)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Assignment.volunteer_id)
        .outerjoin(User, User.id == Assignment.volunteer_id)
        .where(
            EscalationFlag.status != FlagStatus.RESOLVED.value,
            or_(
                EscalationFlag.rule == str(Rule.CHECK_FAILED),
                and_(
                    EscalationFlag.rule == str(Rule.BIRTH_SOON),
                    date_changes(Parent.due_date, dates[Rule.BIRTH_SOON]),
                ),
                and_(
                    EscalationFlag.rule == str(Rule.VOLUNTEER_LAPSED),
                    not_(surely_lapsed(now)),
                ),
            ),
        ),
    ]


def volunteer_paused_or_left() -> Any:
    """SQL, never NULL: the case's open assignment's volunteer is paused or left, or their
    account is closed (the scan's facts call that "left")."""
    return or_(
        and_(
            VolunteerProfile.status.is_not(None),
            VolunteerProfile.status.in_(["paused", "left"]),
        ),
        User.active.is_(False),
    )


def surely_lapsed(now: datetime) -> Any:
    """SQL, never NULL: VOLUNTEER_LAPSED is sure to hold as of ``now`` for the case's open
    assignment (joined as ``Assignment``, ``VolunteerProfile``, ``User``)."""
    return and_(
        Assignment.started_at.is_not(None),
        or_(
            volunteer_paused_or_left(),
            and_(
                VolunteerProfile.dbs_expires_on.is_not(None),
                VolunteerProfile.dbs_expires_on <= (now - days(2)).date(),
            ),
        ),
    )


def crossed_since(since: datetime, now: datetime, t: Thresholds) -> list[Any]:
    """Selects of the ids of cases whose facts, as they are, can make a rule in
    ``TIMED_RULES`` hold now though it did not at ``since``: a threshold, counted from a date
    of the case, the parent or the volunteer, falls between the two (a threshold on a
    calendar date: the dates whose verdict the rule itself says changes, ``date_terms``).
    Each rule's time condition only ever turns on as time passes, but BIRTH_SOON's also
    turns off after the due date: those dates are in its term too. A threshold counted from
    the latest contact or the oldest draft is ``checkin_windows``.

    =================  ==============================================================
    NO_CONTACT         the first contact falls due (``first_contact_days``, or the
                       case's shorter period) or turns high, counted from the start
    BIRTH_SOON         the due date comes within the window, or passes (no birth)
    AFTER_BIRTH        ``after_birth_days`` after the birth date
    BIRTH_OVERDUE      ``birth_overdue_days`` after the due date (no birth recorded)
    UNMATCHED          ``unmatched_days`` after the referral
    VOLUNTEER_LAPSED   the DBS check expires; or the volunteer is paused or left (a
                       closed account has no write time) and the case has no
                       unresolved VOLUNTEER_LAPSED flag yet
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
    dates = date_terms(since, now, t)
    has_lapsed_flag = (
        select(EscalationFlag.id)
        .where(
            EscalationFlag.case_id == Assignment.case_id,
            EscalationFlag.rule == str(Rule.VOLUNTEER_LAPSED),
            EscalationFlag.status != FlagStatus.RESOLVED.value,
        )
        .exists()
    )
    # one small select a table (a closed case in them is harmless): cheaper than joining
    # every open case to its parent, assignment and volunteer to test a few dates
    return [
        select(Assignment.case_id).where(
            Assignment.ended_at.is_(None),
            or_(*(instant_in(started, since, now, days(n)) for n in first_contact)),
        ),
        select(Case.id).where(instant_in(Case.referred_at, since, now, days(t.unmatched_days))),
        select(Case.id)
        .join(Parent, Parent.id == Case.parent_id)
        .where(
            or_(
                and_(no_birth, date_changes(due, dates[Rule.BIRTH_SOON])),
                date_changes(born, dates[Rule.AFTER_BIRTH]),
                and_(no_birth, date_changes(due, dates[Rule.BIRTH_OVERDUE])),
                date_changes(born, dates[Rule.PAST_1001_DAYS]),
            )
        ),
        select(Assignment.case_id)
        .join(User, User.id == Assignment.volunteer_id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == Assignment.volunteer_id)
        .where(
            Assignment.ended_at.is_(None),
            or_(
                date_changes(VolunteerProfile.dbs_expires_on, dates[Rule.VOLUNTEER_LAPSED]),
                and_(volunteer_paused_or_left(), ~has_lapsed_flag),
            ),
        ),
    ]
