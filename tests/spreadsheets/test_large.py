"""A 10,000-row import: set-based, a bounded number of statements, nothing per row."""

from __future__ import annotations

import time

import pytest

from app.extensions import SessionLike, db
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import NOW
from tests.helpers import StatementCounter
from tests.spreadsheets.data import encoded, large_files, table_counts, wipe


@pytest.mark.slow
def test_ten_thousand_checkins_import_in_bounded_statements(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    files = encoded(large_files(parents=2000, checkins=10_000))
    with count_statements() as statements:
        started = time.perf_counter()
        result = import_spreadsheets(session, NOW, files)
        session.commit()
        took = time.perf_counter() - started
    assert result.ok, [str(p) for p in result.problems[:5]]
    counts = table_counts(session)
    assert (counts["checkins"], counts["parents"], counts["cases"], counts["assignments"]) == (
        10_000,
        2000,
        2000,
        2000,
    )
    # Lookups in chunks of 500 and inserts in batches: far fewer statements than rows.
    assert len(statements) < 120, len(statements)
    print(f"\n10,000 check-ins + 2,000 parents imported in {took:.2f}s ({db.engine.dialect.name})")

    first = export_spreadsheets(session).files
    assert first["checkins.csv"].count(b"\r\n") == 10_001
    wipe(session)
    assert import_spreadsheets(session, NOW, first).ok
    session.commit()
    assert export_spreadsheets(session).files == first
