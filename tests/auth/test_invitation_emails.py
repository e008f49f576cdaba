"""Invitations are emailed through the outbox (and still shown or printed): `flask users
create`, `create-admin`, the admin's invite and the re-send from Users. One email each, the
same link as on screen, no names in them."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.email import send_pending
from app.extensions import SessionLike
from app.models import OutboxEmail, User
from app.timeutil import utcnow
from tests.factories import NOW, make_area, make_user
from tests.helpers import csrf_token, login, post_form
from tests.smtp import Received, SmtpServer

NEW_PASSWORD = "lighthouse kettle meadow"
LINK_RE = re.compile(r"http://corner\.test(/invitation/[A-Za-z0-9_-]+)")


def _delivered(app: Flask, smtp_server: SmtpServer) -> list[Received]:
    later = max(NOW, utcnow()) + timedelta(minutes=1)  # (the CLI runs on the real clock)
    send_pending(app, later)
    send_pending(app, later + timedelta(minutes=5))  # nothing goes twice
    return smtp_server.messages


def _emailed_link(message: Received) -> str:
    body = message.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    match = LINK_RE.search(body)
    assert match, body
    assert "You have an account on Corner" in body and "within 7 days" in body
    return match.group(1)


def _links_on(text: str) -> list[str]:
    return LINK_RE.findall(text)


def _sets_password(app: Flask, path: str) -> bool:
    client = app.test_client()
    page = client.get(path)
    if page.status_code != 200:
        return False
    response = client.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    return response.status_code == 302


def test_users_create_emails_the_link_it_prints(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            *("users", "create", "Ola@Example.org", "--role", "volunteer", "--area", "North"),
            *("--first-name", "Olamide", "--last-name", "Canaryson"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "It has been emailed to ola@example.org" in result.output
    [printed] = _links_on(result.output)
    [message] = _delivered(app, smtp_server)
    assert message.recipients == ["ola@example.org"]
    assert message.message["Subject"] == "Set your password for Corner"
    assert _emailed_link(message) == printed
    assert "Olamide" not in message.text and "Canaryson" not in message.text
    session.expire_all()
    [stored] = session.scalars(select(OutboxEmail))
    assert printed.rsplit("/", 1)[1] not in stored.body_text + stored.body_html  # once sent
    assert _sets_password(app, printed)
    assert not _sets_password(app, printed)  # works once
    assert login(app.test_client(), "ola@example.org", NEW_PASSWORD).status_code == 302


def test_users_create_admin_emails_the_link(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "boss@example.org"])
    assert result.exit_code == 0, result.output
    [printed] = _links_on(result.output)
    [message] = _delivered(app, smtp_server)
    assert message.recipients == ["boss@example.org"] and _emailed_link(message) == printed


def test_a_failed_create_emails_nothing(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    make_user(session, "coordinator", email="taken@example.org")
    session.commit()
    result = app.test_cli_runner().invoke(
        args=["users", "create", "taken@example.org", "--role", "coordinator"]
    )
    assert result.exit_code != 0
    assert _delivered(app, smtp_server) == []


def _admin_client(app: Flask, session: SessionLike) -> FlaskClient:
    admin = make_user(session, "admin", email="admin@example.org")
    session.commit()
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    return client


def test_the_admins_invite_is_emailed_and_shown(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    admin = _admin_client(app, session)
    area = make_area(session, "Bristol North")
    session.commit()
    response = post_form(
        admin,
        "/admin/users/invite",
        {
            "email": "zara@example.org",
            "first_name": "Zara",
            "last_name": "Canaryson",
            "role": "coordinator",
            "area": str(area.id),
        },
    )
    html = response.get_data(as_text=True)
    assert "We have emailed a link to set a password to <strong>zara@example.org</strong>" in html
    [shown] = _links_on(html)
    [message] = _delivered(app, smtp_server)
    assert message.recipients == ["zara@example.org"] and _emailed_link(message) == shown
    for canary in ("Zara", "Canaryson", "Bristol North"):
        assert canary not in message.text


def test_a_reminder_from_users_emails_a_fresh_link_and_voids_the_old(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    admin = _admin_client(app, session)
    post_form(
        admin,
        "/admin/users/invite",
        {
            "email": "lee@example.org",
            "first_name": "Lee",
            "last_name": "Ng",
            "role": "admin",
            "area": "0",
        },
    )
    user = session.scalar(select(User).where(User.email == "lee@example.org"))
    assert user is not None
    users_page = admin.get("/admin/users").get_data(as_text=True)
    assert 'Email a new invitation link<span class="visually-hidden"> for Lee Ng' in users_page
    again = post_form(admin, f"/admin/users/{user.id}/invitation", {}, page="/admin/users")
    assert "New link emailed to Lee Ng" in again.get_data(as_text=True)
    [shown] = _links_on(again.get_data(as_text=True))
    first, second = _delivered(app, smtp_server)
    assert _emailed_link(second) == shown != _emailed_link(first)
    assert not _sets_password(app, _emailed_link(first))  # the old link stopped working
    assert _sets_password(app, shown)


def test_the_reminder_needs_csrf_and_a_post(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    admin = _admin_client(app, session)
    user = make_user(session, "coordinator", password=None)
    session.commit()
    assert admin.post(f"/admin/users/{user.id}/invitation").status_code == 400
    assert admin.get(f"/admin/users/{user.id}/invitation").status_code == 405
    assert _delivered(app, smtp_server) == []
