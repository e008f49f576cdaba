"""A small charity for the cases tests: one area, a coordinator, two volunteers, two cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from flask import Flask

from app.extensions import SessionLike
from app.models import Area, Case, User
from tests.factories import NOW, make_area, make_assignment, make_case, make_user, make_volunteer


@dataclass
class World:
    area: Area
    coordinator: User
    admin: User
    alice: User  # a volunteer
    bob: User  # another volunteer
    alice_case: Case
    bob_case: Case


@pytest.fixture
def world(app: Flask, session: SessionLike) -> World:
    app.config["CORNER_NOW"] = NOW
    area = make_area(session, "Bristol")
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Cora")
    admin = make_user(session, "admin", first_name="Ada")
    alice = make_volunteer(session, area=area, user_kw={"first_name": "Alice"})
    bob = make_volunteer(session, area=area, user_kw={"first_name": "Bob"})
    alice_case = make_case(session, area=area)
    bob_case = make_case(session, area=area)
    make_assignment(session, alice_case, alice)
    make_assignment(session, bob_case, bob)
    session.commit()
    return World(area, coordinator, admin, alice, bob, alice_case, bob_case)


def at(text: str) -> datetime:
    """'2026-11-02T09:00' as an aware UTC instant."""
    return datetime.fromisoformat(text + "+00:00")
