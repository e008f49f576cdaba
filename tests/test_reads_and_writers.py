"""Page reads do not queue behind a writer: SQLite in WAL mode with a busy timeout, the
"viewed" audit events written after rendering, reads on PostgreSQL take no row locks."""

from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike, db
from app.models import AuditEvent
from tests.factories import make_assignment, make_case, make_checkin, make_user, make_volunteer
from tests.helpers import login, make_app


def test_every_sqlite_connection_gets_wal_a_busy_timeout_and_normal_sync(tmp_path: Path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    with app.app_context():
        db.engine.dispose()


def _viewed(session: SessionLike) -> list[tuple[str, str | None]]:
    session.expire_all()
    return [
        (e.action, e.object_id)
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("%.viewed")).order_by(AuditEvent.id)
        )
    ]


def test_each_page_read_records_its_viewed_event(client: FlaskClient, session: SessionLike) -> None:
    coordinator = make_user(session, "coordinator")
    volunteer = make_volunteer(session)
    case = make_case(session)
    make_assignment(session, case, volunteer)
    checkin = make_checkin(session, case, volunteer)
    session.commit()
    login(client, coordinator.email)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/checkins/{checkin.id}").status_code == 200
    assert client.get(f"/cases/{case.id}/parent").status_code == 200
    parent = str(case.parent_id)
    assert _viewed(session) == [
        ("parent.viewed", parent),
        ("checkin.viewed", str(checkin.id)),
        ("parent.viewed", parent),
    ]
    theirs = client.application.test_client()
    login(theirs, volunteer.email)
    assert theirs.get(f"/cases/{case.id}").status_code == 200
    assert _viewed(session)[-1] == ("parent.viewed", parent)


def test_a_read_succeeds_while_another_connection_holds_a_write(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    """Another connection is in the middle of a write transaction (on the very case shown)
    for a moment shorter than the busy timeout: the case page still answers 200 and its
    audit event is recorded. On PostgreSQL the page does not wait for the writer at all: the
    writer is still holding its row lock when the page comes back."""
    coordinator = make_user(session, "coordinator")
    case = make_case(session)
    session.commit()
    login(client, coordinator.email)
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    sqlite = url.get_backend_name() == "sqlite"
    # the timer thread ends the transaction: SQLite must allow it from another thread
    other = sa.create_engine(url, connect_args={"check_same_thread": False} if sqlite else {})
    released = threading.Event()
    try:
        with other.connect() as conn:
            if sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # the database's one write lock
            conn.execute(
                sa.text("UPDATE cases SET high_risk = high_risk WHERE id = :id"), {"id": case.id}
            )

            def release() -> None:
                conn.rollback()
                released.set()

            # SQLite: let go well inside the 5 s busy timeout; PostgreSQL: only a safety net
            timer = threading.Timer(0.5 if sqlite else 30, release)
            timer.start()
            try:
                response = client.get(f"/cases/{case.id}")
                if not sqlite:
                    assert not released.is_set()  # the page did not wait for the writer
            finally:
                timer.cancel()
                if not released.is_set():
                    release()
    finally:
        other.dispose()
    assert response.status_code == 200
    assert _viewed(session) == [("parent.viewed", str(case.parent_id))]
