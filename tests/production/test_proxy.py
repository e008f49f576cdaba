"""TRUSTED_PROXY_COUNT: behind a proxy the client address and scheme come from its headers,
so the self-referral limit counts each visitor; with 0 the headers are ignored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from app.extensions import SessionLike, db
from app.settings import save_settings
from tests.cases.test_self_referral_limits import FORM
from tests.factories import NOW, PASSWORD, make_area, make_user
from tests.helpers import make_app, post_form


@pytest.fixture
def proxied(database_uri: str, session: SessionLike) -> Iterator[Flask]:
    """The app as configured behind one proxy, on the test database (one area, limit 1)."""
    make_area(session, "Bristol")
    save_settings(session, NOW, "referrals", {"per_address": 1, "per_email": 50}, None)
    session.commit()
    app = make_app(database_uri, TRUSTED_PROXY_COUNT=1, CORNER_NOW=NOW)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _from(client: FlaskClient, address: str) -> FlaskClient:
    client.environ_base["HTTP_X_FORWARDED_FOR"] = address
    return client


def _refer(client: FlaskClient, n: int) -> int:
    return int(post_form(client, "/refer", {**FORM, "email": f"p{n}@example.org"}).status_code)


def test_behind_one_proxy_each_forwarded_address_has_its_own_limit(proxied: Flask) -> None:
    first = _from(proxied.test_client(), "203.0.113.5")
    second = _from(proxied.test_client(), "198.51.100.7")
    assert _refer(first, 1) == 302
    assert _refer(first, 2) == 429  # this visitor's hour is used up
    assert _refer(second, 3) == 302  # another visitor behind the same proxy is not


def test_a_forged_header_in_front_of_the_proxy_is_not_trusted(proxied: Flask) -> None:
    """The proxy appends the real address; only the last (nearest) one is believed."""
    forger = _from(proxied.test_client(), "10.9.9.9, 203.0.113.5")
    assert _refer(forger, 1) == 302
    forger.environ_base["HTTP_X_FORWARDED_FOR"] = "10.1.1.1, 203.0.113.5"
    assert _refer(forger, 2) == 429


def test_without_a_trusted_proxy_the_header_is_ignored(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    make_area(session, "Bristol")
    save_settings(session, NOW, "referrals", {"per_address": 1, "per_email": 50}, None)
    session.commit()
    app.config["CORNER_NOW"] = NOW
    assert _refer(_from(client, "203.0.113.5"), 1) == 302
    assert _refer(_from(client, "198.51.100.7"), 2) == 429  # the same (real) address


def test_the_scheme_and_address_come_from_the_proxy(proxied: Flask) -> None:
    seen: dict[str, object] = {}
    with proxied.test_request_context(
        "/", headers={"X-Forwarded-For": "203.0.113.5", "X-Forwarded-Proto": "https"}
    ):
        proxied.wsgi_app(request.environ, lambda status, headers: None)  # type: ignore[arg-type]
        seen["addr"] = request.environ.get("REMOTE_ADDR")
        seen["scheme"] = request.environ.get("wsgi.url_scheme")
    assert seen == {"addr": "203.0.113.5", "scheme": "https"}


def test_behind_one_proxy_another_forwarded_address_logs_in_at_once(
    database_uri: str, session: SessionLike
) -> None:
    """Every visitor arrives from the proxy's address; with TRUSTED_PROXY_COUNT=1 the login
    limit counts each forwarded address, so one address's failures stop no one else."""
    user = make_user(session, "coordinator")
    session.commit()
    app = make_app(database_uri, TRUSTED_PROXY_COUNT=1, CORNER_NOW=NOW)
    try:
        attacker = _from(app.test_client(), "203.0.113.66")
        wrong = {"email": user.email, "password": "not the password"}
        statuses = [post_form(attacker, "/login", wrong).status_code for _ in range(11)]
        assert statuses == [200] * 10 + [429]
        visitor = _from(app.test_client(), "198.51.100.20")
        signed_in = post_form(visitor, "/login", {"email": user.email, "password": PASSWORD})
        assert signed_in.status_code == 302
        assert visitor.get("/").status_code == 200
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
