"""Fixtures shared by the spreadsheet tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from app.extensions import db


@pytest.fixture
def refusing_trigger(app: Flask) -> Iterator[None]:
    """A database trigger that refuses one check-in: a real database error mid-import."""
    if db.engine.dialect.name == "sqlite":
        create = [
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON checkins WHEN NEW.notes = 'boom' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
        ]
        drop = ["DROP TRIGGER IF EXISTS refuse_boom"]
    else:
        create = [
            "CREATE FUNCTION refuse_boom() RETURNS trigger AS $$ BEGIN "
            "IF NEW.notes = 'boom' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF; "
            "RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON checkins FOR EACH ROW "
            "EXECUTE FUNCTION refuse_boom()",
        ]
        drop = [
            "DROP TRIGGER IF EXISTS refuse_boom ON checkins",
            "DROP FUNCTION IF EXISTS refuse_boom()",
        ]
    with db.engine.begin() as conn:
        for statement in create:
            conn.execute(sa.text(statement))
    try:
        yield
    finally:
        db.session.rollback()
        with db.engine.begin() as conn:
            for statement in drop:
                conn.execute(sa.text(statement))
