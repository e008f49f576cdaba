"""Sign-in protection (app/auth/login_limits.py): limits kept in the database, so they hold
across workers and hosts; only wrong answers count; nobody else's failures lock a user out."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.login_limits import TOO_MANY
from app.extensions import SessionLike
from app.models import AuditEvent
from config import BASE_DIR
from tests.auth.helpers import is_logged_in
from tests.factories import NOW, PASSWORD, make_user
from tests.helpers import csrf_token
from tests.test_launch import _free_port

OFFICE = "198.51.100.20"
ATTACKER = "203.0.113.66"


def _client(app: Flask, address: str) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _login(client: FlaskClient, email: str, password: str) -> int:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    return response.status_code


def test_ten_wrong_passwords_a_minute_from_one_address_then_429(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "coordinator")
    session.commit()
    attacker = _client(app, ATTACKER)
    statuses = [_login(attacker, f"guess{n}@example.org", "not the password") for n in range(10)]
    assert statuses == [200] * 10
    token = csrf_token(attacker.get("/login").get_data(as_text=True))
    refused = attacker.post(
        "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code == 429  # even the right password: this address is spent
    html = refused.get_data(as_text=True)
    assert TOO_MANY in html and "Traceback" not in html
    assert "not right" not in html  # nothing said about the account
    assert attacker.get("/login").status_code == 200  # reading the page is not limited
    # another address is not held up by this one
    office = _client(app, OFFICE)
    assert _login(office, user.email, PASSWORD) == 302 and is_logged_in(office)
    # a minute later the address may try again
    app.config["CORNER_NOW"] = NOW + timedelta(minutes=1)
    assert _login(attacker, "again@example.org", "not the password") == 200


def test_right_passwords_do_not_count(app: Flask, session: SessionLike) -> None:
    """An office behind one address signs in as many people as it needs."""
    app.config["CORNER_NOW"] = NOW
    users = [make_user(session, "volunteer") for _ in range(12)]
    session.commit()
    assert [_login(_client(app, OFFICE), u.email, PASSWORD) for u in users] == [302] * 12


def test_an_account_under_attack_still_lets_its_owner_in(app: Flask, session: SessionLike) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "admin", email="asha@example.org")
    session.commit()
    # 20 wrong passwords for the account from two addresses (10 a minute each)
    for address in ("203.0.113.1", "203.0.113.2"):
        guesser = _client(app, address)
        assert [_login(guesser, "Asha@Example.org ", "guess") for _ in range(10)] == [200] * 10
    app.config["CORNER_NOW"] = NOW + timedelta(minutes=2)
    # the account is locked for the addresses that failed, even with the right password…
    assert _login(_client(app, "203.0.113.1"), user.email, PASSWORD) == 429
    # …a fresh address gets one guess, then it is locked out too
    fresh = _client(app, "203.0.113.3")
    assert _login(fresh, user.email, "guess") == 200
    assert _login(fresh, user.email, "guess") == 429
    # and the owner, from their own address, signs in at once
    owner = _client(app, OFFICE)
    assert _login(owner, user.email, PASSWORD) == 302 and is_logged_in(owner)
    # an hour on, the account's count starts again
    app.config["CORNER_NOW"] = NOW + timedelta(hours=1)
    assert _login(_client(app, "203.0.113.1"), user.email, PASSWORD) == 302


def test_failed_logins_are_audited_with_the_account_never_the_password(
    app: Flask, session: SessionLike
) -> None:
    user = make_user(session, "coordinator", email="known@example.org")
    session.commit()
    client = _client(app, OFFICE)
    _login(client, "known@example.org", "secret guess 1")
    _login(client, "nobody@example.org", "secret guess 2")
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "login.failed").order_by(AuditEvent.id)
    ).all()
    assert [(e.object_type, e.object_id, e.actor_id) for e in events] == [
        ("user", str(user.id), None),
        (None, None, None),
    ]
    for event in events:
        text = repr({c.name: getattr(event, c.name) for c in AuditEvent.__table__.columns})
        assert "secret guess" not in text and "nobody@" not in text


def test_a_wrong_current_password_counts_as_a_wrong_sign_in(
    app: Flask, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    user = make_user(session, "volunteer")
    session.commit()
    client = _client(app, OFFICE)
    assert _login(client, user.email, PASSWORD) == 302
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    new = "lighthouse kettle meadow"
    data = {"current": "guess", "password": new, "confirm": new, "csrf_token": token}
    statuses = [client.post("/account/password", data=data).status_code for _ in range(11)]
    assert statuses == [200] * 10 + [429]


# --------------------------------------------------------------- two gunicorn workers


def _wrong_login(base: str, email: str) -> int:
    """One browser: GET the form for its CSRF token and cookie, POST a wrong password."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(f"{base}/login", timeout=30) as page:
        token = csrf_token(page.read().decode())
    body = urllib.parse.urlencode({"email": email, "password": "wrong", "csrf_token": token})
    try:
        with opener.open(f"{base}/login", data=body.encode(), timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        error.close()
        return int(error.code)


def _serving(base: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/login", timeout=5):  # noqa: S310 (http only)
                return True
        except OSError:
            time.sleep(0.2)
    return False


def test_two_gunicorn_workers_share_one_limit(app: Flask, tmp_path: Path) -> None:
    """The issue's test: 30 wrong logins from one address to 2 workers, at most 10 not 429."""
    port = _free_port()
    env = {
        **os.environ,
        "CORNER_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "CORNER_INSTANCE_DIR": str(tmp_path),
    }
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "60"]
    process = subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _serving(base, process), "gunicorn did not start"
        if time.gmtime().tm_sec >= 40:  # all 30 within one minute's window
            time.sleep(61 - time.gmtime().tm_sec)
        with ThreadPoolExecutor(max_workers=4) as pool:
            emails = [f"guess{n % 3}@example.org" for n in range(30)]
            statuses = list(pool.map(lambda e: _wrong_login(base, e), emails))
        assert set(statuses) <= {200, 429}, statuses
        assert sum(s != 429 for s in statuses) <= 10, statuses
        assert statuses.count(429) >= 20
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
