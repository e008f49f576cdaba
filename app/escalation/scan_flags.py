"""The scan's flag rows: the unresolved ones it compares with, and its set-based writes.

Each write is one statement whatever the number of rows: resolve the flags of closed cases
(one UPDATE), insert new flags (``ON CONFLICT DO NOTHING`` against the partial unique index,
so a concurrent scan cannot make a duplicate), change severities, resolve flags whose
condition has cleared (guarded by ``status <> 'resolved'``).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, text, update

from app.domain import SCHEDULED_RULES, CaseStatus, FlagStatus, Rule
from app.escalation.scan_facts import OPEN_STATUSES, only_cases
from app.extensions import SessionLike
from app.models import Case, EscalationFlag
from app.sqlcompat import insert_ignoring
from app.timeutil import short_date

CLEARED_BECAUSE: dict[str, str] = {
    Rule.WELLBEING_LOW: "a later check-in recorded a higher wellbeing score",
    Rule.WELLBEING_FALLING: "the latest wellbeing scores are no longer falling",
    Rule.BONDING_LOW: "a later check-in recorded a higher 'getting to know baby' score",
    Rule.NO_CONTACT: "a successful contact was recorded, or the case is no longer active",
    Rule.ATTEMPTS_FAILING: "a successful contact was recorded",
    Rule.BIRTH_SOON: "a contact or the birth was recorded, or the due date passed",
    Rule.AFTER_BIRTH: "a successful contact after the birth was recorded",
    Rule.BIRTH_OVERDUE: "the dates were updated",
    Rule.UNMATCHED: "a volunteer was assigned",
    Rule.VOLUNTEER_LAPSED: "the volunteer is active with a valid DBS check, or was replaced",
    Rule.STALE_DRAFT: "the draft was finished or deleted",
    Rule.PAST_1001_DAYS: "the dates were updated",
    Rule.CHECK_FAILED: "the scan could check this case again",
}
CLOSED_NOTE = "Resolved automatically: the case was closed."


def cleared_note(rule: str, now: datetime) -> str:
    because = CLEARED_BECAUSE.get(rule, "the condition no longer holds")
    return f"Resolved automatically on {short_date(now)}: {because}."


def unresolved_scheduled_flags(
    session: SessionLike, case_ids: Collection[int] | None = None
) -> dict[tuple[int, str], Row[int, int, str, str]]:
    """(case id, rule) -> (id, case_id, rule, severity) of every unresolved flag of a
    scheduled rule on an open case (of ``case_ids``, when given): one query."""
    return {
        (row.case_id, row.rule): row
        for row in session.execute(
            select(
                EscalationFlag.id,
                EscalationFlag.case_id,
                EscalationFlag.rule,
                EscalationFlag.severity,
            )
            .join(Case, Case.id == EscalationFlag.case_id)
            .where(
                EscalationFlag.status != FlagStatus.RESOLVED.value,
                EscalationFlag.rule.in_([str(rule) for rule in SCHEDULED_RULES]),
                Case.status.in_(OPEN_STATUSES),
                *only_cases(Case.id, case_ids),
            )
        )
    }


def resolve_flags_of_closed_cases(
    session: SessionLike, now: datetime, case_ids: Collection[int] | None = None
) -> int:
    """Resolve every unresolved flag (any rule) of a closed case (of ``case_ids``, when
    given): one UPDATE."""
    closed = select(Case.id).where(
        Case.status == CaseStatus.CLOSED.value, *only_cases(Case.id, case_ids)
    )
    result = session.execute(
        update(EscalationFlag)
        .where(EscalationFlag.status != FlagStatus.RESOLVED.value)
        .where(EscalationFlag.case_id.in_(closed))
        .values(
            status=FlagStatus.RESOLVED.value,
            resolved_at=now,
            resolved_by_id=None,
            resolution_note=CLOSED_NOTE,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def change_severities(session: SessionLike, rows: list[dict[str, Any]]) -> int:
    """Set ``new_severity`` and ``new_evidence`` on each ``flag_id`` still unresolved: one
    executemany."""
    table: Any = EscalationFlag.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("flag_id"), table.c.status != FlagStatus.RESOLVED.value)
        .values(severity=bindparam("new_severity"), evidence=bindparam("new_evidence")),
        rows,
    )
    return len(rows)


def resolve_cleared_flags(session: SessionLike, now: datetime, rows: list[dict[str, Any]]) -> int:
    """Resolve each ``flag_id`` still unresolved with its ``note``: one executemany."""
    table: Any = EscalationFlag.__table__
    outcome = session.execute(
        update(table)
        .where(table.c.id == bindparam("flag_id"), table.c.status != FlagStatus.RESOLVED.value)
        .values(
            status=FlagStatus.RESOLVED.value,
            resolved_at=now,
            resolved_by_id=None,
            resolution_note=bindparam("note"),
        ),
        rows,
    )
    return _rowcount(outcome, len(rows))


PG_INSERT_FLAGS = text(
    """
    INSERT INTO escalation_flags (case_id, rule, severity, evidence, raised_at, status)
    SELECT new.*, CAST(:raised AS timestamp), 'open' FROM unnest(
        CAST(:case_ids AS integer[]), CAST(:rules AS varchar[]),
        CAST(:severities AS varchar[]), CAST(:evidence AS varchar[])
    ) AS new
    ON CONFLICT (case_id, rule) WHERE status <> 'resolved' DO NOTHING
    """
)


def insert_flags(session: SessionLike, rows: list[dict[str, Any]]) -> int:
    """Insert new flags in one statement, skipping any a concurrent scan got in first.

    PostgreSQL: one INSERT … SELECT FROM unnest(arrays) (a psycopg executemany of tens of
    thousands of rows costs seconds); SQLite: one executemany (in-process, fast).
    """
    if session.get_bind().dialect.name == "postgresql":
        outcome = session.execute(
            PG_INSERT_FLAGS,
            {
                "case_ids": [row["case_id"] for row in rows],
                "rules": [row["rule"] for row in rows],
                "severities": [row["severity"] for row in rows],
                "evidence": [row["evidence"] for row in rows],
                # every new flag is raised now, open
                "raised": rows[0]["raised_at"].astimezone(UTC).replace(tzinfo=None),
            },
        )
        return _rowcount(outcome, len(rows))
    table: Any = EscalationFlag.__table__
    statement = insert_ignoring(session, table, ["case_id", "rule"], text("status <> 'resolved'"))
    return _rowcount(session.execute(statement, rows), len(rows))


def _rowcount(outcome: Any, fallback: int) -> int:
    count = getattr(outcome, "rowcount", -1)
    return fallback if count is None or count < 0 else int(count)
