"""The planner's statistics after a bulk load (the demo data, a spreadsheet import).

PostgreSQL plans from statistics that autovacuum gathers when it next looks at a table,
a minute or more after a load; until then it plans as if the tables were nearly empty and
can choose a nested loop over thousands of rows (the case list took 163 ms instead of 7
right after the demo was loaded). ``refresh_statistics`` runs ``ANALYZE`` on the tables a
load wrote, in the caller's transaction; ``refresh_after_load`` in its own, after the load's
commit. SQLite: nothing; Corner's queries are written for its planner without statistics.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import SessionLike

log = logging.getLogger(__name__)

#: what an import or the demo writes in bulk
LOADED_TABLES = (
    "areas",
    "users",
    "volunteer_profiles",
    "parents",
    "cases",
    "assignments",
    "checkins",
    "escalation_flags",
)


def refresh_statistics(session: SessionLike, tables: Iterable[str] = LOADED_TABLES) -> bool:
    """``ANALYZE`` these tables on PostgreSQL (True); on SQLite nothing (False)."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    quote = bind.dialect.identifier_preparer.quote
    session.execute(text("ANALYZE " + ", ".join(quote(name) for name in tables)))
    return True


def refresh_after_load(session: SessionLike) -> None:
    """After a load is committed (an import, the demo): ``refresh_statistics`` in its own
    transaction, committed. The rows are in already: a failure only logs (autovacuum gathers
    the statistics later anyway)."""
    try:
        refresh_statistics(session)
        session.commit()
    except SQLAlchemyError as error:
        session.rollback()
        log.warning("Could not refresh the planner's statistics (%s)", type(error).__name__)
