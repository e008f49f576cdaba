"""Invitations: single use, 7 days, a newer one voids the older, accepting sets the password."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.auth.service import create_user, issue_invitation
from app.extensions import SessionLike
from app.models import Invitation, User
from tests.auth.helpers import is_logged_in
from tests.factories import make_user
from tests.helpers import csrf_token, login

NEW_PASSWORD = "lighthouse kettle meadow"


def _invite(session: SessionLike, now: datetime, email: str = "new@example.org") -> str:
    user = create_user(session, now, email=email, role="volunteer", first_name="Nia")
    token = issue_invitation(session, now, user)
    session.commit()
    return f"/invitation/{token}"


def _accept(client: FlaskClient, url: str, password: str = NEW_PASSWORD) -> TestResponse:
    page = client.get(url)
    assert page.status_code == 200
    return client.post(
        url,
        data={
            "password": password,
            "confirm": password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )


def test_accepting_sets_the_password_and_then_login_works(
    app: Flask, session: SessionLike, now: datetime
) -> None:
    app.config["CORNER_NOW"] = now
    url = _invite(session, now)
    client = app.test_client()
    page = client.get(url).get_data(as_text=True)
    assert "Nia" in page and "New password" in page
    response = _accept(client, url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "Your password is set" in client.get("/login").get_data(as_text=True)
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None and user.password_hash and NEW_PASSWORD not in user.password_hash
    fresh = app.test_client()
    assert login(fresh, "new@example.org", NEW_PASSWORD).status_code == 302
    assert is_logged_in(fresh)


def test_a_weak_password_is_refused_and_the_link_still_works(
    app: Flask, session: SessionLike, now: datetime
) -> None:
    app.config["CORNER_NOW"] = now
    url = _invite(session, now)
    client = app.test_client()
    response = _accept(client, url, password="short")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html and "at least 10 characters" in html
    assert _accept(client, url).status_code == 302


def test_link_works_until_seven_days_then_expires(
    app: Flask, session: SessionLike, now: datetime
) -> None:
    url = _invite(session, now)
    client = app.test_client()
    app.config["CORNER_NOW"] = now + timedelta(days=7) - timedelta(seconds=1)
    assert client.get(url).status_code == 200
    app.config["CORNER_NOW"] = now + timedelta(days=7)
    response = client.get(url)
    assert response.status_code == 410
    assert "This link has expired" in response.get_data(as_text=True)
    page_token = csrf_token(client.get("/login").get_data(as_text=True))
    posted = client.post(
        url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": page_token}
    )
    assert posted.status_code == 410
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None and user.password_hash is None


def test_link_works_only_once(app: Flask, session: SessionLike, now: datetime) -> None:
    app.config["CORNER_NOW"] = now
    url = _invite(session, now)
    client = app.test_client()
    assert _accept(client, url).status_code == 302
    again = app.test_client().get(url)
    assert again.status_code == 410
    assert "already been used" in again.get_data(as_text=True)


def test_a_newer_invitation_voids_the_older(
    app: Flask, session: SessionLike, now: datetime
) -> None:
    app.config["CORNER_NOW"] = now + timedelta(hours=1)
    old_url = _invite(session, now)
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None
    new_url = f"/invitation/{issue_invitation(session, now, user)}"
    session.commit()
    voided = app.test_client().get(old_url)
    assert voided.status_code == 410
    assert "A newer link has been sent" in voided.get_data(as_text=True)
    assert app.test_client().get(new_url).status_code == 200
    assert app.test_client().get("/invitation/not-a-real-token").status_code == 410


def test_only_a_hash_of_the_token_is_stored(session: SessionLike, now: datetime) -> None:
    url = _invite(session, now)
    token = url.rsplit("/", 1)[1]
    stored = session.scalar(select(Invitation.token_hash))
    assert stored and token not in stored and len(stored) == 64


def test_deactivated_account_cannot_use_its_link(
    app: Flask, session: SessionLike, now: datetime
) -> None:
    app.config["CORNER_NOW"] = now
    url = _invite(session, now)
    user = session.scalar(select(User).where(User.email == "new@example.org"))
    assert user is not None
    user.active = False
    session.commit()
    assert app.test_client().get(url).status_code == 410


def test_accepting_while_logged_in_as_someone_else_logs_them_out(
    app: Flask, session: SessionLike, now: datetime
) -> None:
    app.config["CORNER_NOW"] = now
    other = make_user(session, "coordinator")
    url = _invite(session, now)
    client = app.test_client()
    login(client, other.email)
    assert _accept(client, url).status_code == 302
    assert not is_logged_in(client)
