"""Time a large spreadsheet import and export (run by hand, never by the test suite).

    .venv/bin/python -m bench.spreadsheets_import [--checkins 10000] [--parents 2000]

Uses a fresh SQLite file, or the PostgreSQL server in TEST_DATABASE_URL when set (a
private database is created there and dropped afterwards).
"""

from __future__ import annotations

import argparse
import os
import time

from flask_migrate import upgrade

from app.extensions import db
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from bench.databases import temporary_postgres, temporary_sqlite
from tests.conftest import make_app
from tests.factories import NOW
from tests.spreadsheets.data import encoded, large_files


def run(url: str, parents: int, checkins: int) -> None:
    app = make_app(url)
    with app.app_context():
        upgrade()
        files = encoded(large_files(parents=parents, checkins=checkins))
        size = sum(len(data) for data in files.values())
        started = time.perf_counter()
        result = import_spreadsheets(db.session, NOW, files)
        db.session.commit()
        imported = time.perf_counter() - started
        assert result.ok, [str(p) for p in result.problems[:5]]
        started = time.perf_counter()
        exported = export_spreadsheets(db.session)
        took = time.perf_counter() - started
        print(
            f"{db.engine.dialect.name}: import {result.counts.summary()} "
            f"({size / 1e6:.1f} MB) in {imported:.2f}s; export in {took:.2f}s "
            f"({exported.counts['checkins.csv']} check-ins)"
        )
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins", type=int, default=10_000)
    parser.add_argument("--parents", type=int, default=2000)
    args = parser.parse_args()
    with temporary_sqlite() as url:
        run(url, args.parents, args.checkins)
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        with temporary_postgres(server) as url:
            run(url, args.parents, args.checkins)


if __name__ == "__main__":
    main()
