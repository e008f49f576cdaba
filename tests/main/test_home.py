"""Home pages count only what the person may see."""

from __future__ import annotations

from flask import Flask

from app.extensions import SessionLike
from tests.factories import make_area, make_assignment, make_case, make_user, make_volunteer
from tests.helpers import login


def test_coordinator_home_counts_only_their_areas(app: Flask, session: SessionLike) -> None:
    north, south = make_area(session, "North"), make_area(session, "South")
    coordinator = make_user(session, "coordinator", areas=[north])
    volunteer = make_volunteer(session, area=north)
    for _ in range(2):
        make_case(session, area=north)
    make_assignment(session, make_case(session, area=north), volunteer)
    for _ in range(5):
        make_case(session, area=south)
    session.commit()
    client = app.test_client()
    login(client, coordinator.email)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="big">2</span> parents waiting' in html
    assert '<span class="big">1</span> active case' in html


def test_volunteer_home_counts_their_open_assignments(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    other = make_volunteer(session)
    make_assignment(session, make_case(session), volunteer)
    make_assignment(session, make_case(session), other)
    session.commit()
    client = app.test_client()
    login(client, volunteer.email)
    html = client.get("/").get_data(as_text=True)
    assert '<span class="big">1</span> parent you support' in html
    assert "Record a check-in" in html
