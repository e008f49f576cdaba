"""Migration 0007_search on existing rows: search keys filled, one Corner reference per case."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.extensions import db
from config import normalise_database_url
from tests.helpers import make_app

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
KINDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


@pytest.fixture(params=KINDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    server = sa.make_url(normalise_database_url(TEST_DATABASE_URL))
    name = f"corner_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


PARENTS = [
    # id, ref, first, last, email, phone, postcode
    (1, "BR-0001", "Zoë", "Reynolds", "zoe@example.org", "07700 900123", "BS2 0JA"),
    (2, "R000002", "Ola", "Nowak", None, "+44 7700 900456", None),  # Corner's old reference
    (3, "R000003-ab12", "Sam", "", None, None, None),  # Corner's, after a clash
    (4, "R000099", "Ana", "Lee", None, None, None),  # the charity's own that looks like ours
]


def test_upgrade_fills_keys_and_gives_corner_parents_their_case_reference(
    empty_database: str,
) -> None:
    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="0006_language_codes")
        with db.engine.begin() as conn:
            for pid, ref, first, last, email, phone, postcode in PARENTS:
                conn.execute(
                    sa.text(
                        "INSERT INTO parents (id, ref, first_name, last_name, email, phone, "
                        "postcode, languages, tags, availability, referred_on, created_at) "
                        "VALUES (:id, :ref, :first, :last, :email, :phone, :postcode, '[]', '[]', "
                        "'[]', '2026-10-01', '2026-10-01 09:00:00')"
                    ),
                    dict(
                        id=pid, ref=ref, first=first, last=last, email=email, phone=phone,
                        postcode=postcode,
                    ),
                )  # fmt: skip
                conn.execute(
                    sa.text(
                        "INSERT INTO cases (id, parent_id, status, high_risk, referred_at, "
                        "created_at) VALUES (:id, :id_p, 'waiting', false, "
                        "'2026-10-01 09:00:00', '2026-10-01 09:00:00')"
                    ),
                    {"id": pid + 40, "id_p": pid},
                )
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, first_name, last_name, role, active, "
                    "session_token, created_at) VALUES (1, 'sian@example.org', 'Siân', 'Evans', "
                    "'volunteer', true, 'tok', '2026-10-01 09:00:00')"
                )
            )
        upgrade()
        with db.engine.connect() as conn:
            parents = {
                row.id: row
                for row in conn.execute(
                    sa.text("SELECT id, ref, search_key, phone_digits FROM parents")
                )
            }
            user_key = conn.execute(sa.text("SELECT search_key FROM users")).scalar_one()
        assert parents[1].ref == "BR-0001"  # the charity's own reference is kept
        assert parents[1].search_key == "zoereynolds|zoe@exampleorg|bs20ja|br0001"
        assert parents[1].phone_digits == "7700900123"
        assert parents[2].ref == "C-00042" and parents[2].search_key == "olanowak|||c00042"
        assert parents[2].phone_digits == "7700900456"
        assert parents[3].ref == "C-00043" and parents[3].phone_digits is None
        assert parents[4].ref == "R000099"  # not R + its own id: the charity's, kept
        assert user_key == "sianevans|sian@exampleorg"
        downgrade(revision="0006_language_codes")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("parents")}
        assert "search_key" not in columns and "phone_digits" not in columns
        db.engine.dispose()
