"""Pages show words, never codes: availability, experience tags, topics and concerns."""

from __future__ import annotations

from flask import Flask

from app.domain import AVAILABILITY_LABELS, LABEL_FILTERS
from app.extensions import SessionLike
from tests.cases.conftest import World
from tests.factories import make_checkin
from tests.helpers import login


def test_every_availability_slot_has_words() -> None:
    assert AVAILABILITY_LABELS["mon-eve"] == "Monday evening"
    assert AVAILABILITY_LABELS["sun-am"] == "Sunday morning"
    assert len(AVAILABILITY_LABELS) == 21
    for name in ("availability_label", "tag_label", "topic_label", "concern_label"):
        assert name in LABEL_FILTERS


def test_case_and_check_in_pages_show_words(app: Flask, session: SessionLike, world: World) -> None:
    parent = world.alice_case.parent
    parent.availability = ["mon-eve", "sat-am"]
    parent.tags = ["nicu", "young_parent"]
    parent.contact_mode = "in_person"
    checkin = make_checkin(
        session,
        world.alice_case,
        world.alice,
        topics=["baby_development", "local_services"],
        concerns=["money_housing", "low_mood"],
    )
    session.commit()
    clients = {}
    for who in (world.coordinator, world.alice):
        clients[who.role] = client = app.test_client()
        login(client, who.email)
        case_page = client.get(f"/cases/{world.alice_case.id}").get_data(as_text=True)
        assert "Monday evening, Saturday morning" in case_page, who.role
        assert "mon-eve" not in case_page and "sat-am" not in case_page
        assert "Face to face" in case_page and "in_person" not in case_page
    case_page = clients["coordinator"].get(f"/cases/{world.alice_case.id}").get_data(as_text=True)
    assert "Baby in neonatal care (NICU), Young parent" in case_page
    assert "young parent" not in case_page and "nicu," not in case_page
    assert "Concerns: Housing or money, Low mood" in case_page
    assert "money housing" not in case_page
    view = clients["volunteer"].get(f"/checkins/{checkin.id}").get_data(as_text=True)
    assert "Baby&#39;s development, Local groups and services" in view
    assert "Housing or money, Low mood" in view
    assert "baby development" not in view and "money housing" not in view
