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

#: built expressions by (due column, birth column, day): a list page builds this CASE on
#: every request, and building it costs more than the page's query takes to run. Keyed by
#: the columns' identity (their ``==`` builds SQL); each entry holds its columns, so an id
#: is not reused while its entry lives. A few days' worth at most.
_BUILT: dict[tuple[int, int, date], tuple[Any, Any, ColumnElement[str]]] = {}
_KEEP = 16


def stage_sql(due_col: Any, birth_col: Any, today: date) -> ColumnElement[str]:
    """``stage_on`` as a SQL CASE expression over the two date columns (built once a day for
    each pair of columns, and shared: SQL expressions are immutable)."""
    key = (id(due_col), id(birth_col), today)
    built = _BUILT.get(key)
    if built is not None and built[0] is due_col and built[1] is birth_col:
        return built[2]
    if len(_BUILT) >= _KEEP:
        _BUILT.clear()
    expression = _stage_case(due_col, birth_col, today)
    _BUILT[key] = (due_col, birth_col, expression)
    return expression


def _stage_case(due_col: Any, birth_col: Any, today: date) -> ColumnElement[str]:
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
