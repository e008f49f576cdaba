"""Admin settings stored as JSON values, with defaults in code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit import record
from app.extensions import SessionLike
from app.models import Setting


def get_settings(session: SessionLike, key: str, defaults: dict[str, Any]) -> dict[str, Any]:
    """The stored dict for ``key`` laid over ``defaults`` (unknown stored keys are ignored)."""
    stored = session.scalar(select(Setting.value).where(Setting.key == key)) or {}
    return {name: stored.get(name, value) for name, value in defaults.items()}


def save_settings(
    session: SessionLike,
    now: datetime,
    key: str,
    values: dict[str, Any],
    user_id: int | None,
    ip: str | None = None,
) -> None:
    """Store the values for ``key`` and write the audit event for the change."""
    setting = session.get(Setting, key)
    if setting is None:
        setting = Setting(key=key, value=dict(values), updated_at=now, updated_by_id=user_id)
        session.add(setting)
    else:
        setting.value = dict(values)
        setting.updated_at = now
        setting.updated_by_id = user_id
    record(
        session,
        now,
        "settings.changed",
        actor_id=user_id,
        object_type="settings",
        object_id=key,
        ip=ip,
    )
    session.flush()
