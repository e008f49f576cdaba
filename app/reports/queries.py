"""The report's SQL: one set-based statement per figure group, whatever the number of cases.

Every function takes a ``Filter`` (the period's UTC bounds, the period's days and the WHERE
clauses over ``Case``) and returns plain rows or numbers; ``app.reports.summary`` turns them
into the report. Where a median is needed the statement returns only the few per-case
numbers (two columns) and Python takes the median: still one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal, or_, select, union_all
from sqlalchemy import case as sql_case
from sqlalchemy.sql.elements import ColumnElement

from app.domain import CLOSE_REASONS, CaseStatus, CheckInStatus, Severity, VolunteerStatus
from app.equality import FIELD_NAMES, NOT_RECORDED
from app.extensions import SessionLike
from app.models import Area, Assignment, Case, CheckIn, EscalationFlag, Parent, User
from app.models import VolunteerProfile as Profile


@dataclass(frozen=True)
class Filter:
    """What every statement restricts to: the period and the cases (and volunteers) in view."""

    start: date  # first day, local
    end: date  # last day, local
    lo: datetime  # 00:00 local on ``start``, UTC
    hi: datetime  # 00:00 local the day after ``end``, UTC
    cases: tuple[ColumnElement[bool], ...]  # WHERE clauses over Case (scope, area)
    area_id: int | None

    def during(self, column: Any) -> ColumnElement[bool]:
        """An instant column within the period."""
        return and_(column >= self.lo, column < self.hi)


def area_name(session: SessionLike, area_id: int) -> str | None:
    return session.scalar(select(Area.name).where(Area.id == area_id))


def _referrals(f: Filter, *columns: Any) -> Select[Any]:
    """Cases whose referral date (the parent's ``referred_on``) is within the period."""
    return (
        select(*columns)
        .select_from(Case)
        .join(Parent, Parent.id == Case.parent_id)
        .where(Parent.referred_on >= f.start, Parent.referred_on <= f.end, *f.cases)
    )


def referral_dates(
    session: SessionLike, f: Filter
) -> list[tuple[date, date | None, date | None, int]]:
    """(referral date, due date, birth date, how many cases) for the referrals in the period."""
    key = (Parent.referred_on, Parent.due_date, Parent.birth_date)
    stmt = _referrals(f, *key, func.count()).group_by(*key)
    return [(r, d, b, n) for r, d, b, n in session.execute(stmt)]


def referral_sources(session: SessionLike, f: Filter) -> list[tuple[str | None, int]]:
    """(referral source as recorded, how many) for the referrals in the period."""
    stmt = _referrals(f, Parent.referral_source, func.count()).group_by(Parent.referral_source)
    return [(source, n) for source, n in session.execute(stmt)]


def referral_equality(session: SessionLike, f: Filter) -> list[tuple[str, str | None, int]]:
    """(field, stored code or None, how many) for each monitoring field: one statement."""
    parts = []
    for name in FIELD_NAMES:
        column = getattr(Parent, name)
        parts.append(
            _referrals(
                f, literal(name).label("field"), column.label("code"), func.count()
            ).group_by(column)
        )
    stmt = union_all(*parts)
    return [(field, code, n) for field, code, n in session.execute(stmt)]


def assignments_started(session: SessionLike, f: Filter) -> int:
    """Assignments that started in the period."""
    stmt = (
        select(func.count(Assignment.id))
        .join(Case, Case.id == Assignment.case_id)
        .where(f.during(Assignment.started_at), *f.cases)
    )
    return int(session.scalar(stmt) or 0)


def first_matches(session: SessionLike, f: Filter) -> list[tuple[date, datetime]]:
    """(referral date, first assignment's start) for cases first matched in the period."""
    first = (
        select(Assignment.case_id, func.min(Assignment.started_at).label("started_at"))
        .group_by(Assignment.case_id)
        .subquery()
    )
    stmt = (
        select(Parent.referred_on, first.c.started_at)
        .select_from(first)
        .join(Case, Case.id == first.c.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .where(first.c.started_at >= f.lo, first.c.started_at < f.hi, *f.cases)
    )
    return [(referred, started) for referred, started in session.execute(stmt)]


def parents_supported(session: SessionLike, f: Filter) -> int:
    """Distinct parents with an assignment overlapping the period (ending after it starts)."""
    stmt = (
        select(func.count(func.distinct(Case.parent_id)))
        .select_from(Assignment)
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.started_at < f.hi,
            or_(Assignment.ended_at.is_(None), Assignment.ended_at > f.lo),
            *f.cases,
        )
    )
    return int(session.scalar(stmt) or 0)


def contacts(session: SessionLike, f: Filter) -> list[tuple[str, bool, int, int]]:
    """(mode, reached the parent, how many, minutes) of submitted check-ins in the period."""
    stmt = (
        select(
            CheckIn.mode,
            CheckIn.successful,
            func.count(),
            func.coalesce(func.sum(CheckIn.duration_min), 0),
        )
        .where(
            CheckIn.status == CheckInStatus.SUBMITTED.value, f.during(CheckIn.occurred_at), *f.cases
        )
        .group_by(CheckIn.mode, CheckIn.successful)
    )
    if f.cases:  # every check-in has a case: join only to filter on it (the largest table)
        stmt = stmt.join(Case, Case.id == CheckIn.case_id)
    return [
        (mode, bool(ok), n, int(minutes or 0)) for mode, ok, n, minutes in session.execute(stmt)
    ]


def close_reason_code() -> ColumnElement[str]:
    """The stored close reason as a code: the forms store the words (and "Other: …"), an
    import may store the code; anything else recorded is ``other``; none, ``not_recorded``."""
    reason = func.lower(func.trim(func.coalesce(Case.close_reason, "")))
    whens: list[tuple[ColumnElement[bool], Any]] = [(reason == "", literal(NOT_RECORDED))]
    for code, words in CLOSE_REASONS:
        whens.append((reason.in_([code, words.lower()]), literal(code)))
    return sql_case(*whens, else_=literal("other"))


def closed_reasons(session: SessionLike, f: Filter) -> list[tuple[str, int]]:
    """(close reason code, how many) for cases closed in the period."""
    code = close_reason_code().label("code")
    stmt = (
        select(code, func.count())
        .where(Case.status == CaseStatus.CLOSED.value, f.during(Case.closed_at), *f.cases)
        .group_by(code)
    )
    return [(c, n) for c, n in session.execute(stmt)]


def flags_raised(session: SessionLike, f: Filter) -> list[tuple[str, int]]:
    """(rule, how many) for flags raised in the period."""
    stmt = (
        select(EscalationFlag.rule, func.count())
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(f.during(EscalationFlag.raised_at), *f.cases)
        .group_by(EscalationFlag.rule)
    )
    return [(rule, n) for rule, n in session.execute(stmt)]


def flags_resolved(session: SessionLike, f: Filter) -> int:
    """Flags resolved in the period (whenever they were raised)."""
    stmt = (
        select(func.count(EscalationFlag.id))
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(f.during(EscalationFlag.resolved_at), *f.cases)
    )
    return int(session.scalar(stmt) or 0)


def urgent_acknowledgements(session: SessionLike, f: Filter) -> list[tuple[datetime, datetime]]:
    """(raised, acknowledged) for urgent flags raised in the period and acknowledged."""
    stmt = (
        select(EscalationFlag.raised_at, EscalationFlag.acknowledged_at)
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(
            EscalationFlag.severity == Severity.URGENT.value,
            EscalationFlag.acknowledged_at.is_not(None),
            f.during(EscalationFlag.raised_at),
            *f.cases,
        )
    )
    return [(raised, acked) for raised, acked in session.execute(stmt) if acked is not None]


def volunteers(session: SessionLike, f: Filter, now: datetime) -> tuple[int, int, int]:
    """(active at the end, new, left) — from what the profile holds, see docs/reports.md.

    * new: the volunteer's account was created in the period;
    * left: the profile's status is ``left`` and it last changed in the period;
    * active: account created before the end (or ``now``, if sooner), the account enabled,
      and the profile ``active`` — or changed since the end, so assumed active then.
    """
    end = min(f.hi, now)
    changed_since = and_(Profile.updated_at.is_not(None), Profile.updated_at >= end)
    one = literal(1)
    stmt = (
        select(
            func.coalesce(
                func.sum(
                    sql_case(
                        (
                            and_(
                                User.created_at < end,
                                User.active.is_(True),
                                or_(Profile.status == VolunteerStatus.ACTIVE.value, changed_since),
                            ),
                            one,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
            func.coalesce(func.sum(sql_case((f.during(User.created_at), one), else_=0)), 0),
            func.coalesce(
                func.sum(
                    sql_case(
                        (
                            and_(
                                Profile.status == VolunteerStatus.LEFT.value,
                                f.during(Profile.updated_at),
                            ),
                            one,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        )
        .select_from(Profile)
        .join(User, User.id == Profile.user_id)
    )
    if f.area_id is not None:
        stmt = stmt.where(Profile.area_id == f.area_id)
    active, new, left = session.execute(stmt).one()
    return int(active), int(new), int(left)


def wellbeing_changes(session: SessionLike, f: Filter) -> tuple[int, int, int]:
    """(improved, same, worse): cases closed in the period with two or more submitted
    check-ins scoring wellbeing, the last score (by when it happened) against the first.

    One window over each case's scores (one sort): its first and last score and how many,
    read on the case's first row; no self-join."""
    window: dict[str, Any] = {
        "partition_by": CheckIn.case_id,
        "order_by": (CheckIn.occurred_at, CheckIn.id),
    }
    whole = {**window, "rows": (None, None)}
    scores = (
        select(
            func.row_number().over(**window).label("k"),
            func.count().over(partition_by=CheckIn.case_id).label("n"),
            func.first_value(CheckIn.wellbeing).over(**whole).label("first"),
            func.last_value(CheckIn.wellbeing).over(**whole).label("last"),
        )
        .join(Case, Case.id == CheckIn.case_id)
        .where(
            Case.status == CaseStatus.CLOSED.value,
            f.during(Case.closed_at),
            CheckIn.status == CheckInStatus.SUBMITTED.value,
            CheckIn.wellbeing.is_not(None),
            *f.cases,
        )
        .subquery("scores")
    )
    first, last, one = scores.c["first"], scores.c["last"], literal(1)
    stmt = select(
        func.coalesce(func.sum(sql_case((last > first, one), else_=0)), 0),
        func.coalesce(func.sum(sql_case((last == first, one), else_=0)), 0),
        func.coalesce(func.sum(sql_case((last < first, one), else_=0)), 0),
    ).where(scores.c.k == 1, scores.c.n >= 2)
    improved, same, worse = session.execute(stmt).one()
    return int(improved), int(same), int(worse)
