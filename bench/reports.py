"""Benchmark: the funders' report (``app.reports.summary.summarise``) over 50,000 cases and
1,000,000 check-ins.

The data is ``bench.escalation``'s (its generator and bulk loader), with what the report
reads and the scan does not added: three areas, referral sources and equality answers,
closed cases with their close date, reason and assignment, check-in modes and durations,
volunteers' start and last-change dates, and escalation flags (some urgent, acknowledged,
resolved). It runs in a temporary SQLite file and, with ``--postgres URL``, in a temporary
PostgreSQL database it creates and drops. For each database it prints the median of 3 runs
(after one warm-up) of:

* the floor: a plain ``SELECT count(*) FROM checkins``;
* the summary for the last quarter (1 July - 30 September 2026), the whole service;
* the same for one area, and for the year to date;

and the ratio summary / floor, measured in the same run. The aim: at most 2 s.

Run (from the repository root):

    .venv/bin/python -m bench.reports
    .venv/bin/python -m bench.reports --postgres postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.domain import CLOSE_REASONS, Rule
from app.equality import AGE_BANDS, ETHNIC_GROUPS
from app.extensions import db
from app.reports.periods import Period, preset
from app.reports.summary import summarise
from bench.escalation import NOW, counted, generate, load, stamp, temporary_postgres
from bench.timing import load_average_line, median_of, timed

Data = dict[str, tuple[list[str], list[tuple[Any, ...]]]]
SOURCES = ["Midwife", "Health visitor", "GP", "Self-referral", "Children's centre", None]
MODES = ["phone", "phone", "phone", "video", "in_person", "text"]
AREAS = ["North", "South", "East"]


def enrich(data: Data, seed: int = 11) -> Data:
    """``bench.escalation``'s rows with the columns and tables the report reads."""
    rnd = random.Random(seed)
    created = stamp(NOW - timedelta(days=900))
    areas = [(i + 1, name, created) for i, name in enumerate(AREAS)]

    def area_of(case_id: int) -> int:
        return case_id % len(AREAS) + 1

    user_cols, users = data["users"]
    users = [
        (*row[:-1], stamp(NOW - timedelta(days=rnd.randint(0, 800)))) if row[0] > 1 else row
        for row in users
    ]
    profile_cols, profiles = data["volunteer_profiles"]
    profiles = [
        (*row, row[0] % len(AREAS) + 1, stamp(NOW - timedelta(days=rnd.randint(0, 400))))
        for row in profiles
    ]
    ethnic = [c.code for c in ETHNIC_GROUPS] + ["prefer_not", None, None]
    ages = [c.code for c in AGE_BANDS] + ["prefer_not", None]
    parent_cols, parents = data["parents"]
    parents = [
        (
            *row,
            rnd.choice(SOURCES),
            area_of(row[0]),
            rnd.choice(ethnic),
            rnd.choice(ages),
            rnd.choice(["yes", "no", None]),
            rnd.choice(["yes", "no", "prefer_not", None]),
            rnd.choice(["yes", "no", None, None]),
        )
        for row in parents
    ]
    case_cols, cases = data["cases"]
    assignment_cols, assignments = data["assignments"]
    assignments = [(*row, None) for row in assignments]
    reasons = [words for _, words in CLOSE_REASONS[:-1]] + ["Other: moved", "duplicate"]
    new_cases = []
    for cid, parent_id, status, owner, high_risk, referred, made in cases:
        closed_at = close_reason = None
        if status == "closed":
            closed_at = min(stamp(NOW), referred + timedelta(days=rnd.randint(30, 300)))
            close_reason = rnd.choice(reasons)
            started = referred + timedelta(days=rnd.randint(0, 20))
            if started < closed_at:
                assignments.append(
                    (len(assignments) + 100_000, cid, rnd.randint(2, 10), started, closed_at)
                )
        new_cases.append(
            (cid, parent_id, status, owner, high_risk, referred, made, area_of(cid), closed_at,
             close_reason)
        )  # fmt: skip
    checkin_cols, checkins = data["checkins"]
    checkins = [(*row[:4], rnd.choice(MODES), *row[5:], rnd.randint(5, 60)) for row in checkins]
    flags: list[tuple[Any, ...]] = []
    rules = [rule.value for rule in Rule]
    for cid in range(1, len(cases) + 1):
        if rnd.random() > 0.15:
            continue
        raised = stamp(NOW - timedelta(minutes=rnd.randint(60, 400 * 24 * 60)))
        urgent = rnd.random() < 0.3
        acked = raised + timedelta(minutes=rnd.randint(1, 600)) if rnd.random() < 0.8 else None
        resolved = (
            acked + timedelta(days=rnd.randint(0, 10)) if acked and rnd.random() < 0.7 else None
        )
        status = "resolved" if resolved else "acknowledged" if acked else "open"
        flags.append(
            (len(flags) + 1, cid, rnd.choice(rules), "urgent" if urgent else "medium", "",
             raised, status, acked, resolved)
        )  # fmt: skip
    return {
        "areas": (["id", "name", "created_at"], areas),
        "users": (user_cols, users),
        "volunteer_profiles": ([*profile_cols, "area_id", "updated_at"], profiles),
        "parents": (
            [
                *parent_cols,
                "referral_source",
                "area_id",
                "ethnic_group",
                "age_band",
                "first_time_parent",
                "disability",
                "interpreter_needed",
            ],
            parents,
        ),
        "cases": ([*case_cols, "area_id", "closed_at", "close_reason"], new_cases),
        "assignments": ([*assignment_cols, "ended_at"], assignments),
        "checkins": ([*checkin_cols, "duration_min"], checkins),
        "escalation_flags": (
            [
                "id",
                "case_id",
                "rule",
                "severity",
                "evidence",
                "raised_at",
                "status",
                "acknowledged_at",
                "resolved_at",
            ],
            flags,
        ),
    }


def measure(url: str, data: Data) -> dict[str, Any]:
    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        engine = db.engine
        with timed() as load_time:
            load(engine, data)
        load_seconds = load_time[0]

        def floor() -> int:
            with engine.connect() as conn:
                return int(conn.execute(sa.text("SELECT count(*) FROM checkins")).scalar_one())

        floor_seconds, _, checkins = median_of(3, floor)
        quarter = preset("last_quarter", NOW.date())
        year = preset("year_to_date", NOW.date())

        def report(period: Period, area_id: int | None = None) -> Callable[[], Any]:
            def run() -> Any:
                figures = summarise(db.session, period=period, area_id=area_id, now=NOW)
                db.session.rollback()
                return figures

            return run

        with counted(engine) as statements:
            report(quarter)()
        quarter_seconds, quarter_cpu, figures = median_of(3, report(quarter))
        area_seconds, _, _ = median_of(3, report(quarter, 1))
        year_seconds, year_cpu, _ = median_of(3, report(year))
        db.session.remove()
        engine.dispose()
    return {
        "database": engine.dialect.name,
        "checkins": checkins,
        "load_seconds": round(load_seconds, 1),
        "floor_seconds": round(floor_seconds, 3),
        "quarter_seconds": round(quarter_seconds, 3),
        "quarter_cpu_seconds": round(quarter_cpu, 3),
        "quarter_statements": len(statements),
        "ratio_to_floor": round(quarter_seconds / floor_seconds, 1),
        "quarter_one_area_seconds": round(area_seconds, 3),
        "year_to_date_seconds": round(year_seconds, 3),
        "year_to_date_cpu_seconds": round(year_cpu, 3),
        "quarter_referrals": figures["referrals"]["total"],
        "quarter_contacts": figures["contacts"]["successful"] + figures["contacts"]["attempts"],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--checkins", type=int, default=1_000_000)
    parser.add_argument("--postgres", metavar="URL", help="also run on PostgreSQL (temp database)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip SQLite")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    data = enrich(generate(args.cases, args.checkins))
    print(
        f"generated {args.cases} cases, {len(data['checkins'][1])} check-ins, "
        f"{len(data['escalation_flags'][1])} flags in {time.perf_counter() - start:.1f} s "
        f"(load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    results = []
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", data))
            print(json.dumps(results[-1]), flush=True)
    if args.postgres:
        with temporary_postgres(args.postgres) as url:
            results.append(measure(url, data))
            print(json.dumps(results[-1]), flush=True)
    for r in results:
        print(
            f"{r['database']:<10} floor {r['floor_seconds']:.3f} s | last quarter "
            f"{r['quarter_seconds']:.3f} s (CPU {r['quarter_cpu_seconds']:.3f} s, "
            f"{r['quarter_statements']} statements) | ratio "
            f"{r['ratio_to_floor']}x | one area {r['quarter_one_area_seconds']:.3f} s | "
            f"year to date {r['year_to_date_seconds']:.3f} s "
            f"(CPU {r['year_to_date_cpu_seconds']:.3f} s)"
        )
    print(load_average_line())


if __name__ == "__main__":
    main()
