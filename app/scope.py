"""Who may see which case: the one place that decides, used by every area's queries.

* admin: every case;
* coordinator: cases in one of their areas, cases they own, and cases with no area;
  a coordinator with no areas (a charity with one area) sees every case;
* volunteer: only cases with an open assignment to them.
"""

from __future__ import annotations

from sqlalchemy import false, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.extensions import SessionLike
from app.models import Assignment, Case, Role, User


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` limiting it to what ``user`` may see."""
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.COORDINATOR:
        area_ids = [area.id for area in user.areas]
        if not area_ids:
            return true()
        return Case.area_id.in_(area_ids) | Case.area_id.is_(None) | (Case.owner_id == user.id)
    if user.role == Role.VOLUNTEER:
        return Case.id.in_(
            select(Assignment.case_id).where(
                Assignment.volunteer_id == user.id, Assignment.ended_at.is_(None)
            )
        )
    return false()


def case_for(session: SessionLike, user: User, case_id: int) -> Case | None:
    """The case if ``user`` may see it, else None (views answer 404)."""
    return session.scalar(select(Case).where(Case.id == case_id, visible_cases(user)))
