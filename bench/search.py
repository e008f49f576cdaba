"""Search benchmark: the case search (``/cases?q=``) over 50,000 cases.

    .venv/bin/python -m bench.search --postgres postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python -m bench.search                       # temporary SQLite file

Builds N cases (default 50,000) in three areas, their parents with realistic names (some
with accents), phones, emails, postcodes and the charity's references, and a volunteer on
about half of them; then times ``cases.queries.case_list`` with search terms, as the page
runs it (the count and the first page, as a coordinator of two of the three areas), for
several queries: part of a name, a name typed without its accent, a phone number written
two ways, a case reference, a parent reference, a postcode and an email. Prints p50 and p95
of ``--runs`` calls each (the aim: p95 at most 50 ms) and, on PostgreSQL, whether the
trigram indexes serve the query.

``--postgres URL`` uses a fresh private database on that server (created and dropped here).
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
from bench.matching import p95_of

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 2)
FIRST = [
    "Amelia", "Olivia", "Isla", "Ava", "Mia", "Zoë", "Chloé", "Siân", "Aoife", "Niamh",
    "Maria", "Anna", "Fatima", "Aisha", "Priya", "Sofia", "Grace", "Lily", "Emily", "Ella",
    "Ruby", "Freya", "Jessica", "Hannah", "Leah", "Amira", "Zara", "Noor", "Oliwia", "Zofia",
    "Renée", "Inès", "Łucja", "Bethan", "Megan", "Holly", "Ellie", "Sarah", "Laura", "Kate",
]  # fmt: skip
LAST = [
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel",
    "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall",
    "Wood", "Jackson", "Clarke", "Khan", "Ahmed", "Hussain", "Ali", "Nowak", "Kowalska",
    "Wiśniewska", "O'Brien", "Murphy", "Kelly", "Reynolds", "Hughes", "Edwards", "Lewis",
    "Morgan", "Price", "Begum", "Okafor", "Adeyemi", "Mensah", "Nguyen", "Smith-Jones",
    "Müller", "García", "Rossi", "Ferreira", "Popescu", "Yilmaz", "Chowdhury",
]  # fmt: skip
AREAS = ["Bristol North", "Bristol South", "South Gloucestershire"]


def build(conn: Any, meta: sa.MetaData, n: int, rng: random.Random) -> dict[str, Any]:
    """N parents with a case each; returns what the queries look for."""
    from app.search_keys import parent_search_key, phone_digits, user_search_key

    t = meta.tables
    areas = [{"id": i + 1, "name": a, "created_at": NOW} for i, a in enumerate(AREAS)]
    conn.execute(t["areas"].insert(), areas)
    users: list[dict[str, Any]] = [
        {
            "id": 1, "email": "coordinator@bench.org", "first_name": "Cora",
            "last_name": "Bench", "role": "coordinator",
        },
    ] + [
        {
            "id": 2 + i, "email": f"volunteer{i}@bench.org", "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST), "role": "volunteer",
        }
        for i in range(300)
    ]  # fmt: skip
    for u in users:
        u.update(
            active=True,
            session_token=uuid.uuid4().hex,
            created_at=NOW,
            search_key=user_search_key(u["first_name"], u["last_name"], u["email"]),
        )
    conn.execute(t["users"].insert(), users)
    conn.execute(
        t["coordinator_areas"].insert(),
        [{"user_id": 1, "area_id": 1}, {"user_id": 1, "area_id": 2}],
    )
    from faker import Faker

    fakers = [Faker(locale) for locale in ("en_GB", "en_GB", "en_GB", "pl_PL", "fr_FR", "de_DE")]
    for seed, fake in enumerate(fakers):
        fake.seed_instance(seed)
    parents, cases, assignments = [], [], []
    for i in range(1, n + 1):
        if i % 10 == 0:  # the names searched for below, a few hundred times each
            first, last = rng.choice(FIRST), rng.choice(LAST)
        else:
            fake = rng.choice(fakers)
            first, last = fake.first_name_female(), fake.last_name()
        ref = f"BR-{i:05d}"
        email = f"{first}.{last}{i}@example.org".lower().replace("'", "")
        phone = f"07700 {900000 + i:06d}" if i < 100000 else f"07{i:09d}"
        district = rng.randint(1, 16)
        postcode = (
            f"BS{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLN')}{rng.choice('PQRSTUWXYZ')}"
        )
        area_id = 1 + i % 3
        parents.append({
            "id": i, "ref": ref, "first_name": first, "last_name": last, "email": email,
            "phone": phone, "postcode": postcode, "languages": ["en"], "tags": [],
            "availability": [], "referred_on": TODAY - timedelta(days=i % 500),
            "due_date": TODAY + timedelta(days=i % 250 - 60), "area_id": area_id,
            "created_at": NOW,
            "search_key": parent_search_key(first, last, email, postcode, ref),
            "phone_digits": phone_digits(phone),
        })  # fmt: skip
        status = rng.choices(["waiting", "active", "closed", "referred"], [3, 5, 4, 1])[0]
        cases.append({
            "id": i, "parent_id": i, "status": status, "area_id": area_id,
            "high_risk": i % 23 == 0, "referred_at": NOW - timedelta(hours=i),
            "closed_at": NOW if status == "closed" else None, "created_at": NOW,
        })  # fmt: skip
        if status == "active":
            assignments.append({
                "case_id": i, "volunteer_id": 2 + i % 300, "started_at": NOW - timedelta(days=30),
            })  # fmt: skip
    for start in range(0, n, 5000):
        conn.execute(t["parents"].insert(), parents[start : start + 5000])
        conn.execute(t["cases"].insert(), cases[start : start + 5000])
    conn.execute(t["assignments"].insert(), assignments)
    sample = parents[n // 2 - (n // 2) % 3]  # in area 1, which the coordinator works in
    return {"phone": sample["phone"], "ref": sample["ref"], "case_id": sample["id"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server URL (a private database is created)"
    )
    parser.add_argument("--cases", type=int, default=50_000, help="cases to build")
    parser.add_argument("--runs", type=int, default=50, help="calls per query")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument(
        "--random-page-cost",
        type=float,
        help="set random_page_cost on the private database (1.1 is usual on SSDs)",
    )
    args = parser.parse_args()
    settings = {"random_page_cost": args.random_page_cost} if args.random_page_cost else None
    with temporary_database(args.postgres, keep=args.keep, settings=settings) as url:
        run(args, url)


def run(args: argparse.Namespace, url: str) -> None:
    """Build the cases in the database at ``url`` and time the searches."""
    from flask_migrate import upgrade

    from app import create_app
    from app.cases import queries
    from app.domain import case_reference
    from app.extensions import db
    from app.models import User
    from app.search_keys import parse_query

    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(11)
    try:
        with app.app_context():
            upgrade()
            dialect = db.engine.dialect.name
            started = time.perf_counter()
            with db.engine.begin() as conn:
                found = build(conn, db.metadata, args.cases, rng)
            with db.engine.connect() as conn:
                conn.execute(sa.text("ANALYZE"))
                conn.commit()
            print(
                f"database: {dialect}; {args.cases} cases built in "
                f"{time.perf_counter() - started:.1f} s; load average {os.getloadavg()}"
            )
            coordinator = db.session.get(User, 1)
            assert coordinator is not None
            phone = found["phone"]
            queries_to_time = [
                ("name part", "reyn"),
                ("first name, no accent typed", "zoe"),
                ("first and part of last name", "sian ev"),
                ("phone as written", phone),
                ("phone, +44", "+44" + phone.replace(" ", "")[1:]),
                ("end of a phone", phone.replace(" ", "")[-6:]),
                ("case reference", case_reference(found["case_id"])),
                ("parent reference", found["ref"]),
                ("postcode", "bs7 4"),
                ("email part", "kowalska12"),
                ("nobody", "xqzv"),
            ]
            if dialect == "postgresql":
                setting = db.session.execute(sa.text("SHOW random_page_cost")).scalar()
                print(f"random_page_cost: {setting}")
                db.session.remove()
            print(f"{'query':<30} {'typed':<18} {'found':>6} {'p50 ms':>8} {'p95 ms':>8}")
            for label, typed in queries_to_time:
                terms = parse_query(typed)
                times, total = [], 0
                for _ in range(args.runs):
                    db.session.remove()
                    user = db.session.get(User, 1)
                    assert user is not None
                    user.areas  # noqa: B018  (loaded before timing, as the login does)
                    start = time.perf_counter()
                    _rows, shown = queries.case_list(db.session, user, TODAY, None, 1, terms)
                    total = shown.total
                    times.append((time.perf_counter() - start) * 1000)
                print(
                    f"{label:<30} {typed:<18} {total:>6} {statistics.median(times):>8.1f} "
                    f"{p95_of(times):>8.1f}"
                )
            if dialect == "postgresql":
                db.session.remove()
                user = db.session.get(User, 1)
                assert user is not None
                select_rows = queries.case_list_query(user, TODAY, None, parse_query("reyn"))
                compiled = select_rows.compile(
                    dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}
                )
                plan = db.session.execute(sa.text(f"EXPLAIN {compiled}")).scalars().all()
                used = sorted(
                    {
                        line.split(" on ")[1].split()[0]
                        for line in plan
                        if "Index Scan" in line and " on " in line
                    }
                )
                print(f"indexes in the plan of 'reyn': {', '.join(used) or 'none'}")
            print(f"load average after: {os.getloadavg()}")
            db.session.remove()
            db.engine.dispose()
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
