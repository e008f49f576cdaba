"""A per-process cache of the volunteer pool (the arrays built from every profile).

Reading and decoding every profile is most of the cost of a suggestion once a charity has
thousands of volunteers (about 250 ms for 5,000, against about 10 ms with the cache: see
``bench/matching.py``). Each request instead runs ONE aggregate query, the fingerprint; the
cached arrays are reused only while it is unchanged (and for at most ``MAX_AGE`` seconds).

The fingerprint covers the number of profiles, the sum of their ids, the SUM of their
``updated_at`` in milliseconds, and, in case a writer forgets ``updated_at``, the statuses,
caseload limits, areas and DBS / training dates directly, and the accounts closed. There are no
ORM listeners: every write in the app keeps the sum honest by itself.

* ``app/matching/profiles.py`` (every page that edits a profile, and the postcode import)
  moves ``updated_at`` forward by at least 2 ms on each write, even with a fixed clock;
* the spreadsheet importer sets ``updated_at`` to its ``now`` on every profile it writes,
  and inserts change the count (as do the demo builder and account creation).

A profile changed by SQL written by hand without moving ``updated_at`` (its languages, tags,
stages or availability) is seen after ``MAX_AGE`` at the latest. Caseloads change with every
assignment, so they are not cached but read afresh on every call; so are names and email
addresses, for the volunteers shown. Gates are always evaluated afresh from the arrays with
today's date, and assigning re-checks everything on fresh data under a lock, so a stale
entry could at worst offer someone who is then refused with a clear message.

Entries are keyed by the engine (weakly), so two databases never share an entry.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, case, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.extensions import SessionLike
from app.matching import queries
from app.matching.arrays import Pool, Vocab, build_pool
from app.models import User, VolunteerProfile

MAX_AGE = 300.0
#: False: every call reads and builds the pool afresh (the benchmark compares both).
ENABLED = True

_lock = threading.Lock()
_entries: weakref.WeakKeyDictionary[Engine, tuple[tuple[Any, ...], float, Pool, Vocab]] = (
    weakref.WeakKeyDictionary()
)


class ms_sum(FunctionElement[int]):
    """SUM over rows of a naive-UTC timestamp column, in milliseconds since 1970.

    PostgreSQL sums exact intervals and converts once (EXTRACT per row is slow there);
    SQLite converts each row with ``julianday``.
    """

    type = BigInteger()
    inherit_cache = True
    name = "ms_sum"


@compiles(ms_sum, "sqlite")
def _ms_sum_sqlite(element: ms_sum, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"SUM(CAST(ROUND((julianday({arg}) - 2440587.5) * 86400000.0) AS INTEGER))"


@compiles(ms_sum)
def _ms_sum_default(element: ms_sum, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"CAST(ROUND(EXTRACT(EPOCH FROM SUM({arg} - TIMESTAMP '1970-01-01')) * 1000) AS BIGINT)"


class day_sum(FunctionElement[int]):
    """SUM over rows of a date column, in days since 1970."""

    type = BigInteger()
    inherit_cache = True
    name = "day_sum"


@compiles(day_sum, "sqlite")
def _day_sum_sqlite(element: day_sum, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"SUM(CAST(julianday({arg}) - 2440587.5 AS INTEGER))"


@compiles(day_sum)
def _day_sum_default(element: day_sum, compiler: Any, **kw: Any) -> str:
    arg = compiler.process(element.clauses, **kw)
    return f"SUM({arg} - DATE '1970-01-01')"


def _fingerprint_query() -> Any:
    vp = VolunteerProfile
    return select(
        func.count(),
        func.coalesce(func.sum(vp.user_id), 0),
        func.coalesce(ms_sum(vp.updated_at), 0),
        func.count(vp.updated_at),
        func.coalesce(func.sum(vp.max_caseload), 0),
        func.coalesce(func.sum(vp.area_id), 0),
        func.coalesce(func.sum(case((vp.status == "active", vp.user_id), else_=0)), 0),
        func.coalesce(day_sum(vp.dbs_expires_on), 0),
        func.coalesce(day_sum(vp.training_completed_on), 0),
        func.coalesce(day_sum(vp.training_expires_on), 0),
        select(func.coalesce(func.sum(User.id), 0)).where(User.active.is_(False)).scalar_subquery(),
    ).select_from(vp)


_FINGERPRINT = _fingerprint_query()


def fingerprint(session: SessionLike) -> tuple[Any, ...]:
    """One aggregate query whose result changes when anything the pool holds changes."""
    return tuple(session.execute(_FINGERPRINT).one())


def volunteer_pool(session: SessionLike) -> tuple[Pool, Vocab]:
    """The pool and its vocabulary, as copies the caller may extend."""
    if not ENABLED:
        vocab = Vocab()
        return build_pool(queries.volunteer_rows(session), vocab), vocab
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    key = fingerprint(session)
    with _lock:
        entry = _entries.get(engine)
    if entry is None or entry[0] != key or time.monotonic() - entry[1] > MAX_AGE:
        vocab = Vocab()
        pool = build_pool(queries.volunteer_rows(session), vocab)
        entry = (key, time.monotonic(), pool, vocab)
        with _lock:
            _entries[engine] = entry
    _, _, pool, vocab = entry
    # Caseloads change with every assignment: read afresh, never cached.
    open_count = np.zeros(len(pool), dtype=np.int64)
    column = pool.column_of
    for volunteer_id, n in queries.open_counts(session):
        if (j := column.get(volunteer_id)) is not None:
            open_count[j] = n
    return (
        replace(pool, open_count=open_count),
        Vocab(dict(vocab.languages), dict(vocab.tags), dict(vocab.places)),
    )


def clear() -> None:
    with _lock:
        _entries.clear()
