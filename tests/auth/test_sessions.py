"""Sessions: a new cookie at login; logout, password change and deactivation end old ones."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent, User
from tests.auth.helpers import client_with_cookie, is_logged_in, logout, session_cookie
from tests.factories import PASSWORD, make_user
from tests.helpers import login, post_form

NEW_PASSWORD = "a brand new long password"


def test_session_cookie_changes_at_login(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "coordinator")
    session.commit()
    client = app.test_client()
    client.get("/login")
    before = session_cookie(client)
    assert login(client, user.email).status_code == 302
    after = session_cookie(client)
    assert after != before
    # The cookie from before login does not carry the login (no session fixation).
    assert not is_logged_in(client_with_cookie(app, before))
    assert is_logged_in(client_with_cookie(app, after))


def test_old_cookie_refused_after_logout(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "volunteer")
    session.commit()
    client = app.test_client()
    login(client, user.email)
    stolen = session_cookie(client)
    assert is_logged_in(client_with_cookie(app, stolen))
    logout(client)
    assert not is_logged_in(client)
    assert not is_logged_in(client_with_cookie(app, stolen))


def test_old_cookie_refused_after_password_change(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "coordinator")
    session.commit()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user.email)
    login(phone, user.email)
    laptop_cookie, phone_cookie = session_cookie(laptop), session_cookie(phone)

    response = post_form(
        laptop,
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert is_logged_in(laptop)  # the device that changed it stays in
    assert not is_logged_in(phone)
    assert not is_logged_in(client_with_cookie(app, phone_cookie))
    assert not is_logged_in(client_with_cookie(app, laptop_cookie))
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200  # old refused
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_password_change_needs_the_current_password(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "coordinator")
    session.commit()
    client = app.test_client()
    login(client, user.email)
    cookie = session_cookie(client)
    response = post_form(
        client,
        "/account/password",
        {"current": "not my password", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "Your current password is not right." in response.get_data(as_text=True)
    assert is_logged_in(client_with_cookie(app, cookie))
    assert login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_old_cookie_refused_after_deactivation(app: Flask, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    volunteer = make_user(session, "volunteer")
    session.commit()
    victim = app.test_client()
    login(victim, volunteer.email)
    stolen = session_cookie(victim)

    admin_client = app.test_client()
    login(admin_client, admin.email)
    response = post_form(
        admin_client, f"/admin/users/{volunteer.id}/deactivate", {"confirmed": "yes"}
    )
    assert response.status_code == 302
    assert not is_logged_in(victim)
    assert not is_logged_in(client_with_cookie(app, stolen))

    # Reactivating lets them log in again, but the old cookie stays dead.
    response = post_form(
        admin_client, f"/admin/users/{volunteer.id}/reactivate", {}, page="/admin/users"
    )
    assert response.status_code == 302
    assert not is_logged_in(client_with_cookie(app, stolen))
    again = app.test_client()
    assert login(again, volunteer.email).status_code == 302
    assert is_logged_in(again)


def test_logout_is_post_only_and_audited(client: FlaskClient, session: SessionLike) -> None:
    user = make_user(session, "admin")
    session.commit()
    login(client, user.email)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)
    logout(client)
    actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)))
    assert actions == ["login.success", "logout"]
    refreshed = session.get(User, user.id)
    assert refreshed is not None
