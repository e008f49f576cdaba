"""A fixed-window rate limit kept in the database, so every worker process and host shares it.

One atomic statement per hit: ``INSERT … ON CONFLICT (key, window_start) DO UPDATE SET
hits = hits + 1 RETURNING hits``. SQLite (3.35+) and PostgreSQL both run it atomically, so
concurrent requests from any number of processes each get a distinct count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.models import RateLimitCounter

TABLE: Table = RateLimitCounter.__table__  # type: ignore[assignment]


def window_start(now: datetime, window_seconds: int) -> int:
    epoch = int(now.timestamp())
    return epoch - epoch % window_seconds


def address_key(scope: str, address: str | None) -> str:
    """A key for one client address that does not store the address itself."""
    digest = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    return f"{scope}:{digest}"


def hit(conn: Connection, key: str, now: datetime, window_seconds: int) -> int:
    """Count one hit for ``key`` in the current window; return the hits so far, this one included.

    Run it in its own short transaction (``with engine.begin() as conn``) so the count is
    kept even when the request that caused it fails or stores nothing.
    """
    start = window_start(now, window_seconds)
    dialect = conn.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt: Any = insert(TABLE).values(key=key, window_start=start, hits=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[TABLE.c.key, TABLE.c.window_start],
        set_={"hits": TABLE.c.hits + 1},
    ).returning(TABLE.c.hits)
    hits = conn.execute(stmt).scalar_one()
    # Old windows of this key are no use any more: keep the table small.
    conn.execute(delete(TABLE).where(TABLE.c.key == key, TABLE.c.window_start < start))
    return int(hits)


def allowed(conn: Connection, key: str, now: datetime, limit: int, window_seconds: int) -> bool:
    """Count this hit and say whether it is within ``limit`` hits per window."""
    return hit(conn, key, now, window_seconds) <= limit


class _OverLimit(Exception):
    pass


def take(
    engine: Any, limits: Sequence[tuple[str, int]], now: datetime, window_seconds: int
) -> bool:
    """Count one hit against every (key, limit) if each stays within its limit, else count
    none and return False: all or nothing, in one short transaction of its own. The first
    hit's row lock makes concurrent requests for the same key wait their turn."""
    try:
        with engine.begin() as conn:
            for key, limit in limits:
                if hit(conn, key, now, window_seconds) > limit:
                    raise _OverLimit  # rolls the hits of this request back
    except _OverLimit:
        return False
    return True


def count(conn: Connection, key: str, now: datetime, window_seconds: int) -> int:
    """The hits of ``key`` in the current window, counting none."""
    start = window_start(now, window_seconds)
    hits = conn.execute(
        select(TABLE.c.hits).where(TABLE.c.key == key, TABLE.c.window_start == start)
    ).scalar_one_or_none()
    return int(hits or 0)


def release(conn: Connection, key: str, start: int) -> None:
    """Give back one hit counted in the window that began at ``start`` (a reservation that
    turned out not to count)."""
    conn.execute(
        update(TABLE)
        .where(TABLE.c.key == key, TABLE.c.window_start == start, TABLE.c.hits > 0)
        .values(hits=TABLE.c.hits - 1)
    )
