"""`flask users create` and `flask users create-admin`: a one-time link that works once."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Area, User, VolunteerProfile
from tests.auth.helpers import is_logged_in
from tests.helpers import csrf_token, login

NEW_PASSWORD = "lighthouse kettle meadow"


def _use_link(app: Flask, output: str) -> str:
    match = re.search(r"http://corner\.test(/invitation/\S+)", output)
    assert match, output
    path = match.group(1)
    client = app.test_client()
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302
    return path


def test_users_create_coordinator_with_area(app: Flask, session: SessionLike) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Ola@Example.org", "--role", "coordinator", "--area", "North"]
    )
    assert result.exit_code == 0, result.output
    assert "Created coordinator ola@example.org." in result.output
    user = session.scalar(select(User).where(User.email == "ola@example.org"))
    assert user is not None and [a.name for a in user.areas] == ["North"]

    path = _use_link(app, result.output)
    assert app.test_client().get(path).status_code == 410  # works once
    client = app.test_client()
    assert login(client, "ola@example.org", NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_users_create_volunteer_puts_the_area_on_the_profile(
    app: Flask, session: SessionLike
) -> None:
    runner = app.test_cli_runner()
    runner.invoke(
        args=["users", "create", "c@example.org", "--role", "coordinator", "--area", "South"]
    )
    result = runner.invoke(
        args=["users", "create", "v@example.org", "--role", "volunteer", "--area", "South"]
    )
    assert result.exit_code == 0, result.output
    areas = list(session.scalars(select(Area)))
    assert [a.name for a in areas] == ["South"]  # reused, not duplicated
    volunteer = session.scalar(select(User).where(User.email == "v@example.org"))
    assert volunteer is not None and volunteer.areas == []
    profile = session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id)
    )
    assert profile is not None and profile.area_id == areas[0].id


def test_users_create_admin(app: Flask, session: SessionLike) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "boss@example.org"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.org." in result.output
    path = _use_link(app, result.output)
    assert app.test_client().get(path).status_code == 410
    client = app.test_client()
    login(client, "boss@example.org", NEW_PASSWORD)
    assert client.get("/admin/users").status_code == 200


def test_users_create_refuses_with_a_reason(app: Flask, session: SessionLike) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "create-admin", "boss@example.org"])
    dup = runner.invoke(args=["users", "create", "BOSS@example.org", "--role", "volunteer"])
    assert dup.exit_code != 0
    assert "There is already an account for boss@example.org." in dup.output
    bad_role = runner.invoke(args=["users", "create", "x@example.org", "--role", "king"])
    assert bad_role.exit_code != 0 and "'king' is not one of" in bad_role.output
    bad_email = runner.invoke(args=["users", "create-admin", "not-an-email"])
    assert bad_email.exit_code != 0 and "correct format" in bad_email.output
    assert [u.email for u in session.scalars(select(User))] == ["boss@example.org"]
