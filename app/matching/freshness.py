"""Every write to a volunteer profile moves its ``updated_at``: what the pool cache relies on.

The cached volunteer pool (``pool_cache``) is reused while a cheap aggregate over the
profiles is unchanged, and that aggregate includes the SUM of every profile's
``updated_at`` (in milliseconds). So a write must change the row's ``updated_at``; two
hooks make sure of it for everything written through a SQLAlchemy session:

* a mapper ``before_update`` listener: an ORM flush that changes a profile without moving
  its ``updated_at`` by at least 2 ms (a view writing ``now`` twice with a fixed
  clock, or code that forgot) gets a fresh stamp;
* a session ``do_orm_execute`` listener: an ``update(VolunteerProfile)…values(…)``
  statement that does not set ``updated_at`` gets ``updated_at`` = a fresh stamp added.

Stamps come from the wall clock and are strictly increasing within the process, at least
2 ms apart, so a stamp never equals a value this process wrote before. Writers that bypass
the session (raw connection SQL, bulk updates by primary key with a parameter list) must
set ``updated_at`` themselves, as the spreadsheet importer does. Assigning re-checks every
gate on fresh data anyway, so even then a stale cache could never let an assignment
through: at worst it offers someone who is then refused with a clear message.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, event, inspect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapper, ORMExecuteState, Session
from sqlalchemy.sql.functions import FunctionElement

from app.models import VolunteerProfile

KEEP_UPDATED_AT = "matching_keep_updated_at"  # execution option: a no-op write (locking)
_STEP = timedelta(milliseconds=2)
_lock = threading.Lock()
_last = datetime(1970, 1, 1, tzinfo=UTC)


def stamp() -> datetime:
    """Now (UTC), but always at least 2 ms after the previous stamp of this process."""
    global _last
    with _lock:
        _last = max(datetime.now(UTC), _last + _STEP)
        return _last


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


@event.listens_for(VolunteerProfile, "before_update")
def _touch_on_flush(mapper: Mapper[Any], connection: Any, target: VolunteerProfile) -> None:
    history = inspect(target).attrs.updated_at.history
    old = (
        history.deleted[0]
        if history.deleted
        else history.unchanged[0]
        if history.unchanged
        else None
    )
    new = target.updated_at
    if old is None or new is None or abs(new - old) < _STEP:
        target.updated_at = stamp()


def _sets_updated_at(statement: Any) -> bool:
    values = getattr(statement, "_values", None) or {}
    return any(getattr(key, "key", key) == "updated_at" for key in values)


@event.listens_for(Session, "do_orm_execute")
def _touch_on_update_statement(state: ORMExecuteState) -> None:
    if not state.is_update or state.execution_options.get(KEEP_UPDATED_AT):
        return
    mapper = state.bind_mapper
    if mapper is None or mapper.class_ is not VolunteerProfile:
        return
    if state.parameters or not getattr(state.statement, "_values", None):
        return  # bulk update by primary key: the caller's parameter rows (see above)
    if not _sets_updated_at(state.statement):
        state.statement = state.statement.values(updated_at=stamp())  # type: ignore[attr-defined]
