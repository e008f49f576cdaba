"""The settings store: defaults, saved values, and the audit event every change writes."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent
from app.settings import get_settings, save_settings
from tests.factories import NOW, make_user


def test_saved_values_lie_over_defaults_and_are_audited(session: SessionLike) -> None:
    admin = make_user(session, "admin")
    defaults = {"a": 1, "b": 2}
    assert get_settings(session, "demo", defaults) == defaults

    save_settings(session, NOW, "demo", {"a": 5, "unknown": 9}, admin.id, "127.0.0.1")
    save_settings(session, NOW, "demo", {"a": 6}, admin.id, "127.0.0.1")

    assert get_settings(session, "demo", defaults) == {"a": 6, "b": 2}
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "settings.changed"))
    assert [(e.actor_id, e.object_type, e.object_id, e.ip) for e in events] == [
        (admin.id, "settings", "demo", "127.0.0.1")
    ] * 2
