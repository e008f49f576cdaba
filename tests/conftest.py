"""Fixtures: an app on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set).

Only fixtures live here; what tests import (make_app, login, post_form, csrf_token,
assert_accessible) lives in tests/helpers.py.

The schema is built once per database by running the Alembic migrations; each test then
gets a clean copy (SQLite: a fresh copy of the migrated file; PostgreSQL: a private
database for this pytest run, emptied after every test).
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page
from sqlalchemy import event

from app.extensions import SessionLike, db
from config import normalise_database_url
from tests.browser import LiveServer, launch_browser, new_page, start_live_server
from tests.factories import NOW
from tests.helpers import StatementCounter, make_app
from tests.smtp import RecordingHandler, SmtpServer, free_port

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
DB_KINDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def _migrate_database(database_uri: str) -> None:
    app = make_app(database_uri)
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "template.sqlite3"
    _migrate_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL database for this run, migrated once, dropped at the end."""
    if not TEST_DATABASE_URL:
        pytest.fail("TEST_DATABASE_URL is not set")  # never reached: DB_KINDS guards it
    server_url = sa.make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"corner_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = server_url.set(database=name).render_as_string(hide_password=False)
    try:
        _migrate_database(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_all(app: Flask) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=DB_KINDS)
def database_uri(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "corner.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def app(database_uri: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_uri, JOBS_DIR=str(tmp_path / "jobs"))
    with app.app_context():
        yield app
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            _truncate_all(app)
        db.engine.dispose()


@pytest.fixture
def session(app: Flask) -> SessionLike:
    """The app's scoped session (tests commit it when a request must see their data)."""
    return db.session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def now() -> datetime:
    return NOW


# --------------------------------------------------------------------------- SQL statements


@pytest.fixture
def count_statements(app: Flask) -> StatementCounter:
    """``with count_statements() as statements:`` lists the SQL the block sends to the database."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counting


# --------------------------------------------------------------------------- browser


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """Corner served on 127.0.0.1 on a free port, on the test's database."""
    server = start_live_server(app)
    app.config["BASE_URL"] = server.url
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    playwright, chromium = launch_browser()
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser)


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    yield from new_page(browser, phone=True)


# --------------------------------------------------------------------------- mail


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1 on a free port; the app is pointed at it."""
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
