"""The possible-duplicate lookups search parents by index, not by reading every parent.

Migration 0016 indexes ``lower(email)`` and ``lower(last_name)``: without them SQLite read
the whole parents table on every case page and waiting list (3 ms at demo x10, growing with
the charity). SQLite's planner is asked directly; on PostgreSQL the indexes must exist (its
planner rightly reads a table this small whole).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import event, text

from app.cases.duplicates import duplicates_of, parents_with_duplicates
from app.extensions import SessionLike
from tests.factories import make_parent


def _statements(session: SessionLike, call: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "lower(parents." in statement:
            seen.append((statement, params))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_duplicate_lookups_use_the_lowered_indexes(session: SessionLike) -> None:
    parent = make_parent(
        session,
        first_name="Ada",
        last_name="Quill",
        email="Ada.Quill@example.org",
        phone="07700 900123",
        due_date=date(2027, 3, 1),
    )
    make_parent(session, first_name="Ada", last_name="QUILL", due_date=date(2027, 3, 1))
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        names = set(
            session.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = 'parents'"))
        )
        assert {"ix_parents_email_lower", "ix_parents_last_name_lower"} <= names
        return
    statements = _statements(session, lambda: duplicates_of(session, parent))
    statements += _statements(session, lambda: parents_with_duplicates(session, [parent]))
    assert len(statements) == 2
    for statement, params in statements:
        plan = " ".join(
            row[-1]
            for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params
            )
        )
        assert "ix_parents_email_lower" in plan, plan
        assert "ix_parents_last_name_lower" in plan, plan
        assert "SCAN parents" not in plan, plan
