"""Logging in: the same answer for every failure, safe redirects, CSRF, rate limit, roles."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import AuditEvent, User
from tests.auth.helpers import is_logged_in
from tests.factories import PASSWORD, make_user
from tests.helpers import csrf_token, login


def _normalised(html: str, email: str) -> str:
    """The page without the per-request CSRF token and the typed email."""
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)
    return html.replace(email, "EMAIL")


def test_unknown_email_wrong_password_and_deactivated_get_the_same_answer(
    app: Flask, session: SessionLike
) -> None:
    make_user(session, "coordinator", email="known@example.org")
    make_user(session, "coordinator", email="gone@example.org", active=False)
    make_user(session, "volunteer", email="invited@example.org", password=None)
    session.commit()
    answers = []
    for email, password in [
        ("nobody@example.org", PASSWORD),
        ("known@example.org", "not the password"),
        ("gone@example.org", PASSWORD),  # right password, deactivated account
        ("invited@example.org", PASSWORD),  # invited, password never set
    ]:
        response = login(app.test_client(), email, password)
        html = response.get_data(as_text=True)
        assert "The email address or password is not right" in html
        answers.append((response.status_code, _normalised(html, email)))
    assert len(set(answers)) == 1, "login failures must be indistinguishable"
    failed = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "login.failed")
    )
    assert failed == 4


def test_email_is_not_case_sensitive(app: Flask, session: SessionLike) -> None:
    make_user(session, "coordinator", email="asha@example.org")
    session.commit()
    assert login(app.test_client(), "  Asha@Example.ORG ").status_code == 302


def test_empty_form_shows_error_summary(client: FlaskClient) -> None:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert 'href="#email"' in html and "Enter your email address." in html


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/phish",
        "http:/evil.example",
        "/\\evil.example",
        "evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",  # browsers drop tabs: this would be //evil.example
        " //evil.example",
    ],
)
def test_next_never_leaves_the_site(app: Flask, session: SessionLike, target: str) -> None:
    user = make_user(session, "coordinator")
    session.commit()
    client = app.test_client()
    token = csrf_token(client.get(f"/login?next={target}").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": target, "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_brings_you_back_to_the_page_you_asked_for(app: Flask, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    session.commit()
    client = app.test_client()
    bounced = client.get("/admin/users")
    assert bounced.status_code == 302
    assert bounced.headers["Location"] == "/login?next=/admin/users"
    html = client.get(bounced.headers["Location"]).get_data(as_text=True)
    assert 'value="/admin/users"' in html
    response = client.post(
        "/login",
        data={
            "email": admin.email,
            "password": PASSWORD,
            "next": "/admin/users",
            "csrf_token": csrf_token(html),
        },
    )
    assert response.headers["Location"] == "/admin/users"


def test_login_without_csrf_token_is_refused(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "coordinator")
    session.commit()
    client = app.test_client()
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "Your form timed out" in response.get_data(as_text=True)
    assert not is_logged_in(client)
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0
    assert session.scalar(select(User.last_login_at).where(User.id == user.id)) is None


ROLE_HOMES = {
    "admin": ("Users", ["Audit log", "Settings"], ["Waiting list", "My parents"]),
    "coordinator": ("Waiting list", ["Flags", "Volunteers"], ["Users", "My parents"]),
    "volunteer": ("My parents", ["My drafts", "My availability"], ["Waiting list", "Users"]),
}


@pytest.mark.parametrize("role", sorted(ROLE_HOMES))
def test_each_role_logs_in_through_the_form_to_its_own_home(
    app: Flask, session: SessionLike, role: str
) -> None:
    user = make_user(session, role, first_name="Robin")
    session.commit()
    client = app.test_client()
    response = login(client, user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('aria-label="Main"') : html.index("</nav>")]
    first, more, absent = ROLE_HOMES[role]
    for label in [first, *more]:
        assert f">{label}</a>" in nav, (role, label)
    for label in absent:
        assert f">{label}</a>" not in nav, (role, label)
    assert "Hello, Robin" in html and f"({role})" in html
    assert 'aria-current="page"' in nav  # Home is marked as the current page


def test_logged_in_user_visiting_login_goes_home(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "volunteer")
    session.commit()
    client = app.test_client()
    login(client, user.email)
    assert client.get("/login").headers["Location"] == "/"
