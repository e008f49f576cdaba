"""Time the waiting list and case list queries on a migrated database with many cases.

Run by hand: ``.venv/bin/python -m bench.cases_lists [N]`` (default 5000 waiting cases,
SQLite in a temporary directory; set DATABASE_URL to try PostgreSQL on an empty database).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, date, datetime, timedelta

from flask_migrate import upgrade

from app import create_app
from app.cases import queries
from app.extensions import db
from app.models import Area, Case, Parent, User
from bench.databases import temporary_sqlite


def main(n: int) -> None:
    given = os.environ.get("DATABASE_URL")
    if given:
        run(given, n)
    else:
        with temporary_sqlite() as url:
            run(url, n)


def run(url: str, n: int) -> None:
    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url})
    now = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    with app.app_context():
        upgrade()
        area = Area(name="Bench", created_at=now)
        admin = User(email="a@x.org", first_name="A", last_name="B", role="admin", created_at=now)
        db.session.add_all([area, admin])
        db.session.flush()
        for i in range(n):
            parent = Parent(
                ref=f"B{i:06d}",
                first_name=f"P{i}",
                last_name="Bench",
                email=f"p{i % (n // 2 or 1)}@x.org",  # half of them share an email: duplicates
                phone=f"07700 {i:06d}",
                due_date=date(2027, 1, 1) + timedelta(days=i % 200),
                referred_on=date(2026, 10, 1),
                area_id=area.id,
                created_at=now,
            )
            db.session.add(parent)
            db.session.add(
                Case(
                    parent=parent,
                    status="waiting",
                    area_id=area.id,
                    high_risk=i % 17 == 0,
                    referred_at=now - timedelta(hours=i),
                    created_at=now,
                )
            )
        db.session.commit()
        today = date(2026, 11, 2)
        for label, query_fn in (
            ("waiting list (one page)", lambda: queries.waiting_list(db.session, admin, today)),
            (
                "case list (one page)",
                lambda: queries.case_list(db.session, admin, today, "open", 1),
            ),
        ):
            start = time.perf_counter()
            result = query_fn()
            took = time.perf_counter() - start
            rows = len(result[0])
            print(f"{label}: {rows} rows in {took * 1000:.0f} ms ({db.engine.dialect.name}, n={n})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
