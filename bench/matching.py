"""Matching benchmark: builds its own data, then times the code the pages use.

    .venv/bin/python -m bench.matching [--postgres URL] [--runs 50] [--plan-runs 5]

1. The plan for 2,000 waiting parents x 1,000 volunteers with scarce capacity
   (``planning.propose``: database read, scoring, optimal solver; timed with greedy for
   comparison, as the proposal page runs it, and without).
2. Suggestions for one parent among 5,000 volunteers (``suggestions.suggest``, as the page),
   with and without the volunteer-pool cache, alternately.

SQLite in a temporary file by default; ``--postgres URL`` uses a fresh private database
on that server, dropped at the end even after an error (``bench/databases.py``).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench.databases import temporary_database

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)
DISTRICTS = [
    (
        f"BS{i}",
        51.45 + random.Random(i).uniform(-0.08, 0.08),
        -2.59 + random.Random(-i).uniform(-0.12, 0.12),
    )
    for i in range(1, 17)
]
LANGS = ["en"] * 12 + ["pl", "so", "ur", "ar", "bn", "ro"]
TAGS = [
    "twins",
    "nicu",
    "baby_loss",
    "young_parent",
    "feeding",
    "birth_trauma",
    "single_parent",
    "premature",
]
SLOTS = [
    f"{d}-{p}"
    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for p in ("am", "pm", "eve")
]


def place(rng: random.Random) -> dict[str, Any]:
    name, lat, lon = rng.choice(DISTRICTS)
    postcode = f"{name} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLN')}{rng.choice('PQRSTUWXYZ')}"
    if rng.random() < 0.7:
        return {
            "postcode": postcode,
            "latitude": lat + rng.uniform(-0.02, 0.02),
            "longitude": lon + rng.uniform(-0.03, 0.03),
        }
    return {"postcode": postcode, "latitude": None, "longitude": None}


def add_volunteers(
    conn: sa.Connection, rng: random.Random, start: int, count: int, meta: sa.MetaData
) -> list[int]:
    users, profiles = meta.tables["users"], meta.tables["volunteer_profiles"]
    user_rows = [
        {
            "id": start + i, "email": f"volunteer{start + i}@bench.example",
            "first_name": f"Vol{start + i}",
            "last_name": "Bench", "role": "volunteer", "active": True,
            "session_token": uuid.uuid4().hex, "created_at": NOW,
        }
        for i in range(count)
    ]  # fmt: skip
    conn.execute(users.insert(), user_rows)
    profile_rows = []
    for i in range(count):
        stages = [s for s in ("pregnancy", "birth", "postnatal") if rng.random() < 0.75] or [
            "postnatal"
        ]
        profile_rows.append(
            {
                "user_id": start + i,
                **place(rng),
                "languages": ["en"] + ([rng.choice(LANGS)] if rng.random() < 0.3 else []),
                "stages": stages,
                "tags": rng.sample(TAGS, rng.randint(0, 3)),
                "availability": rng.sample(SLOTS, rng.randint(2, 9)),
                "max_caseload": rng.choice([1, 1, 2]),
                "travel_km": rng.choice([None, 5.0, 10.0, 15.0]),
                "remote_only": rng.random() < 0.1,
                "training_completed_on": date(2025, 1, 1),
                "dbs_checked_on": date(2025, 1, 1),
                "dbs_expires_on": date(2028, 1, 1) if rng.random() < 0.95 else date(2026, 9, 1),
                "status": "active" if rng.random() < 0.9 else "paused",
                "updated_at": NOW,
            }
        )
    conn.execute(profiles.insert(), profile_rows)
    return [start + i for i in range(count)]


def add_waiting_parents(
    conn: sa.Connection, rng: random.Random, count: int, meta: sa.MetaData
) -> list[str]:
    parents, cases = meta.tables["parents"], meta.tables["cases"]
    rows, refs = [], []
    for i in range(1, count + 1):
        born = rng.random() < 0.4
        refs.append(f"B{i:05d}")
        rows.append(
            {
                "id": i, "ref": refs[-1], "first_name": f"Parent{i}", "last_name": "Bench",
                **place(rng),
                "languages": [rng.choice(LANGS)],
                "due_date": None if born else TODAY + timedelta(days=rng.randint(20, 200)),
                "birth_date": TODAY - timedelta(days=rng.randint(1, 500)) if born else None,
                "tags": rng.sample(TAGS, rng.randint(0, 2)),
                "contact_mode": rng.choice(["phone", "video", "in_person", "in_person"]),
                "availability": rng.sample(SLOTS, rng.randint(0, 6)),
                "referred_on": TODAY - timedelta(days=rng.randint(1, 60)),
                "created_at": NOW,
            }
        )  # fmt: skip
    conn.execute(parents.insert(), rows)
    conn.execute(
        cases.insert(),
        [
            {
                "id": i, "parent_id": i, "status": "waiting",
                "referred_at": NOW - timedelta(days=rng.randint(1, 60)),
                "created_at": NOW, "high_risk": False,
            }
            for i in range(1, count + 1)
        ],
    )  # fmt: skip
    return refs


def p95_of(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def plan_phases(session: Any) -> dict[str, float]:
    """The plan's phases timed one by one (the same calls ``planning.propose`` makes)."""
    import numpy as np

    from app.matching import queries, suggestions
    from app.matching.arrays import build_needs
    from app.matching.plan import greedy_plan, optimal_plan
    from app.matching.pool_cache import volunteer_pool
    from app.matching.scoring import evaluate
    from app.timeutil import local_date

    out: dict[str, float] = {}
    seconds, cases = timed(lambda: queries.waiting_rows(session))
    out["waiting cases + parents read"] = seconds
    seconds, (pool, vocab) = timed(lambda: volunteer_pool(session))
    out["volunteer pool (cached, fingerprint query)"] = seconds
    ids = queries.waiting_parent_ids()
    seconds, (excluded, previous) = timed(
        lambda: (queries.exclusion_pairs(session, ids), queries.previous_pairs(session, ids))
    )
    out["exclusions + previous volunteers read"] = seconds
    today = local_date(NOW)
    seconds, needs = timed(lambda: build_needs(cases, pool, vocab, today, excluded, previous))
    out["parent arrays"] = seconds
    weights = suggestions.load_weights(session)
    seconds, ev = timed(lambda: evaluate(needs, pool, today, weights))
    out["gates + scoring 2000x1000"] = seconds
    capacity = np.where(pool.active, np.clip(pool.max_caseload - pool.open_count, 0, None), 0)
    seconds, _ = timed(lambda: optimal_plan(ev.total, ev.allowed, capacity))
    out["optimal solve"] = seconds
    seconds, _ = timed(lambda: greedy_plan(ev.total, ev.allowed, capacity))
    out["greedy"] = seconds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server URL (a private database is created)"
    )
    parser.add_argument("--runs", type=int, default=50, help="suggestion runs")
    parser.add_argument("--plan-runs", type=int, default=5, help="plan runs (each variant)")
    parser.add_argument(
        "--cached-only",
        action="store_true",
        help="time suggestions with the pool cache only (for before/after comparisons)",
    )
    args = parser.parse_args()
    with temporary_database(args.postgres) as url:
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    """Build the data in the database at ``url`` and time the plan and the suggestions."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.matching import planning, pool_cache, suggestions
    from app.models import Parent

    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(42)
    try:
        with app.app_context():
            upgrade()
            meta = db.metadata
            print(f"database: {db.engine.dialect.name}")
            with db.engine.begin() as conn:
                add_volunteers(conn, rng, 1, 1000, meta)
                add_waiting_parents(conn, rng, 2000, meta)

            # ---- plan: 2,000 waiting x 1,000 volunteers. The page shows greedy's total for
            # comparison, so the plan is timed as the page runs it (with greedy) and
            # without it, alternately.
            print(f"load average before the plan: {os.getloadavg()}")
            times, cpu_times, bare_times, bare_cpu = [], [], [], []
            proposal = None
            for _ in range(args.plan_runs):
                db.session.remove()
                cpu = time.process_time()
                seconds, proposal = timed(lambda: planning.propose(db.session, NOW))
                times.append(seconds)
                cpu_times.append(time.process_time() - cpu)
                db.session.remove()
                cpu = time.process_time()
                seconds, _ = timed(lambda: planning.propose(db.session, NOW, compare_greedy=False))
                bare_times.append(seconds)
                bare_cpu.append(time.process_time() - cpu)
            assert proposal is not None
            print(
                f"plan 2000 waiting x 1000 volunteers ({proposal.free_places} free places), "
                f"{len(times)} runs each, DB read + scoring + optimal solve:\n"
                f"  with greedy for comparison (as the page): median "
                f"{statistics.median(times):.3f} s wall, {statistics.median(cpu_times):.3f} s "
                f"CPU of this process, max {max(times):.3f} s wall\n"
                f"  without greedy: median {statistics.median(bare_times):.3f} s wall, "
                f"{statistics.median(bare_cpu):.3f} s CPU, max {max(bare_times):.3f} s wall"
            )
            print(
                f"  optimal: {len(proposal.pairs)} pairs, total {proposal.total:.1f}; "
                f"greedy: {proposal.greedy_count} pairs, total {proposal.greedy_total:.1f} "
                f"(+{proposal.total - proposal.greedy_total:.1f}, "
                f"{100 * (proposal.total / proposal.greedy_total - 1):.2f}% better)"
            )
            # Where the time goes (three more runs, phase by phase, medians).
            runs_by_phase: dict[str, list[float]] = {}
            for _ in range(3):
                db.session.remove()
                for phase, seconds in plan_phases(db.session).items():
                    runs_by_phase.setdefault(phase, []).append(seconds)
            print(
                "  phases (median of 3): "
                + ", ".join(
                    f"{k} {statistics.median(v) * 1000:.0f} ms" for k, v in runs_by_phase.items()
                )
            )

            # ---- suggestions: one parent among 5,000 volunteers
            with db.engine.begin() as conn:
                add_volunteers(conn, rng, 1001, 4000, meta)
            parent = db.session.get(Parent, 1)
            assert parent is not None
            suggestions.suggest(db.session, NOW, parent)  # warm up
            # With and without the pool cache, alternately, so both see the same load.
            variants = {"with the pool cache": True, "without the pool cache": False}
            if args.cached_only:
                del variants["without the pool cache"]
            runs: dict[str, list[float]] = {k: [] for k in variants}
            cpu_runs: dict[str, list[float]] = {k: [] for k in variants}
            for _ in range(args.runs):
                for label, enabled in variants.items():
                    pool_cache.ENABLED = enabled
                    cpu = time.process_time()
                    seconds, result = timed(lambda: suggestions.suggest(db.session, NOW, parent))
                    runs[label].append(seconds * 1000)
                    cpu_runs[label].append((time.process_time() - cpu) * 1000)
            pool_cache.ENABLED = True
            print(
                f"suggestions among 5000 volunteers, {args.runs} runs each "
                f"({len(result.items)} shown, {sum(result.excluded.values())} excluded by gates):"
            )
            for label in variants:
                wall, cpu_ms = runs[label], cpu_runs[label]
                print(
                    f"  {label}: median {statistics.median(wall):.1f} ms, "
                    f"p95 {p95_of(wall):.1f} ms wall; CPU of this process median "
                    f"{statistics.median(cpu_ms):.1f} ms, p95 {p95_of(cpu_ms):.1f} ms"
                )
            print(f"load average after the run: {os.getloadavg()} on {os.cpu_count()} CPUs")
            db.session.remove()
            db.engine.dispose()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
