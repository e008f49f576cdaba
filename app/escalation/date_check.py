"""The data check: stored dates no form or import would accept now (``app.dates``).

``flask escalation check-dates`` lists them by reference, field and value, never a name. An
open case's parent is held to the form's bounds; a closed case's dates are history, held
only to their latest bound; volunteers' dates to theirs. One query per table, each keeping
only the rows outside the bounds (computed here from today), so it is cheap on any data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, func, or_, select

from app.dates import EARLIEST, DateKind, date_bounds, date_problem, due_kind
from app.domain import case_reference
from app.escalation.scan_facts import OPEN_STATUSES
from app.extensions import SessionLike
from app.models import Case, Parent, VolunteerProfile

PARENT_FIELDS: dict[str, str] = {
    "due_date": DateKind.DUE,
    "birth_date": DateKind.BIRTH,
    "consent_on": DateKind.CONSENT,
}
VOLUNTEER_FIELDS: dict[str, str] = {
    "training_completed_on": DateKind.VOLUNTEER_PAST,
    "training_expires_on": DateKind.DBS_EXPIRY,
    "dbs_checked_on": DateKind.VOLUNTEER_PAST,
    "dbs_expires_on": DateKind.DBS_EXPIRY,
}


@dataclass(frozen=True)
class DateIssue:
    """One stored date out of bounds: whose (a reference, no name), which field, the value."""

    reference: str
    field: str
    value: date
    problem: str


def _outside(column: Any, kind: str, today: date, history: bool) -> Any:
    """SQL: the column is outside the bounds (for a due date the strictest, those without a
    birth date, so every row that may be out comes back; Python then decides)."""
    earliest, latest = date_bounds(kind, today)
    return or_(column < (EARLIEST if history else earliest), column > latest)


def implausible_dates(session: SessionLike, today: date) -> list[DateIssue]:
    """Every stored date a form would refuse today, by case reference (or volunteer id)."""
    issues: list[DateIssue] = []
    is_open = Case.status.in_(OPEN_STATUSES)
    # a parent's latest case decides whether their dates are history
    latest_case = (
        select(func.max(Case.id)).where(Case.parent_id == Parent.id).correlate(Parent)
    ).scalar_subquery()
    columns = [getattr(Parent, name) for name in PARENT_FIELDS]
    rows = session.execute(
        select(Parent.ref, Case.id, is_open.label("open"), *columns)
        .join(Case, Case.id == latest_case)
        .where(
            or_(
                *(
                    or_(
                        and_(is_open, _outside(column, kind, today, history=False)),
                        _outside(column, kind, today, history=True),
                    )
                    for column, kind in zip(columns, PARENT_FIELDS.values(), strict=True)
                )
            )
        )
        .order_by(Case.id)
    )
    for row in rows:
        reference = case_reference(row.id)
        if row.ref != reference:  # the charity's own reference, beside Corner's
            reference += f" (parent {row.ref})"
        for name, kind in PARENT_FIELDS.items():
            value = getattr(row, name)
            if value is None:
                continue
            if kind == DateKind.DUE:
                kind = due_kind(row.birth_date)
            problem = date_problem(kind, value, today, history=not row.open)
            if problem is not None:
                issues.append(DateIssue(reference, name, value, problem))
    vcolumns = [getattr(VolunteerProfile, name) for name in VOLUNTEER_FIELDS]
    vrows = session.execute(
        select(VolunteerProfile.user_id, *vcolumns)
        .where(
            or_(
                *(
                    _outside(column, kind, today, history=False)
                    for column, kind in zip(vcolumns, VOLUNTEER_FIELDS.values(), strict=True)
                )
            )
        )
        .order_by(VolunteerProfile.user_id)
    )
    for row in vrows:
        for name, kind in VOLUNTEER_FIELDS.items():
            value = getattr(row, name)
            if value is not None and (problem := date_problem(kind, value, today)) is not None:
                issues.append(DateIssue(f"volunteer #{row.user_id}", name, value, problem))
    return issues
