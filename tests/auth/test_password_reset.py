"""Forgotten passwords over a real SMTP server: one email, a link that works once for an hour,
the same page for an unknown address, limits, and every other session ended."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.auth.reset import PER_ACCOUNT, PER_CLIENT, RESET_LIFETIME
from app.auth.service import issue_invitation
from app.email import after_sending, send_pending
from app.extensions import SessionLike
from app.models import AuditEvent, OutboxEmail, PasswordReset, User
from tests.auth.helpers import is_logged_in
from tests.factories import NOW, PASSWORD, make_user, make_volunteer
from tests.helpers import csrf_token, login
from tests.smtp import Received, SmtpServer

NEW_PASSWORD = "lighthouse kettle meadow"
LINK_RE = re.compile(r"http://corner\.test(/password/reset/[A-Za-z0-9_-]+)")
CANARIES = ("Harriet", "Canaryson", "07700 900123", "BS1 4DJ")


def _canary_volunteer(session: SessionLike, email: str = "harriet@example.org") -> User:
    user = make_volunteer(
        session,
        phone="07700 900123",
        postcode="BS1 4DJ",
        user_kw={"email": email, "first_name": "Harriet", "last_name": "Canaryson"},
    )
    session.commit()
    return user


def _ask(client: FlaskClient, email: str, **kw: object) -> tuple[int, str]:
    page = client.get("/password/forgot", **kw)
    assert page.status_code == 200
    response = client.post(
        "/password/forgot",
        data={"email": email, "csrf_token": csrf_token(page.get_data(as_text=True))},
        **kw,
    )
    return response.status_code, response.get_data(as_text=True)


def _delivered(app: Flask, smtp_server: SmtpServer) -> list[Received]:
    send_pending(app, NOW)
    send_pending(app, NOW + timedelta(minutes=5))  # a second run sends nothing again
    return smtp_server.messages


def _link(message: Received) -> str:
    match = LINK_RE.search(message.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert match, message.text
    return match.group(1)


def _set(client: FlaskClient, path: str, password: str = NEW_PASSWORD) -> int:
    page = client.get(path)
    assert page.status_code == 200
    response = client.post(
        path,
        data={
            "password": password,
            "confirm": password,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    return response.status_code


def test_a_known_address_gets_one_email_with_a_link_that_works_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = _canary_volunteer(session)
    client = app.test_client()
    status, html = _ask(client, "Harriet@Example.org ")
    assert status == 200 and "Check your email" in html
    [message] = _delivered(app, smtp_server)
    assert message.recipients == ["harriet@example.org"]
    assert message.message["Subject"] == "Reset your Corner password"
    body = message.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert body.startswith(
        "Someone asked to reset the password of your Corner account. Open this link within an hour:"
    )
    assert "If it was not you, ignore this email." in body
    for canary in CANARIES:
        assert canary not in message.text
    path = _link(message)
    token = path.rsplit("/", 1)[1]
    stored = session.scalar(select(PasswordReset.token_hash))
    assert stored is not None and token not in stored and len(stored) == 64  # only a hash
    session.expire_all()
    [outbox] = session.scalars(select(OutboxEmail))
    assert outbox.status == "sent"  # the stored copy lost the token once sent
    assert token not in outbox.body_text + outbox.body_html
    assert "/password/reset/(link-removed-once-sent)" in outbox.body_text

    assert _set(app.test_client(), path) == 302
    assert app.test_client().get(path).status_code == 410  # works once
    assert "already been used" in app.test_client().get(path).get_data(as_text=True)
    assert login(app.test_client(), user.email, PASSWORD).status_code == 200  # old one refused
    fresh = app.test_client()
    assert login(fresh, user.email, NEW_PASSWORD).status_code == 302
    assert is_logged_in(fresh)


def test_setting_the_password_ends_every_other_session(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "coordinator")
    session.commit()
    elsewhere = app.test_client()
    assert login(elsewhere, user.email).status_code == 302
    assert is_logged_in(elsewhere)
    _ask(app.test_client(), user.email)
    [message] = _delivered(app, smtp_server)
    assert is_logged_in(elsewhere)  # asking alone changes nothing
    assert _set(app.test_client(), _link(message)) == 302
    assert not is_logged_in(elsewhere)


def test_the_link_expires_after_an_hour(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "admin", email="admin@example.org")
    session.commit()
    _ask(app.test_client(), "admin@example.org")
    [message] = _delivered(app, smtp_server)
    path = _link(message)
    app.config["CORNER_NOW"] = NOW + RESET_LIFETIME - timedelta(seconds=1)
    client = app.test_client()
    page = client.get(path)  # the form opened a second before the hour is up
    assert page.status_code == 200
    app.config["CORNER_NOW"] = NOW + RESET_LIFETIME
    expired = app.test_client().get(path)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    late = client.post(
        path,
        data={
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(page.text),
        },
    )
    assert late.status_code == 410  # sent after the hour: refused, nothing set
    assert login(app.test_client(), "admin@example.org", PASSWORD).status_code == 302


def test_a_newer_link_replaces_the_older_one(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "coordinator", email="c@example.org")
    session.commit()
    _ask(app.test_client(), "c@example.org")
    _ask(app.test_client(), "c@example.org")
    first, second = _delivered(app, smtp_server)
    assert app.test_client().get(_link(first)).status_code == 410
    assert _set(app.test_client(), _link(second)) == 302


def test_an_unknown_or_inactive_address_gets_the_same_page_and_no_email(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "coordinator", email="known@example.org")
    make_user(session, "coordinator", email="gone@example.org", active=False)
    session.commit()
    known = _ask(app.test_client(), "known@example.org")
    unknown = _ask(app.test_client(), "nobody@example.org")
    inactive = _ask(app.test_client(), "gone@example.org")
    assert known[0] == unknown[0] == inactive[0] == 200
    assert unknown[1].replace("nobody@", "known@") == known[1]  # the same page, byte for byte
    assert inactive[1].replace("gone@", "known@") == known[1]
    [message] = _delivered(app, smtp_server)
    assert message.recipients == ["known@example.org"]
    assert session.scalar(select(func.count()).select_from(PasswordReset)) == 1
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "password.reset_requested")
    ).all()
    assert len(events) == 3  # recorded alike, and no typed address kept
    assert not any("nobody" in repr(vars(e)) or "gone@" in repr(vars(e)) for e in events)


def test_bad_input_re_renders_and_csrf_is_required(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "coordinator", email="known@example.org")
    session.commit()
    status, html = _ask(app.test_client(), "not an address")
    assert status == 200 and "Enter an email address in the correct format" in html
    forged = app.test_client().post("/password/forgot", data={"email": "known@example.org"})
    assert forged.status_code == 400
    assert session.scalar(select(func.count()).select_from(OutboxEmail)) == 0
    assert _delivered(app, smtp_server) == []


def test_a_weak_password_is_refused_and_the_link_still_works(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "coordinator", email="known@example.org")
    session.commit()
    _ask(app.test_client(), "known@example.org")
    [message] = _delivered(app, smtp_server)
    path = _link(message)
    client = app.test_client()
    page = client.get(path)
    response = client.post(
        path,
        data={"password": "short", "confirm": "short", "csrf_token": csrf_token(page.text)},
    )
    assert response.status_code == 200
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert _set(app.test_client(), path) == 302


def test_requests_are_limited_per_account(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "coordinator", email="known@example.org")
    session.commit()
    pages = set()
    for n in range(PER_ACCOUNT + 2):  # from a different client address each time
        status, html = _ask(
            app.test_client(), "known@example.org", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}
        )
        assert status == 200
        pages.add(html)
    assert len(pages) == 1  # over the limit: the very same page
    assert len(_delivered(app, smtp_server)) == PER_ACCOUNT
    app.config["CORNER_NOW"] = NOW + timedelta(hours=1)  # the next hour: allowed again
    _ask(app.test_client(), "known@example.org")
    send_pending(app, NOW + timedelta(hours=1))
    assert len(smtp_server.messages) == PER_ACCOUNT + 1


def test_requests_are_limited_per_client_address(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    make_user(session, "coordinator", email="known@example.org")
    session.commit()
    client = app.test_client()
    for n in range(PER_CLIENT):
        assert _ask(client, f"someone{n}@example.org")[0] == 200
    assert _ask(client, "known@example.org")[0] == 200
    assert _delivered(app, smtp_server) == []
    other = _ask(app.test_client(), "known@example.org", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other[0] == 200
    assert len(_delivered(app, smtp_server)) == 1


def test_the_login_page_links_to_the_form(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot">Forgotten your password?</a>' in html


def test_only_one_time_links_lose_their_token_once_sent() -> None:
    token = "A" * 43
    text = f"Open http://corner.test/password/reset/{token} now"
    reset = OutboxEmail(kind="password_reset", body_text=text, body_html=f"<a href='{text}'>")
    assert after_sending(reset)["body_text"] == (
        "Open http://corner.test/password/reset/(link-removed-once-sent) now"
    )
    assert token not in after_sending(reset)["body_html"]
    flag = OutboxEmail(kind="urgent_flag", body_text=text, body_html=text)
    assert after_sending(flag) == {}


def test_a_reset_voids_open_invitations_and_an_invitation_voids_open_resets(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "coordinator", email="c@example.org", password=None)
    session.commit()
    invitation = f"/invitation/{issue_invitation(session, NOW, user)}"
    session.commit()
    _ask(app.test_client(), "c@example.org")
    [message] = _delivered(app, smtp_server)
    assert _set(app.test_client(), _link(message)) == 302
    assert app.test_client().get(invitation).status_code == 410  # no second way in

    _ask(app.test_client(), "c@example.org")
    second = _link(_delivered(app, smtp_server)[-1])
    invitation = f"/invitation/{issue_invitation(session, NOW, user)}"
    session.commit()
    assert _set(app.test_client(), invitation) == 302
    assert app.test_client().get(second).status_code == 410
