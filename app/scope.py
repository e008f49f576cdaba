"""Who may see which case: the one place that decides, used by every area's queries.

* admin: every case;
* coordinator: cases in one of their areas, cases they own, and cases with no area;
  a coordinator with no areas (a charity with one area) sees every case;
* volunteer: only cases with an open assignment to them; a volunteer who has left
  (profile status ``left``) sees none: her open assignments wait for a coordinator
  (the VOLUNTEER_LAPSED flag). A paused volunteer keeps her current parents;
* a deactivated account (any role) sees nothing (its session is refused anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, select, true
from sqlalchemy.sql.elements import ColumnElement

from app.domain import VolunteerStatus
from app.extensions import SessionLike
from app.models import Assignment, Case, Role, User


def visible_cases(user: User) -> ColumnElement[bool]:
    """A WHERE clause over ``Case`` limiting it to what ``user`` may see."""
    if not user.active:
        return false()
    if user.role == Role.ADMIN:
        return true()
    if user.role == Role.COORDINATOR:
        area_ids = [area.id for area in user.areas]
        if not area_ids:
            return true()
        return Case.area_id.in_(area_ids) | Case.area_id.is_(None) | (Case.owner_id == user.id)
    if user.role == Role.VOLUNTEER:
        profile = user.volunteer_profile
        if profile is not None and profile.status == VolunteerStatus.LEFT:
            return false()
        return Case.id.in_(
            select(Assignment.case_id).where(
                Assignment.volunteer_id == user.id, Assignment.ended_at.is_(None)
            )
        )
    return false()


def visibility_key(user: User) -> tuple[Any, ...]:
    """Everything ``visible_cases(user)`` depends on: two users with the same key get the
    same clause (a statement built for one may be kept and run again for the other)."""
    profile = user.volunteer_profile if user.role == Role.VOLUNTEER else None
    return (
        user.id,
        user.active,
        user.role,
        tuple(sorted(area.id for area in user.areas)) if user.role == Role.COORDINATOR else (),
        profile.status if profile is not None else None,
    )


def case_for(session: SessionLike, user: User, case_id: int) -> Case | None:
    """The case if ``user`` may see it, else None (views answer 404)."""
    return session.scalar(select(Case).where(Case.id == case_id, visible_cases(user)))
