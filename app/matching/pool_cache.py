"""A per-process cache of the volunteer pool (the arrays built from every profile).

Reading and decoding every profile is most of the cost of a suggestion once a charity has
thousands of volunteers. Each request instead runs ONE aggregate query, the fingerprint;
the cached arrays are reused only while it is unchanged (and for at most ``MAX_AGE``
seconds). The fingerprint covers: the number of profiles, the sum of their ids, the SUM of
their ``updated_at`` in milliseconds (``app/matching/freshness.py`` makes every write
through a session move a profile's ``updated_at``, so any change to any field, such as one
language code swapped for another, changes the sum), and, in case a writer bypasses the
session, the statuses, caseloads and DBS / training dates directly; accounts closed; and
the open assignments (count and id sums). Names and email addresses are not cached: they
are read afresh for the volunteers shown. Gates are always evaluated afresh from the arrays
with today's date, and assigning re-checks everything on fresh data under a lock, so a
stale entry could at worst offer someone who is then refused with a clear message.

Entries are keyed by the engine (weakly), so two databases never share an entry.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import replace
from typing import Any

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.engine import Engine

from app.extensions import SessionLike
from app.matching import queries
from app.matching.arrays import Pool, Vocab, build_pool
from app.matching.freshness import day_sum, ms_sum
from app.models import User, VolunteerProfile

MAX_AGE = 300.0

_lock = threading.Lock()
_entries: weakref.WeakKeyDictionary[Engine, tuple[tuple[Any, ...], float, Pool, Vocab]] = (
    weakref.WeakKeyDictionary()
)


def _fingerprint_query() -> Any:
    vp = VolunteerProfile
    return select(
        func.count(),
        func.coalesce(func.sum(vp.user_id), 0),
        func.coalesce(ms_sum(vp.updated_at), 0),
        func.count(vp.updated_at),
        func.coalesce(func.sum(vp.max_caseload), 0),
        func.coalesce(func.sum(case((vp.status == "active", vp.user_id), else_=0)), 0),
        func.coalesce(day_sum(vp.dbs_expires_on), 0),
        func.coalesce(day_sum(vp.training_completed_on), 0),
        select(func.coalesce(func.sum(User.id), 0)).where(User.active.is_(False)).scalar_subquery(),
    ).select_from(vp)


_FINGERPRINT = _fingerprint_query()


def fingerprint(session: SessionLike) -> tuple[Any, ...]:
    """One aggregate query whose result changes when anything the pool holds changes."""
    return tuple(session.execute(_FINGERPRINT).one())


def volunteer_pool(session: SessionLike) -> tuple[Pool, Vocab]:
    """The pool and its vocabulary, as copies the caller may extend."""
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
