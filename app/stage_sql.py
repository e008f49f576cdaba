"""The stage rule (``app.stage``) as a SQL CASE expression, for queries over many parents.

Thresholds are computed here in Python from ``today``, so SQLite and PostgreSQL agree with
``stage_on`` to the day (tests/test_stage.py compares them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, literal
from sqlalchemy.sql.elements import ColumnElement

from app.stage import BIRTH_STAGE_AFTER_BIRTH, BIRTH_STAGE_BEFORE_DUE, shift, two_years_before


def stage_sql(due_col: Any, birth_col: Any, today: date) -> ColumnElement[str]:
    """``stage_on`` as a SQL CASE expression over the two date columns."""
    born_recently = shift(today, -BIRTH_STAGE_AFTER_BIRTH)
    birth_window = shift(today, BIRTH_STAGE_BEFORE_DUE)
    return case(
        (birth_col.is_not(None) & (birth_col > born_recently), literal("birth")),
        (birth_col.is_not(None) & (birth_col > two_years_before(today)), literal("postnatal")),
        (birth_col.is_not(None), literal("over")),
        (due_col.is_not(None) & (due_col > birth_window), literal("pregnancy")),
        (due_col.is_not(None), literal("birth")),
        else_=literal("unknown"),
    )
