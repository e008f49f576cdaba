"""Admin writes: areas (name, duty email, duty phone) and safeguarding leads. Flush only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from app.domain import Role, ServiceError
from app.extensions import SessionLike
from app.models import Area, User


class AreaError(ServiceError):
    """An area change that cannot be made (the name is taken, …): the message says why."""


@dataclass(frozen=True)
class AreaData:
    name: str
    duty_email: str | None
    duty_phone: str | None


def _name_taken(session: SessionLike, name: str, area_id: int | None) -> bool:
    query = select(Area.id).where(func.lower(Area.name) == name.strip().lower())
    if area_id is not None:
        query = query.where(Area.id != area_id)
    return session.scalar(query.limit(1)) is not None


def create_area(session: SessionLike, now: datetime, data: AreaData) -> Area:
    if _name_taken(session, data.name, None):
        raise AreaError(f"There is already an area called {data.name.strip()}.")
    area = Area(
        name=data.name.strip(),
        duty_email=data.duty_email or None,
        duty_phone=data.duty_phone or None,
        created_at=now,
    )
    session.add(area)
    session.flush()
    return area


def update_area(session: SessionLike, area: Area, data: AreaData) -> list[str]:
    """Rename the area or change its duty email or phone; the names of the fields changed."""
    if _name_taken(session, data.name, area.id):
        raise AreaError(f"There is already an area called {data.name.strip()}.")
    new = {
        "name": data.name.strip(),
        "duty_email": data.duty_email or None,
        "duty_phone": data.duty_phone or None,
    }
    changed = [name for name, value in new.items() if getattr(area, name) != value]
    for name in changed:
        setattr(area, name, new[name])
    session.flush()
    return changed


def set_safeguarding_lead(session: SessionLike, user: User, lead: bool) -> bool:
    """Mark (or unmark) a staff member as a safeguarding lead; whether anything changed."""
    if lead and user.role not in (Role.COORDINATOR, Role.ADMIN):
        raise AreaError("Only coordinators and admins can be safeguarding leads.")
    if user.safeguarding_lead == lead:
        return False
    user.safeguarding_lead = lead
    session.flush()
    return True
