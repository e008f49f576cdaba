"""A per-process cache of the volunteer pool (the arrays built from every profile).

Reading and decoding every profile is most of the cost of a suggestion once a charity has
thousands of volunteers. Each request instead runs ONE aggregate query, the fingerprint,
over the profiles, the volunteers' accounts and the open assignments; the cached arrays are
reused only while it is unchanged (and for at most ``MAX_AGE`` seconds). The fingerprint
covers: the number of profiles, their ids, latest ``updated_at``, caseloads, statuses,
coordinates, travel distances, DBS expiry and training dates, and the length of every list
field; accounts closed; and the open assignments (count and id sums). A change to a list
field that keeps its length (one language code swapped for another) is only seen through
``updated_at``: every writer of profiles must set it (the profile pages do). Gates are
always evaluated afresh from the arrays with today's date, and assigning re-checks
everything under a lock, so a stale entry could at worst offer someone who is then refused
with a clear message.

Entries are keyed by the engine (weakly), so two databases never share an entry.
"""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import replace
from typing import Any

from sqlalchemy import Float, Integer, Text, case, cast, func, select
from sqlalchemy.engine import Engine

from app.extensions import SessionLike
from app.matching import queries
from app.matching.arrays import Pool, Vocab, build_pool
from app.models import Assignment, User, VolunteerProfile

MAX_AGE = 300.0

_lock = threading.Lock()
_entries: weakref.WeakKeyDictionary[Engine, tuple[tuple[Any, ...], float, Pool, Vocab]] = (
    weakref.WeakKeyDictionary()
)


def _length(column: Any) -> Any:
    return func.coalesce(func.sum(func.length(cast(column, Text))), 0)


def _date_sum(column: Any) -> Any:
    """Sum of the dates as YYYYMMDD numbers (same on SQLite and PostgreSQL)."""
    as_number = cast(func.replace(cast(column, Text), "-", ""), Integer)
    return func.coalesce(func.sum(as_number), 0)


def _fingerprint_query() -> Any:
    vp = VolunteerProfile
    open_now = Assignment.ended_at.is_(None)
    return (
        select(
            func.count(),
            func.coalesce(func.sum(vp.user_id), 0),
            func.max(cast(vp.updated_at, Text)),
            func.coalesce(func.sum(vp.max_caseload), 0),
            func.coalesce(func.sum(case((vp.status == "active", vp.user_id), else_=0)), 0),
            func.coalesce(func.sum(case((User.active.is_(False), User.id), else_=0)), 0),
            func.coalesce(func.sum(cast(vp.latitude, Float) + cast(vp.longitude, Float)), 0.0),
            func.coalesce(func.sum(cast(vp.travel_km, Float)), 0.0),
            func.coalesce(func.sum(cast(vp.remote_only, Integer) * vp.user_id), 0),
            _length(vp.languages)
            + _length(vp.stages)
            + _length(vp.tags)
            + _length(vp.availability),
            _length(vp.postcode),
            _date_sum(vp.dbs_expires_on),
            _date_sum(vp.training_completed_on),
            _length(User.email) + _length(User.first_name) + _length(User.last_name),
            *(
                select(aggregate).where(open_now).scalar_subquery()
                for aggregate in (
                    func.count(),
                    func.coalesce(func.sum(Assignment.id), 0),
                    func.coalesce(func.sum(Assignment.volunteer_id), 0),
                )
            ),
        )
        .select_from(vp)
        .join(User, User.id == vp.user_id)
    )


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
    return replace(pool), Vocab(dict(vocab.languages), dict(vocab.tags), dict(vocab.places))


def clear() -> None:
    with _lock:
        _entries.clear()
