"""The report page's figures by month: one statement per figure, whatever the months or cases.

The page draws five figures month by month (referrals, new matches, parents supported,
successful contacts, flags raised). Each is one statement with a column per month:
``sum(CASE WHEN <in month i> THEN 1 ELSE 0 END)`` (``count(DISTINCT CASE …)`` for parents
supported), so a year costs as many statements as a month. The definitions are those of
``app.reports.summary`` restricted to each month: a test checks each month against
``summarise`` over that month.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.sql.elements import ColumnElement

from app.domain import CheckInStatus
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, EscalationFlag, Parent
from app.reports.periods import Period, bounds

Figures = dict[str, Any]


def _count_when(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)


def _row(session: SessionLike, stmt: Any, size: int) -> list[int]:
    row = session.execute(stmt).one_or_none()
    return [int(value or 0) for value in row] if row is not None else [0] * size


def by_month(
    session: SessionLike,
    parts: Sequence[Period],
    *,
    area_id: int | None = None,
    scope: ColumnElement[bool] | None = None,
) -> list[tuple[Period, Figures]]:
    """For each month of ``parts``, the figures the page draws by month, in the shape of
    ``summarise``'s (``{"referrals": {"total": n}, "matches": {"new": n}, …}``)."""
    if not parts:
        return []
    cases: list[ColumnElement[bool]] = []
    if scope is not None:
        cases.append(scope)
    if area_id is not None:
        cases.append(Case.area_id == area_id)
    edges = [bounds(part) for part in parts]
    lo, hi = edges[0][0], edges[-1][1]
    first_day, last_day = parts[0].start, parts[-1].end

    referrals = _row(
        session,
        select(
            *(
                _count_when(and_(Parent.referred_on >= p.start, Parent.referred_on <= p.end))
                for p in parts
            )
        )
        .select_from(Case)
        .join(Parent, Parent.id == Case.parent_id)
        .where(Parent.referred_on >= first_day, Parent.referred_on <= last_day, *cases),
        len(parts),
    )
    matches = _row(
        session,
        select(
            *(
                _count_when(and_(Assignment.started_at >= a, Assignment.started_at < b))
                for a, b in edges
            )
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(Assignment.started_at >= lo, Assignment.started_at < hi, *cases),
        len(parts),
    )
    supported = _row(
        session,
        select(
            *(
                func.count(
                    func.distinct(
                        sql_case(
                            (
                                and_(
                                    Assignment.started_at < b,
                                    or_(Assignment.ended_at.is_(None), Assignment.ended_at > a),
                                ),
                                Case.parent_id,
                            )
                        )
                    )
                )
                for a, b in edges
            )
        )
        .select_from(Assignment)
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.started_at < hi,
            or_(Assignment.ended_at.is_(None), Assignment.ended_at > lo),
            *cases,
        ),
        len(parts),
    )
    contacts_stmt = select(
        *(_count_when(and_(CheckIn.occurred_at >= a, CheckIn.occurred_at < b)) for a, b in edges)
    ).where(
        CheckIn.status == CheckInStatus.SUBMITTED.value,
        CheckIn.successful.is_(True),
        CheckIn.occurred_at >= lo,
        CheckIn.occurred_at < hi,
        *cases,
    )
    if cases:  # join the largest table to cases only to filter on them
        contacts_stmt = contacts_stmt.join(Case, Case.id == CheckIn.case_id)
    contacts = _row(session, contacts_stmt, len(parts))
    flags = _row(
        session,
        select(
            *(
                _count_when(and_(EscalationFlag.raised_at >= a, EscalationFlag.raised_at < b))
                for a, b in edges
            )
        )
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(EscalationFlag.raised_at >= lo, EscalationFlag.raised_at < hi, *cases),
        len(parts),
    )
    return [
        (
            part,
            {
                "referrals": {"total": referrals[i]},
                "matches": {"new": matches[i]},
                "parents_supported": supported[i],
                "contacts": {"successful": contacts[i]},
                "flags": {"raised": flags[i]},
            },
        )
        for i, part in enumerate(parts)
    ]
