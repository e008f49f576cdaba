"""Append-only audit events. Callers pass ids and action names, never clinical text."""

from __future__ import annotations

from datetime import datetime

from app.extensions import SessionLike
from app.models import AuditEvent


def record(
    session: SessionLike,
    now: datetime,
    action: str,
    *,
    actor_id: int | None,
    object_type: str | None = None,
    object_id: int | str | None = None,
    ip: str | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the caller's transaction commits it)."""
    event = AuditEvent(
        at=now,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        detail=detail[:255] if detail else None,
    )
    session.add(event)
    return event
