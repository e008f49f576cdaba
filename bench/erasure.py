"""Erasure benchmark: one parent's erasure on the demo service (SQLite file), and a VACUUM.

    .venv/bin/python -m bench.erasure

Builds the demo service in a temporary SQLite file, then erases up to 20 parents whose cases
are all closed, one at a time as the page does (``erase_parent``, commit, ``checkpoint``),
and prints the median and the slowest; then times a ``VACUUM`` of the whole file (not needed:
``PRAGMA secure_delete`` already zeroes what erasure overwrites; for comparison).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, text

from app import create_app
from app.demo.build import build_demo
from app.extensions import db
from app.models import CheckIn, Parent
from app.privacy.erasure import checkpoint, erase_parent, erasure_problem

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def main() -> None:
    path = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    app = create_app({"CORNER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        build_demo(db.session, NOW)
        db.session.commit()
        parents = db.session.scalar(select(func.count()).select_from(Parent))
        checkins = db.session.scalar(select(func.count()).select_from(CheckIn))
        ids = [
            p.id
            for p in db.session.scalars(select(Parent).order_by(Parent.id))
            if erasure_problem(db.session, p) is None
        ][:20]
        print(f"demo: {parents} parents, {checkins} check-ins, {path.stat().st_size / 1e6:.1f} MB")
        times = []
        for parent_id in ids:
            start = time.perf_counter()
            erase_parent(db.session, parent_id, actor_id=None, reason="parent_asked", now=NOW)
            db.session.commit()
            checkpoint(db.engine)
            times.append(time.perf_counter() - start)
        print(
            f"erase_parent + commit + checkpoint: median {statistics.median(times) * 1000:.1f} ms,"
            f" slowest {max(times) * 1000:.1f} ms ({len(times)} parents)"
        )
        start = time.perf_counter()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM"))
        print(f"VACUUM of the whole file: {(time.perf_counter() - start) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
