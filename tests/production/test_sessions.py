"""Sessions end after 30 idle minutes and 12 hours after login; production sends HSTS."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from app import HSTS_VALUE
from app.auth.session_limits import idle_words, stale_reason
from app.extensions import SessionLike
from config import Config
from tests.factories import NOW, make_user
from tests.helpers import login, make_app
from tests.production.test_refusal import GOOD, dispose


class Clock:
    def __init__(self, start: datetime) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def _signed_in(app: Flask, client: FlaskClient, session: SessionLike) -> Clock:
    clock = Clock(NOW)
    app.config["CORNER_NOW"] = clock
    # the limits a deployment gets (the testing config lifts them for the other tests)
    app.config["SESSION_IDLE_MINUTES"] = Config.SESSION_IDLE_MINUTES
    app.config["SESSION_MAX_HOURS"] = Config.SESSION_MAX_HOURS
    user = make_user(session, "coordinator")
    session.commit()
    assert login(client, user.email).status_code == 302
    assert client.get("/").status_code == 200
    return clock


def test_a_session_idle_for_30_minutes_is_signed_out(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    clock = _signed_in(app, client, session)
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # still in, and the idle clock restarts
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=30)
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity." in page
    assert client.get("/").status_code == 302  # out for good


def test_a_session_ends_12_hours_after_login_however_busy(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    clock = _signed_in(app, client, session)
    for _ in range(47):  # a request every quarter of an hour for 11 h 45
        clock.advance(minutes=15)
        assert client.get("/").status_code == 200
    clock.advance(minutes=15)
    response = client.get("/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "logged in more than 12 hours ago" in page


def test_the_limits_are_settings(app: Flask, client: FlaskClient, session: SessionLike) -> None:
    assert (Config.SESSION_IDLE_MINUTES, Config.SESSION_MAX_HOURS) == (30, 12)  # the defaults
    clock = _signed_in(app, client, session)
    app.config["SESSION_IDLE_MINUTES"] = 5
    clock.advance(minutes=5)
    assert client.get("/").status_code == 302


def test_the_rule_and_its_words() -> None:
    assert stale_reason(0, 0, 1799, 30, 12) is None
    assert "30 minutes without activity" in (stale_reason(0, 0, 1800, 30, 12) or "")
    assert "12 hours" in (stale_reason(0, 43_000, 43_200, 30, 12) or "")
    assert (
        idle_words(60) == "1 hour"
        and idle_words(1) == "1 minute"
        and idle_words(90) == ("90 minutes")
    )


def test_production_sends_hsts_on_every_response(database_uri: str, client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers  # not in testing
    production = make_app(database_uri, **GOOD)
    served = production.test_client()
    for url in ("/login", "/healthz", "/no-such-page", "/static/corner.css"):
        response = served.get(url, base_url="https://corner.example.org")
        assert response.headers["Strict-Transport-Security"] == HSTS_VALUE, url
        assert response.headers["X-Frame-Options"] == "DENY"  # the others are kept
        assert "Content-Security-Policy" in response.headers
        response.close()  # (static files are streamed)
    dispose(production)
