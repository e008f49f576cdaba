"""Helpers for the account tests: copy a session cookie into a fresh client."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import csrf_token

COOKIE = "session"


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def client_with_cookie(app: Flask, value: str) -> FlaskClient:
    """A new browser that presents a copied session cookie (as a thief would)."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def is_logged_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def logout(client: FlaskClient) -> None:
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
