"""After a bulk load PostgreSQL plans from real statistics at once (app.db_statistics)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

from app.db_statistics import LOADED_TABLES, refresh_statistics
from app.demo.cli import load_demo
from app.extensions import SessionLike, db
from tests.factories import NOW, make_case, make_parent


def _estimated_rows(session: SessionLike, table: str) -> float:
    return float(
        session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table})
    )


def test_refresh_gathers_statistics_on_postgresql_only(session: SessionLike) -> None:
    for _ in range(30):
        make_case(session, make_parent(session))
    session.commit()
    ran = refresh_statistics(session)
    session.commit()
    if session.get_bind().dialect.name != "postgresql":
        assert ran is False
        assert (
            session.scalar(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"))
            == 0
        )
        return
    assert ran is True
    assert _estimated_rows(session, "parents") == 30
    assert _estimated_rows(session, "cases") == 30


def test_loading_the_demo_leaves_the_planner_real_counts(app: Flask) -> None:
    with app.app_context():
        counts = load_demo(NOW)
        assert counts is not None
        if db.engine.dialect.name != "postgresql":
            return
        parents = db.session.scalar(text("SELECT count(*) FROM parents"))
        assert _estimated_rows(db.session, "parents") == parents > 0
        for table in LOADED_TABLES:
            assert _estimated_rows(db.session, table) >= 0, table  # analysed: not -1
