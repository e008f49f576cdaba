"""Case work writes audit events, and those events carry no clinical text."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent
from tests.cases.conftest import World
from tests.helpers import login, post_form


def test_views_and_changes_are_audited_without_clinical_text(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.alice.email)
    post_form(
        client,
        f"/cases/{world.alice_case.id}/checkins/new",
        {
            "mode": "phone",
            "occurred_at": "2026-11-02T09:00",
            "successful": "yes",
            "wellbeing": "1",
            "concerns": ["self_harm"],
            "notes": "She said something very private",
            "action": "submit",
        },
    )
    events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    actions = [e.action for e in events]
    assert "parent.viewed" not in actions  # the form page shows no parent details
    assert "checkin.created" in actions and "checkin.submitted" in actions
    text = " ".join(f"{e.action} {e.object_type} {e.object_id} {e.detail}" for e in events)
    for secret in ("private", "self_harm", "wellbeing", world.alice_case.parent.first_name):
        assert secret not in text
    for e in events:
        assert e.ip == "127.0.0.1" and e.at is not None
