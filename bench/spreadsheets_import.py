"""Time a large spreadsheet import and export (run by hand, never by the test suite).

    .venv/bin/python -m bench.spreadsheets_import [--checkins 100000] [--parents 5000]
        [--runs 3] [--postgres]

Each run is a fresh child process on a fresh database (a SQLite file; with --postgres also
a private database on the server in TEST_DATABASE_URL, dropped afterwards). It prints the
import time, the peak memory of the import (the child's maximum resident set, and the
same before the import started), the export time, and the floor: a plain driver
``executemany`` of the same check-in rows into a copy of the table, in the same run.
Medians over ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from config import normalise_database_url


def child(url: str, directory: str, checkins: int) -> None:
    from flask_migrate import upgrade

    from app.extensions import db
    from app.spreadsheets.exporter import export_spreadsheets
    from app.spreadsheets.importer import import_spreadsheets
    from tests.conftest import make_app
    from tests.factories import NOW

    app = make_app(url)
    with app.app_context():
        upgrade()
        files = {path.name: path.read_bytes() for path in sorted(Path(directory).iterdir())}
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started = time.perf_counter()
        result = import_spreadsheets(db.session, NOW, files)
        db.session.commit()
        imported = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert result.ok, [str(p) for p in result.problems[:5]]
        del files
        started = time.perf_counter()
        exported = export_spreadsheets(db.session)
        export_took = time.perf_counter() - started
        assert exported.counts["checkins.csv"] == checkins
        floor = _floor(db.engine)
        print(
            json.dumps(
                {
                    "import": imported,
                    "export": export_took,
                    "floor": floor,
                    "peak_mb": peak,
                    "before_mb": before,
                    "summary": result.counts.summary(),
                }
            )
        )
        db.session.remove()
        db.engine.dispose()


def _floor(engine: sa.Engine) -> float:
    """A plain driver executemany of the imported check-ins into an empty copy of the table."""
    columns = (
        "case_id, volunteer_id, occurred_at, mode, duration_min, successful, wellbeing, "
        "bonding, whooley_down, whooley_interest, topics, concerns, coordinator_today, notes, "
        "status, created_at, updated_at, submitted_at, deleted_at, deleted_by_id"
    )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT {columns} FROM checkins")
        rows = cursor.fetchall()
        if engine.dialect.name == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE floor_checkins "
                "(LIKE checkins INCLUDING DEFAULTS INCLUDING IDENTITY)"
            )
            mark = "%s"
            rows = [tuple(json.dumps(v) if isinstance(v, list) else v for v in r) for r in rows]
        else:
            cursor.execute("CREATE TEMP TABLE floor_checkins AS SELECT * FROM checkins WHERE 0")
            mark = "?"
        marks = ", ".join(mark for _ in columns.split(","))
        started = time.perf_counter()
        cursor.executemany(f"INSERT INTO floor_checkins ({columns}) VALUES ({marks})", rows)
        raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


CHILD = [sys.executable, "-m", "bench.spreadsheets_import", "--child"]


def _run_child(url: str, directory: str, checkins: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 (our own module)
        [*CHILD, url, "--files", directory, "--checkins", str(checkins)],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _report(name: str, runs: list[dict[str, float]]) -> None:
    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    took, floor = median("import"), median("floor")
    each = ", ".join(f"{run['import']:.2f}" for run in runs)
    print(
        f"{name}: import {median('import'):.2f}s (runs: "
        f"{each}), floor executemany {floor:.2f}s, "
        f"ratio {took / floor:.1f}x; peak memory {median('peak_mb'):.0f} MB "
        f"({median('before_mb'):.0f} MB before it: Python, the app, the files' bytes); "
        f"export {median('export'):.2f}s"
    )
    print(f"  {runs[0]['summary']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--parents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--files", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.files, args.checkins)
        return
    with tempfile.TemporaryDirectory() as directory:
        from tests.spreadsheets.data import encoded, large_files

        files = encoded(large_files(parents=args.parents, checkins=args.checkins))
        for name, data in files.items():
            (Path(directory) / name).write_bytes(data)
        _bench(args, directory)


def _bench(args: argparse.Namespace, directory: str) -> None:
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(_run_child(f"sqlite:///{tmp}/bench.sqlite3", directory, args.checkins))
    _report("sqlite", runs)
    if args.postgres:
        server = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
        server_url = sa.make_url(normalise_database_url(server))
        admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
        runs = []
        try:
            for _ in range(args.runs):
                name = f"corner_bench_{uuid.uuid4().hex[:8]}"
                with admin.connect() as conn:
                    conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
                try:
                    url = server_url.set(database=name).render_as_string(hide_password=False)
                    runs.append(_run_child(url, directory, args.checkins))
                finally:
                    with admin.connect() as conn:
                        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()
        _report("postgresql", runs)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
