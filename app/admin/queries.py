"""Queries of the admin pages: the people list and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import false, func, select
from sqlalchemy.orm import joinedload

from app.extensions import SessionLike
from app.models import AuditEvent, User
from app.search_keys import SearchTerms, like_inside

PAGE_SIZE = 50


def users_by_role_and_name(session: SessionLike, terms: SearchTerms | None = None) -> list[User]:
    """Every account (those the search terms find by name or email, if any), grouped by role,
    then by last and first name."""
    query = select(User).order_by(User.role, User.last_name, User.first_name, User.id)
    if terms is not None and terms.text:
        found = User.search_key.like(like_inside(terms.key), escape="/")
        query = query.where(found if not terms.empty else false())
    return list(session.scalars(query))


@dataclass
class AuditFilter:
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def audit_events(session: SessionLike, flt: AuditFilter, page: int) -> tuple[list[AuditEvent], int]:
    """Audit events matching the filter, newest first, one page at a time; and how many match."""
    query = select(AuditEvent)
    if flt.actor_id:
        query = query.where(AuditEvent.actor_id == flt.actor_id)
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.object_type:
        query = query.where(AuditEvent.object_type == flt.object_type)
    if flt.start:
        query = query.where(AuditEvent.at >= flt.start)
    if flt.end:
        query = query.where(AuditEvent.at < flt.end)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = session.scalars(
        query.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return list(events), total


def audit_choices(session: SessionLike) -> tuple[list[str], list[str], list[User]]:
    """Distinct actions, object types and actors for the filter menus."""
    actions = session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    types = session.scalars(
        select(AuditEvent.object_type)
        .where(AuditEvent.object_type.is_not(None))
        .distinct()
        .order_by(AuditEvent.object_type)
    )
    users = session.scalars(select(User).order_by(User.last_name, User.first_name))
    return [a for a in actions], [t for t in types if t], list(users)
