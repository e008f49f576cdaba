"""Benchmark: one full escalation scan over 50,000 cases and 1,000,000 check-ins.

Builds its own data (bulk inserts: executemany on SQLite, COPY on PostgreSQL) in a
temporary SQLite file and, with ``--postgres URL``, in a temporary PostgreSQL database it
creates and drops. For each database it reports:

* the floor: one plain SQL query that finds each open case's latest contact;
* the scan (``app.escalation.scan.run_scan``) the first time (raising every flag) and a
  second time (idempotent: raises nothing): seconds and SQL statements;
* the ratio scan / floor, measured in the same run;
* an incremental scan (``since`` the last completed scan) 10 minutes after a recorded full
  scan, nothing written in between: seconds (best of 3), cases evaluated, ratio to the
  floor.

Run (from the repository root):

    .venv/bin/python -m bench.escalation
    .venv/bin/python -m bench.escalation --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import event

from app import create_app
from app.escalation.scan import run_scan, run_scheduled_scan
from app.escalation.scan_runs import record_completed_scan
from app.extensions import db
from bench.databases import temporary_postgres, temporary_sqlite

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
FLOOR_SQL = """
SELECT c.id, MAX(ch.occurred_at)
FROM cases c
LEFT JOIN checkins ch
  ON ch.case_id = c.id AND ch.status = 'submitted' AND ch.successful = {true}
WHERE c.status IN ('referred', 'waiting', 'active')
GROUP BY c.id
"""


def day(value: date) -> datetime:
    return datetime.combine(value, datetime.min.time(), tzinfo=UTC)


def stamp(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


# --------------------------------------------------------------------------- data


def generate(
    cases: int, checkins: int, seed: int = 7
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Rows for every table the scan reads, as (columns, rows)."""
    rnd = random.Random(seed)
    created = stamp(NOW - timedelta(days=400))
    volunteers = max(cases // 25, 10)
    users = [
        (
            1,
            "coordinator@bench.example",
            "Coordinator",
            "Bench",
            "coordinator",
            True,
            uuid.uuid4().hex,
            created,
        )
    ]
    profiles = []
    for i in range(volunteers):
        uid = i + 2
        users.append(
            (
                uid,
                f"v{uid}@bench.example",
                "Vol",
                str(uid),
                "volunteer",
                True,
                uuid.uuid4().hex,
                created,
            )
        )
        status = "active" if rnd.random() > 0.03 else rnd.choice(["paused", "left"])
        expiry = date(2027, 6, 1) if rnd.random() > 0.02 else date(2026, 9, 1)
        profiles.append(
            (
                uid,
                uid,
                '["en"]',
                '["pregnancy", "birth", "postnatal"]',
                "[]",
                "[]",
                30,
                False,
                status,
                expiry,
            )
        )
    parents, case_rows, assignments = [], [], []
    for i in range(cases):
        cid = i + 1
        due = (NOW - timedelta(days=rnd.randint(-250, 650))).date()
        birth = (
            due + timedelta(days=rnd.randint(-14, 14))
            if due < NOW.date() and rnd.random() > 0.05
            else None
        )
        referred = min(
            stamp(NOW - timedelta(days=1)),
            stamp(day(due) - timedelta(days=rnd.randint(30, 200))),
        )
        parents.append(
            (
                cid,
                f"R{cid:07d}",
                "Parent",
                str(cid),
                '["en"]',
                "[]",
                "[]",
                due,
                birth,
                referred.date(),
                created,
            )
        )
        roll = rnd.random()
        status = "closed" if roll < 0.1 else "waiting" if roll < 0.15 else "active"
        if status == "waiting":
            referred = stamp(NOW - timedelta(days=rnd.randint(1, 14)))
        case_rows.append((cid, cid, status, 1, rnd.random() < 0.1, referred, created))
        if status == "active":
            started = referred + timedelta(days=rnd.randint(0, 20))
            assignments.append(
                (
                    cid,
                    cid,
                    rnd.randint(2, volunteers + 1),
                    stamp(NOW) if started > stamp(NOW) else started,
                )
            )
    checkin_rows = []
    per_case = checkins // cases
    cid_volunteer = {a[1]: a[2] for a in assignments}
    n = 0
    for cid in range(1, cases + 1):
        vol = cid_volunteer.get(cid, 2)
        # a believable rhythm: a check-in every 5-18 days going back from a recent one
        when = stamp(NOW - timedelta(hours=rnd.randint(2, 24 * 12)))
        for _ in range(per_case):
            n += 1
            roll = rnd.random()
            status = "draft" if roll < 0.01 else "deleted" if roll < 0.03 else "submitted"
            ok = rnd.random() > 0.12
            wellbeing = rnd.choices([1, 2, 3, 4, 5], [2, 5, 25, 40, 28])[0] if ok else None
            bonding = (
                rnd.choices([1, 2, 3, 4, 5], [1, 3, 20, 40, 36])[0]
                if ok and rnd.random() > 0.6
                else None
            )
            checkin_rows.append(
                (
                    n,
                    cid,
                    vol,
                    when,
                    "phone",
                    ok,
                    wellbeing,
                    bonding,
                    "[]",
                    "[]",
                    False,
                    "",
                    status,
                    when,
                    when,
                )
            )
            when -= timedelta(days=rnd.randint(5, 18), minutes=rnd.randint(0, 600))
    return {
        "users": (
            [
                "id",
                "email",
                "first_name",
                "last_name",
                "role",
                "active",
                "session_token",
                "created_at",
            ],
            users,
        ),
        "volunteer_profiles": (
            [
                "id",
                "user_id",
                "languages",
                "stages",
                "tags",
                "availability",
                "max_caseload",
                "remote_only",
                "status",
                "dbs_expires_on",
            ],
            profiles,
        ),
        "parents": (
            [
                "id",
                "ref",
                "first_name",
                "last_name",
                "languages",
                "tags",
                "availability",
                "due_date",
                "birth_date",
                "referred_on",
                "created_at",
            ],
            parents,
        ),
        "cases": (
            ["id", "parent_id", "status", "owner_id", "high_risk", "referred_at", "created_at"],
            case_rows,
        ),
        "assignments": (["id", "case_id", "volunteer_id", "started_at"], assignments),
        "checkins": (
            [
                "id",
                "case_id",
                "volunteer_id",
                "occurred_at",
                "mode",
                "successful",
                "wellbeing",
                "bonding",
                "topics",
                "concerns",
                "coordinator_today",
                "notes",
                "status",
                "created_at",
                "updated_at",
            ],
            checkin_rows,
        ),
    }


def _sqlite_text(moment: datetime) -> str:
    """An instant as SQLAlchemy stores it in SQLite: always with microseconds, so text
    comparisons with the app's bound parameters order it correctly ("…23:00:00" would sort
    before "…23:00:00.000000")."""
    return moment.isoformat(" ", timespec="microseconds")


def load(engine: sa.Engine, data: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    raw: Any = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table, (columns, rows) in data.items():
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" for _ in columns)
                converted = (
                    tuple(_sqlite_text(v) if isinstance(v, datetime) else v for v in row)
                    for row in rows
                )
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", converted
                )
        if engine.dialect.name == "postgresql":
            for table in data:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        raw.commit()
        if engine.dialect.name == "postgresql":
            # VACUUM sets the visibility map, as autovacuum would in production
            driver = raw.driver_connection
            driver.autocommit = True
            driver.execute("VACUUM ANALYZE")
            driver.autocommit = False
        else:
            cursor.execute("ANALYZE")
            raw.commit()
    finally:
        raw.close()


# --------------------------------------------------------------------------- measuring


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def best_of(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, outcome = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        outcome = work()
        best = min(best, time.perf_counter() - start)
    return best, outcome


def measure(url: str, data: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> dict[str, Any]:
    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = db.engine
        start = time.perf_counter()
        load(engine, data)
        load_seconds = time.perf_counter() - start
        true = "true" if engine.dialect.name == "postgresql" else "1"

        def floor() -> int:
            with engine.connect() as conn:
                return len(conn.execute(sa.text(FLOOR_SQL.format(true=true))).all())

        floor_seconds, open_cases = best_of(3, floor)

        def scan() -> Any:
            result = run_scan(db.session, NOW)
            db.session.rollback()  # every run starts from no flags
            return result

        scan()  # warm the caches the same way the floor's first run did
        with counted(engine) as statements:
            scan_seconds, result = best_of(3, scan)
        first_statements = len(statements) // 3
        run_scheduled_scan(db.session, NOW, full=True)  # recorded: the next can be incremental
        db.session.commit()
        second_at = NOW + timedelta(minutes=5)
        with counted(engine) as again:
            start = time.perf_counter()
            second = run_scan(db.session, second_at)
            db.session.commit()
            second_seconds = time.perf_counter() - start
        # recorded too: nothing is written after it (the data's last writes are at NOW)
        record_completed_scan(db.session, second_at)
        db.session.commit()

        def incremental_scan() -> Any:
            result = run_scan(db.session, second_at + timedelta(minutes=10), since=second_at)
            db.session.rollback()  # (it raises nothing: the same work every run)
            return result

        incremental_seconds, incremental = best_of(3, incremental_scan)
        db.session.remove()
        engine.dispose()
    return {
        "database": engine.dialect.name,
        "open_cases": open_cases,
        "load_seconds": round(load_seconds, 1),
        "floor_seconds": round(floor_seconds, 3),
        "scan_seconds": round(scan_seconds, 3),
        "scan_statements": first_statements,
        "raised": result.raised,
        "ratio_to_floor": round(scan_seconds / floor_seconds, 1),
        "second_scan_seconds": round(second_seconds, 3),
        "second_scan_statements": len(again),
        "second_scan_raised": second.raised,
        "incremental_scan_seconds": round(incremental_seconds, 3),
        "incremental_evaluated": incremental.evaluated,
        "incremental_ratio_to_floor": round(incremental_seconds / floor_seconds, 1),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (temp database)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    data = generate(args.cases, args.checkins)
    print(
        f"generated {args.cases} cases, {len(data['checkins'][1])} check-ins "
        f"in {time.perf_counter() - start:.1f} s",
        flush=True,
    )
    results = []
    if not args.no_sqlite:
        with temporary_sqlite() as url:
            results.append(measure(url, data))
            print(json.dumps(results[-1]), flush=True)
    if args.postgres:
        with temporary_postgres(args.postgres) as url:
            results.append(measure(url, data))
            print(json.dumps(results[-1]), flush=True)
    for r in results:
        print(
            f"{r['database']:<10} floor {r['floor_seconds']:.3f} s | "
            f"scan {r['scan_seconds']:.3f} s "
            f"({r['scan_statements']} statements, raised {r['raised']}) | ratio "
            f"{r['ratio_to_floor']}x | second scan {r['second_scan_seconds']:.3f} s, "
            f"raised {r['second_scan_raised']} | incremental second scan "
            f"{r['incremental_scan_seconds']:.3f} s ({r['incremental_ratio_to_floor']}x, "
            f"{r['incremental_evaluated']} cases evaluated)"
        )


if __name__ == "__main__":
    main()
