"""Volunteers' check-ins: my parents, drafts, submit, the 24-hour rule, delete and restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases import service
from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, SETTINGS_KEY
from app.extensions import SessionLike
from app.models import AuditEvent, CheckIn
from app.settings import save_settings
from tests.cases.conftest import World
from tests.factories import NOW, make_assignment, make_case, make_checkin, make_parent
from tests.helpers import csrf_token, login, post_form

GOOD = {
    "mode": "phone",
    "occurred_at": "2026-11-02T09:30",
    "duration_min": "25",
    "successful": "yes",
    "wellbeing": "3",
    "bonding": "4",
    "whooley_down": "no",
    "topics": ["feeding", "sleep"],
    "concerns": ["anxiety"],
    "notes": "Talked about feeding.",
}


@pytest.fixture
def hook_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, datetime]]:
    """Record calls of the escalation hook (a no-op until the escalation work lands)."""
    calls: list[tuple[int, datetime]] = []
    real = service.on_checkin_submitted

    def spy(session: Any, checkin: CheckIn, now: datetime) -> None:
        assert checkin in session  # same session, same transaction
        calls.append((checkin.id, now))
        real(session, checkin, now)

    monkeypatch.setattr(service, "on_checkin_submitted", spy)
    return calls


def latest_checkin(session: SessionLike) -> CheckIn:
    session.expire_all()
    checkin = session.scalars(select(CheckIn).order_by(CheckIn.id.desc())).first()
    assert checkin is not None
    return checkin


def test_draft_then_finish_and_submit(
    client: FlaskClient, session: SessionLike, world: World, hook_calls: list[Any]
) -> None:
    login(client, world.alice.email)
    url = f"/cases/{world.alice_case.id}/checkins/new"
    form_html = client.get(url).get_data(as_text=True)
    assert 'value="2026-11-02T10:00"' in form_html  # default now, local time
    draft = {**GOOD, "wellbeing": "", "action": "draft"}
    response = client.post(url, data={**draft, "csrf_token": csrf_token(form_html)})
    assert response.status_code == 302 and response.headers["Location"] == "/my/drafts"
    checkin = latest_checkin(session)
    assert checkin.status == "draft" and checkin.wellbeing is None and hook_calls == []
    assert checkin.occurred_at == datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
    drafts = client.get("/my/drafts").get_data(as_text=True)
    assert f"/checkins/{checkin.id}/edit" in drafts
    # Submitting without "How was the parent feeling?" is refused.
    edit = f"/checkins/{checkin.id}/edit"
    response = post_form(client, edit, {**GOOD, "wellbeing": "", "action": "submit"})
    assert "Choose how the parent was feeling." in response.get_data(as_text=True)
    assert latest_checkin(session).status == "draft"
    response = post_form(client, edit, {**GOOD, "action": "submit"})
    assert response.status_code == 302
    checkin = latest_checkin(session)
    assert checkin.status == "submitted" and checkin.submitted_at == NOW
    assert checkin.wellbeing == 3 and checkin.bonding == 4 and checkin.whooley_down is False
    assert checkin.topics == ["feeding", "sleep"] and checkin.concerns == ["anxiety"]
    assert hook_calls == [(checkin.id, NOW)]
    assert "/checkins/" not in client.get("/my/drafts").get_data(as_text=True)
    actions = [e.action for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "checkin.created" in actions and "checkin.submitted" in actions
    details = " ".join(e.detail or "" for e in session.scalars(select(AuditEvent)))
    assert "feeding" not in details.replace("fields:", "")  # never the values


def test_attempt_needs_no_wellbeing_and_summer_time_is_converted(
    client: FlaskClient, session: SessionLike, world: World, hook_calls: list[Any]
) -> None:
    login(client, world.alice.email)
    data = {
        "mode": "text",
        "occurred_at": "2026-07-01T10:00",
        "successful": "no",
        "action": "submit",
    }
    response = post_form(client, f"/cases/{world.alice_case.id}/checkins/new", data)
    assert response.status_code == 302
    checkin = latest_checkin(session)
    assert not checkin.successful and checkin.status == "submitted"
    assert checkin.occurred_at == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # BST


def test_future_times_and_bad_choices_are_refused(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.alice.email)
    url = f"/cases/{world.alice_case.id}/checkins/new"
    future = {**GOOD, "occurred_at": "2026-11-02T10:06", "action": "submit"}
    html = post_form(client, url, future).get_data(as_text=True)
    assert "The time cannot be in the future." in html and "There is a problem" in html
    bad = {**GOOD, "wellbeing": "9", "action": "submit"}
    assert "Choose one of the options." in post_form(client, url, bad).get_data(as_text=True)
    grace = {**GOOD, "occurred_at": "2026-11-02T10:05", "action": "submit"}
    assert post_form(client, url, grace).status_code == 302
    session.expire_all()
    assert len(list(session.scalars(select(CheckIn)))) == 1


def test_submitted_checkin_read_only_after_24_hours(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    checkin = make_checkin(
        session, world.alice_case, world.alice, submitted_at=NOW - timedelta(hours=23), wellbeing=2
    )
    session.commit()
    login(client, world.alice.email)
    edit = f"/checkins/{checkin.id}/edit"
    assert client.get(edit).status_code == 200
    assert post_form(client, edit, {**GOOD, "wellbeing": "3"}).status_code == 302
    assert latest_checkin(session).wellbeing == 3
    app.config["CORNER_NOW"] = NOW + timedelta(hours=1, minutes=1)
    response = client.get(edit)
    assert response.status_code == 302 and response.headers["Location"] == f"/checkins/{checkin.id}"
    token = csrf_token(client.get(f"/checkins/{checkin.id}").get_data(as_text=True))
    client.post(edit, data={**GOOD, "wellbeing": "5", "csrf_token": token})
    client.post(f"/checkins/{checkin.id}/delete", data={"csrf_token": token, "confirmed": "yes"})
    checkin = latest_checkin(session)
    assert checkin.wellbeing == 3 and checkin.status == "submitted"


def test_delete_is_soft_hidden_and_a_coordinator_restores(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    draft = make_checkin(
        session, world.alice_case, world.alice, status="draft", notes="oops", submitted_at=None
    )
    session.commit()
    login(client, world.alice.email)
    page = client.get(f"/checkins/{draft.id}/edit").get_data(as_text=True)
    # The draft's page offers a link to a question, not a button that deletes at once.
    assert f'<a class="danger" href="/checkins/{draft.id}/delete">Delete this draft</a>' in page
    ask = client.get(f"/checkins/{draft.id}/delete")
    question = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Delete this draft?" in question
    assert "Yes, delete this draft" in question and "No, keep it" in question
    assert latest_checkin(session).status == "draft"  # asking changes nothing
    # A POST without the question's answer deletes nothing: it goes to the question.
    unasked = client.post(f"/checkins/{draft.id}/delete", data={"csrf_token": csrf_token(page)})
    assert unasked.headers["Location"] == f"/checkins/{draft.id}/delete"
    assert latest_checkin(session).status == "draft"
    response = client.post(
        f"/checkins/{draft.id}/delete",
        data={"csrf_token": csrf_token(question), "confirmed": "yes"},
    )
    assert response.status_code == 302
    checkin = latest_checkin(session)
    assert checkin.status == "deleted" and checkin.deleted_by_id == world.alice.id
    assert checkin.deleted_at == NOW and checkin.notes == "oops"  # the row stays
    assert "oops" not in client.get("/my/drafts").get_data(as_text=True)
    assert client.get(f"/checkins/{draft.id}").status_code == 404
    assert (
        client.get(f"/cases/{world.alice_case.id}")
        .get_data(as_text=True)
        .count(f"/checkins/{draft.id}")
        == 0
    )

    client = client.application.test_client()  # a fresh browser for the coordinator
    assert login(client, world.coordinator.email).status_code == 302
    html = client.get(f"/cases/{world.alice_case.id}?deleted=1").get_data(as_text=True)
    assert "oops" in html
    client.post(f"/checkins/{draft.id}/restore", data={"csrf_token": csrf_token(html)})
    restored = latest_checkin(session)
    assert restored.status == "draft" and restored.deleted_at is None
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"checkin.deleted", "checkin.restored"} <= actions


def test_coordinator_correction_is_audited_with_field_names_only(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    checkin = make_checkin(
        session,
        world.alice_case,
        world.alice,
        submitted_at=NOW - timedelta(days=10),
        occurred_at=datetime(2026, 10, 23, 9, 0, tzinfo=UTC),
        wellbeing=2,
        notes="Original note",
    )
    session.commit()
    login(client, world.coordinator.email)
    data = {**GOOD, "occurred_at": "2026-10-23T10:00", "wellbeing": "4", "notes": "Private words"}
    data.pop("bonding")
    data.pop("whooley_down")
    data["topics"], data["concerns"] = [], []
    response = post_form(client, f"/checkins/{checkin.id}/edit", data)
    assert response.status_code == 302
    corrected = latest_checkin(session)
    assert corrected.wellbeing == 4 and corrected.notes == "Private words"
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "checkin.corrected"))
    assert event is not None and event.actor_id == world.coordinator.id
    assert event.detail is not None
    assert "wellbeing" in event.detail and "notes" in event.detail
    assert "Private" not in event.detail and "4" not in event.detail


def test_coordinator_cannot_see_drafts(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    draft = make_checkin(session, world.alice_case, world.alice, status="draft")
    session.commit()
    login(client, world.coordinator.email)
    assert client.get(f"/checkins/{draft.id}").status_code == 404
    assert client.get(f"/checkins/{draft.id}/edit").status_code == 404


def test_my_parents_last_contact_and_next_due(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    # Alice's world case: assigned 5 Oct, contact 20 Oct → next due 3 Nov.
    make_checkin(
        session,
        world.alice_case,
        world.alice,
        occurred_at=datetime(2026, 10, 20, 14, 0, tzinfo=UTC),
    )
    make_checkin(  # an attempt does not count as contact
        session,
        world.alice_case,
        world.alice,
        occurred_at=datetime(2026, 10, 30, 14, 0, tzinfo=UTC),
        successful=False,
    )
    risky = make_case(
        session, make_parent(session, area=world.area, first_name="Weekly"), high_risk=True
    )
    make_assignment(
        session, risky, world.alice, started_at=datetime(2026, 10, 30, 9, 0, tzinfo=UTC)
    )
    session.commit()
    login(client, world.alice.email)
    html = client.get("/my/parents").get_data(as_text=True)
    first = world.alice_case.parent.first_name
    # a new assignment's first call is due within 3 days: 2 Nov, before Alice's 3 Nov
    assert html.index("Weekly") < html.index(first)
    weekly = html[html.index("Weekly") : html.index(first)]
    assert "not yet" in weekly and "First call due by <strong>Mon 2 Nov</strong>" in weekly
    assert "due now" in weekly and "You were matched on Fri 30 Oct" in weekly
    card = html[html.index(first) :]
    assert "Tue 20 Oct" in card and "13 days ago" in card
    assert "Next check-in due: <strong>Tue 3 Nov</strong>" in card and "First call" not in card
    assert world.alice_case.parent.last_name not in html  # first name + initial only


def test_my_parents_says_when_a_new_parents_first_call_is_due(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    fresh = make_case(session, make_parent(session, area=world.area, first_name="Fresh"))
    make_assignment(session, fresh, world.alice, started_at=NOW - timedelta(hours=1))
    session.commit()
    login(client, world.alice.email)
    html = client.get("/my/parents").get_data(as_text=True)
    card = html[html.index("Fresh") :]
    card = card[: card.index("</li>")]
    assert "First call due by <strong>Thu 5 Nov</strong> (in 3 days)" in card
    assert "due now" not in card
    # the admin's setting decides
    save_settings(session, NOW, SETTINGS_KEY, {**DEFAULT_THRESHOLDS, "first_contact_days": 5}, None)
    session.commit()
    html = client.get("/my/parents").get_data(as_text=True)
    assert "First call due by <strong>Sat 7 Nov</strong>" in html


def test_changing_concerns_after_submitting_runs_the_rules_again(
    client: FlaskClient, session: SessionLike, world: World, hook_calls: list[Any]
) -> None:
    checkin = make_checkin(
        session, world.alice_case, world.alice, submitted_at=NOW - timedelta(hours=2), wellbeing=3
    )
    session.commit()
    login(client, world.alice.email)
    edit = f"/checkins/{checkin.id}/edit"
    same = {**GOOD, "wellbeing": "3", "bonding": "", "whooley_down": "", "concerns": []}
    post_form(client, edit, {**same, "notes": "only the notes change"})
    assert hook_calls == []  # nothing the rules look at changed
    post_form(client, edit, {**same, "concerns": ["self_harm"]})
    assert hook_calls == [(checkin.id, NOW)]
