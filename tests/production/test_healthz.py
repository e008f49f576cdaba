"""/healthz: no login, no cookie, no personal data; 200 when all is well, 503 otherwise."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from app.domain import EmailStatus
from app.extensions import SessionLike, db
from app.health.checks import record_heartbeat
from app.jobs import job_lock_check
from app.models import OutboxEmail
from tests.factories import NOW
from tests.helpers import make_app

KEYS = {
    "status",
    "database",
    "scheduler_heartbeat_age_seconds",
    "outbox_backlog",
    "oldest_unsent_email_age_seconds",
}


def _email(session: SessionLike, n: int, status: str, minutes_ago: float) -> None:
    at = NOW - timedelta(minutes=minutes_ago)
    session.add(
        OutboxEmail(
            message_id=f"<m{n}@corner.test>", kind="urgent_flag", to_addrs=["a@example.org"],
            subject="Corner", body_text="x", body_html="<p>x</p>", status=status,
            created_at=at, next_attempt_at=at,
        )
    )  # fmt: skip


def test_healthy_is_200_with_counts_only(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    record_heartbeat(session, NOW - timedelta(seconds=20))
    _email(session, 1, EmailStatus.QUEUED.value, 10)
    _email(session, 2, EmailStatus.SENDING.value, 2)
    _email(session, 3, EmailStatus.SENT.value, 500)  # sent and failed are not a backlog
    _email(session, 4, EmailStatus.FAILED.value, 500)
    session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "scheduler_heartbeat_age_seconds": 20,
        "outbox_backlog": 2,
        "oldest_unsent_email_age_seconds": 600,
    }
    assert "Set-Cookie" not in response.headers  # no session is started
    assert response.headers["Cache-Control"] == "no-store"


def test_not_rate_limited_and_no_login(database_uri: str, session: SessionLike) -> None:
    record_heartbeat(session, NOW)
    session.commit()
    limited = make_app(database_uri, CORNER_NOW=NOW, RATELIMIT_ENABLED=True)
    client = limited.test_client()
    assert {client.get("/healthz").status_code for _ in range(30)} == {200}
    with limited.app_context():
        db.engine.dispose()


def test_a_silent_scheduler_or_a_stuck_outbox_is_503(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    never = client.get("/healthz")
    assert never.status_code == 503 and never.json is not None
    assert never.json["scheduler_heartbeat_age_seconds"] is None
    record_heartbeat(session, NOW - timedelta(minutes=6))  # past the 5 minutes allowed
    session.commit()
    old = client.get("/healthz")
    assert old.status_code == 503 and old.json is not None and old.json["status"] == "fail"
    record_heartbeat(session, NOW)
    _email(session, 1, EmailStatus.QUEUED.value, 61)  # waiting for more than an hour
    session.commit()
    stuck = client.get("/healthz")
    assert stuck.status_code == 503 and stuck.json is not None
    assert stuck.json["oldest_unsent_email_age_seconds"] == 61 * 60


def test_the_scheduler_lock_check_writes_the_heartbeat(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    job_lock_check(app, NOW - timedelta(seconds=30))
    job_lock_check(app, NOW - timedelta(seconds=5))  # the same row, rewritten
    response = client.get("/healthz")
    assert response.status_code == 200, response.json
    assert response.json is not None and response.json["scheduler_heartbeat_age_seconds"] == 5


def test_a_database_that_is_gone_is_503(tmp_path: Path) -> None:
    for uri in (
        "postgresql+psycopg://postgres@127.0.0.1:1/corner?connect_timeout=2",  # nothing there
        f"sqlite:///{tmp_path / 'removed.sqlite3'}",  # an empty file: no tables
    ):
        gone = make_app(uri, CORNER_NOW=NOW)
        response = gone.test_client().get("/healthz")
        assert response.status_code == 503, uri
        assert response.json is not None and set(response.json) == KEYS
        assert response.json["database"] == "error" and response.json["status"] == "fail"
        with gone.app_context():
            db.engine.dispose()
