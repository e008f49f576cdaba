"""INSERT … ON CONFLICT DO NOTHING for SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import TextClause

from app.extensions import SessionLike


def insert_ignoring(
    session: SessionLike,
    table: Any,
    index_elements: list[str],
    index_where: TextClause | None = None,
) -> Any:
    """An INSERT that silently skips rows conflicting with the given unique index.

    ``index_where`` names a partial unique index (its WHERE clause), as both databases need.
    """
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing(
        index_elements=index_elements, index_where=index_where
    )
