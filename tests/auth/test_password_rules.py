"""New passwords: long enough, not common, nothing of the person's own, not "corner", not the
demo password, with the reason said; on every form that sets one."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.passwords import TOO_COMMON, password_problem, verify_password
from app.auth.reset import request_password_reset
from app.auth.service import issue_invitation
from app.domain import DEMO_PASSWORD
from app.extensions import SessionLike
from app.models import User
from tests.factories import NOW, PASSWORD, make_user
from tests.helpers import csrf_token, login

EMAIL = "asha.khan@example.org"
NAMES = ("Asha", "Khanyisile")
GOOD = "lighthouse kettle meadow"

REFUSED = [
    ("short one", "at least 10 characters"),
    ("Password123", TOO_COMMON),
    ("password1234", TOO_COMMON),
    ("qwertyuiop1", TOO_COMMON),
    ("aaaaaaaaaaaa", TOO_COMMON),
    ("iloveyou2024", TOO_COMMON),
    (DEMO_PASSWORD, "demo password"),
    ("My Corner Login 77", '"Corner"'),
    ("ASHA.KHAN rides bikes", "email address"),
    ("hello Khanyisile friend", "your name"),
    ("asha likes blue tea", "your name"),
]


@pytest.mark.parametrize(("password", "why"), REFUSED)
def test_refused_with_the_reason(password: str, why: str) -> None:
    problem = password_problem(password, email=EMAIL, names=NAMES)
    assert problem is not None and why in problem, problem


@pytest.mark.parametrize(
    "password", [GOOD, "correct horse battery staple", "Tea at four by the canal"]
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problem(password, email=EMAIL, names=NAMES) is None


def test_short_names_and_emails_are_not_looked_for() -> None:
    """ "Al" would refuse every password with "al" in it: only 3 letters or more count."""
    assert password_problem("calm walnut harbour", email="al@example.org", names=("Al",)) is None


# ------------------------------------------------------------------- every form that sets one


def _post(client: FlaskClient, path: str, password: str, **extra: str) -> tuple[int, str]:
    page = client.get(path)
    assert page.status_code == 200
    data = {"password": password, "confirm": password, **extra}
    response = client.post(path, data={**data, "csrf_token": csrf_token(page.text)})
    return response.status_code, response.get_data(as_text=True)


def _person(session: SessionLike) -> User:
    user = make_user(session, "volunteer", email=EMAIL, first_name="Asha", last_name="Khanyisile")
    session.commit()
    return user


def _refused_then_accepted(
    session: SessionLike, user: User, client: FlaskClient, path: str, **extra: str
) -> None:
    before = session.scalar(select(User.password_hash).where(User.id == user.id))
    for password, why in [("Password123", "too common"), ("Asha rides bikes", "your name")]:
        status, html = _post(client, path, password, **extra)
        assert status == 200 and why in html, html
        session.expire_all()
        assert session.scalar(select(User.password_hash).where(User.id == user.id)) == before
    status, _html = _post(client, path, GOOD, **extra)
    assert status == 302
    session.expire_all()
    assert verify_password(session.get(User, user.id).password_hash, GOOD)  # type: ignore[union-attr]


def test_invitation_form(app: Flask, session: SessionLike) -> None:
    user = _person(session)
    token = issue_invitation(session, NOW, user)
    session.commit()
    app.config["CORNER_NOW"] = NOW
    _refused_then_accepted(session, user, app.test_client(), f"/invitation/{token}")


def test_password_reset_form(app: Flask, session: SessionLike) -> None:
    user = _person(session)
    token = request_password_reset(session, NOW, user)
    session.commit()
    app.config["CORNER_NOW"] = NOW
    _refused_then_accepted(session, user, app.test_client(), f"/password/reset/{token}")


def test_change_password_form(app: Flask, session: SessionLike) -> None:
    user = _person(session)
    client = app.test_client()
    assert login(client, EMAIL).status_code == 302
    _refused_then_accepted(session, user, client, "/account/password", current=PASSWORD)
