"""Time a large spreadsheet import and export, and the import's peak memory (run by hand,
never by the test suite).

    .venv/bin/python -m bench.spreadsheets_import [--checkins 100000] [--parents 5000]
        [--runs 3] [--postgres] [--code DIR ...]

Each run takes a fresh database (a SQLite file; with --postgres also a private database
on the server in TEST_DATABASE_URL, dropped afterwards) and three child processes:

* *setup*: the migrations, and the files queued as an import job (``queue_import``, as the
  upload page does);
* *import*: a fresh process that runs that job the way the scheduler does
  (``background.run_next_job``: reads the files, imports in one transaction, commits);
  its wall and CPU time (on SQLite the database's work is in the process too; on
  PostgreSQL only the client's), and its peak memory: the process's maximum resident set
  (``ru_maxrss`` from ``os.wait4`` once it has exited, so nothing of the setup or the
  parent counts);
* *export*: the export of everything, timed, and the floor: a plain driver ``executemany``
  of the same check-in rows into an empty copy of the table.

Once per database a *bare* child only imports the app, creates it and opens a connection:
its peak is the floor under the import's. ``--code DIR ...`` runs the children on other
checkouts' code too (``PYTHONPATH=DIR``; this file and the generated files stay the same),
one after the other in each run, to compare old and new side by side. Medians over
``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent


# --------------------------------------------------------------------------- the children


def _app(url: str, jobs: str) -> Any:
    from app import create_app

    config = {"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url, "JOBS_DIR": jobs}
    return create_app(config)


def child_bare(url: str, jobs: str) -> dict[str, Any]:
    """What the import's process holds before it imports: Python, the app, a connection."""
    import sqlalchemy as sa

    from app.background import run_next_job  # noqa: F401 (the import's code, loaded)
    from app.extensions import db

    app = _app(url, jobs)
    with app.app_context():
        db.session.execute(sa.select(1))
        db.session.remove()
        db.engine.dispose()
    return {}


def child_setup(url: str, jobs: str, files: str) -> dict[str, Any]:
    from flask_migrate import upgrade

    from app.background import jobs_root, queue_import
    from app.domain import Role
    from app.extensions import db
    from tests.factories import NOW, make_user

    app = _app(url, jobs)
    with app.app_context():
        upgrade()
        admin = make_user(db.session, Role.ADMIN)
        data = {path.name: path.read_bytes() for path in sorted(Path(files).iterdir())}
        queue_import(db.session, NOW, data, user_id=admin.id, root=jobs_root(app))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {"now": NOW.isoformat()}


def child_import(url: str, jobs: str, now: str) -> dict[str, Any]:
    """The job, as the scheduler runs it (``flask jobs run`` is the same call)."""
    from datetime import datetime

    from app.background import DONE, run_next_job

    app = _app(url, jobs)
    started, cpu = time.perf_counter(), time.process_time()
    outcome = run_next_job(app, datetime.fromisoformat(now))
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert outcome is not None and outcome.status == DONE, outcome
    return {"import": took, "cpu": cpu, "summary": outcome.summary}


def child_export(url: str, jobs: str, checkins: int) -> dict[str, Any]:
    from app.extensions import db
    from app.spreadsheets.exporter import export_spreadsheets

    app = _app(url, jobs)
    with app.app_context():
        started = time.perf_counter()
        exported = export_spreadsheets(db.session)
        took = time.perf_counter() - started
        assert exported.counts["checkins.csv"] == checkins, exported.counts
        del exported
        floor = _floor(db.engine)
        db.session.remove()
        db.engine.dispose()
    return {"export": took, "floor": floor}


def _floor(engine: Any) -> float:
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


CHILDREN = {
    "bare": child_bare,
    "setup": child_setup,
    "import": child_import,
    "export": child_export,
}


def _child_main(argv: list[str]) -> None:
    kind, url, jobs, *rest = argv
    work: Any = CHILDREN[kind]
    arguments: list[Any] = [int(rest[0])] if kind == "export" else rest
    print(json.dumps(work(url, jobs, *arguments)))


# --------------------------------------------------------------------------- the parent


def _run(code: Path, kind: str, *args: str) -> dict[str, Any]:
    """One child on ``code``'s app: what it printed, and its peak memory in MB."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(  # noqa: S603 (this file, our arguments)
            [sys.executable, str(HERE), "--child", kind, *args],
            cwd=code,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        assert process.stdout is not None
        out = process.stdout.read()
        # wait4: this child's own rusage (RUSAGE_CHILDREN would be the largest of all so far)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            err.seek(0)
            sys.exit(f"{kind} child on {code} failed:\n{err.read().decode()[-3000:]}")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    return result


def _one_run(code: Path, url: str, files: str, checkins: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="corner_bench_jobs_") as jobs:
        setup = _run(code, "setup", url, jobs, files)
        imported = _run(code, "import", url, jobs, setup["now"])
        exported = _run(code, "export", url, jobs, str(checkins))
    return {
        "import": imported["import"],
        "cpu": imported["cpu"],
        "peak_mb": imported["peak_mb"],
        "summary": imported["summary"],
        "export": exported["export"],
        "export_peak_mb": exported["peak_mb"],
        "floor": exported["floor"],
    }


def _report(name: str, runs: list[dict[str, Any]], bare: float) -> None:
    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    took, floor = median("import"), median("floor")
    each = ", ".join(f"{run['import']:.2f}" for run in runs)
    peaks = ", ".join(f"{run['peak_mb']:.0f}" for run in runs)
    print(
        f"  {name}: import {took:.2f}s (runs: {each}; CPU of the process {median('cpu'):.2f}s), "
        f"floor executemany {floor:.2f}s, ratio {took / floor:.1f}x; "
        f"export {median('export'):.2f}s"
    )
    print(
        f"  {name}: import process peak {median('peak_mb'):.0f} MB (runs: {peaks}); bare app "
        f"process {bare:.0f} MB, so the import adds {median('peak_mb') - bare:.0f} MB; "
        f"export process peak {median('export_peak_mb'):.0f} MB"
    )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        if sys.path[0] == str(HERE.parent):  # run by path: bench/ must not shadow modules
            sys.path.pop(0)
        _child_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkins", type=int, default=100_000)
    parser.add_argument("--parents", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--code",
        nargs="+",
        type=Path,
        default=[ROOT],
        help="checkouts whose app the children run (default: this one)",
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.databases import temporary_database
    from tests.spreadsheets.data import encoded, large_files

    databases: list[tuple[str, str | None]] = [("sqlite", None)]
    if args.postgres:
        pg = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
        databases.append(("postgresql", pg))
    codes = [code.resolve() for code in args.code]
    with tempfile.TemporaryDirectory(prefix="corner_bench_files_") as files:
        data = encoded(large_files(parents=args.parents, checkins=args.checkins))
        for name, content in data.items():
            (Path(files) / name).write_bytes(content)
        size = sum(len(content) for content in data.values()) / 1e6
        del data
        print(f"{args.checkins:,} check-ins, {args.parents:,} parents: {size:.1f} MB of files")
        print(f"load average before: {_load()}")
        for db_name, server in databases:
            bare: dict[Path, float] = {}
            runs: dict[Path, list[dict[str, Any]]] = {code: [] for code in codes}
            for code in codes:
                with temporary_database(server) as bare_url, tempfile.TemporaryDirectory() as jobs:
                    bare[code] = _run(code, "bare", bare_url, jobs)["peak_mb"]
            for _ in range(args.runs):
                for code in codes:  # one after the other in each run: the same load
                    with temporary_database(server) as url:
                        runs[code].append(_one_run(code, url, files, args.checkins))
            print(f"{db_name}:")
            for code in codes:
                _report(str(code), runs[code], bare[code])
            print(f"  {runs[codes[0]][0]['summary']}")
        print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
