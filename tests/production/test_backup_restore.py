"""Backups restore: the commands of docs/operations.md#backups, run on a live database, give
a database the app reads the same rows from (SQLite: the online backup API, as
``sqlite3 FILE ".backup COPY"``; PostgreSQL: ``pg_dump -Fc`` then ``pg_restore`` into a fresh
database this test creates and drops)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike, db
from app.models import AuditEvent, Case, Parent, User
from tests.factories import NOW, make_area, make_case, make_parent, make_user
from tests.helpers import make_app

TIMEOUT = 120  # seconds for each command: bounded, never a hung test


def _seed(session: SessionLike) -> None:
    area = make_area(session, "Bristol")
    make_user(session, "admin", email="boss@charity.example")
    for n in range(3):
        make_case(session, make_parent(session, area=area, first_name=f"Amira{n}"))
    session.add(AuditEvent(at=NOW, action="seeded"))
    session.commit()


def _rows(app: Flask) -> dict[str, Any]:
    with app.app_context():
        rows = {
            "users": sorted(db.session.scalars(select(User.email))),
            "parents": sorted(db.session.scalars(select(Parent.first_name))),
            "cases": sorted(db.session.scalars(select(Case.id))),
            "audit": sorted(db.session.scalars(select(AuditEvent.action))),
            "revision": db.session.scalar(sa.text("SELECT version_num FROM alembic_version")),
        }
        db.session.remove()
        db.engine.dispose()
    return rows


def _sqlite_round_trip(app: Flask, session: SessionLike, tmp_path: Path) -> Flask:
    live = Path(db.engine.url.database or "")
    copy = tmp_path / "backup.sqlite3"
    # a reader holds the live database open meanwhile: the backup API copies it consistently
    with db.engine.connect() as busy:
        busy.execute(select(User.id)).all()
        source, target = sqlite3.connect(live), sqlite3.connect(copy)
        source.backup(target)
        source.close()
        target.close()
    if shutil.which("sqlite3"):  # the documented command gives the same file contents
        cli_copy = tmp_path / "backup-cli.sqlite3"
        subprocess.run(["sqlite3", str(live), f".backup '{cli_copy}'"], check=True, timeout=TIMEOUT)
        assert _rows(make_app(f"sqlite:///{cli_copy}")) == _rows(make_app(f"sqlite:///{copy}"))
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(copy, restored)  # restoring is putting the copy in place, service stopped
    return make_app(f"sqlite:///{restored}")


def _postgres_round_trip(app: Flask, tmp_path: Path) -> tuple[Flask, str]:
    url = db.engine.url
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = tmp_path / "corner.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), plain], check=True, timeout=TIMEOUT)
    fresh = f"corner_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{fresh}"'))
    target = url.set(drivername="postgresql", database=fresh)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d",
         target.render_as_string(hide_password=False), str(dump)],
        check=True, timeout=TIMEOUT,
    )  # fmt: skip
    admin.dispose()
    return make_app(target.set(drivername="postgresql+psycopg").render_as_string(False)), fresh


def _drop(url: sa.URL, name: str) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_of_the_live_database_restores_with_the_same_rows(
    app: Flask, session: SessionLike, tmp_path: Path
) -> None:
    _seed(session)
    before = _rows(make_app(app.config["SQLALCHEMY_DATABASE_URI"]))
    assert len(before["cases"]) == 3 and before["revision"]
    if db.engine.dialect.name == "sqlite":
        restored = _sqlite_round_trip(app, session, tmp_path)
        assert _rows(restored) == before
        return
    url = db.engine.url
    restored, fresh = _postgres_round_trip(app, tmp_path)
    try:
        assert _rows(restored) == before
    finally:
        _drop(url, fresh)
