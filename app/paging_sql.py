"""One page of a list query: its rows counted by SQL (one COUNT), then limited in SQL.

``page_of(session, query, number)`` gives the page (``app.paging.Page``, kept within the
pages there are) and the query limited to it; the caller runs that. Two statements however
long the list is, and never more than ``PAGE_SIZE`` rows loaded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.extensions import SessionLike
from app.paging import PAGE_SIZE, Page


def count_rows(session: SessionLike, query: Any) -> int:
    """How many rows ``query`` gives (its ORDER BY dropped): one ``SELECT count(*)``."""
    return int(
        session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    )


def page_of(
    session: SessionLike, query: Any, number: int, size: int = PAGE_SIZE
) -> tuple[Any, Page]:
    """The query limited to page ``number`` (kept within the pages there are), and the page.

    ``query`` must be ordered by something unique at the end (an id), so pages never
    overlap or skip a row."""
    page = Page.at(number, count_rows(session, query), size)
    return query.limit(page.size).offset(page.offset), page


def page_ids(
    session: SessionLike, narrow: Any, order: list[Any], number: int, size: int = PAGE_SIZE
) -> tuple[list[Any], Page]:
    """The ids on page ``number`` of ``narrow`` (a select of one id column, with only the
    joins its filters need), in ``order`` (unique at the end), and the page.

    One statement on a page that exists: the number of rows rides along with the ids
    (``count(*) OVER ()``), so the window and the sort carry one column, not every column of
    every row as a wide query would; the caller then reads the page's rows by id. A page past
    the last costs a count and the last page's ids."""
    counted = narrow.add_columns(func.count().over().label("total")).order_by(*order)
    found = session.execute(counted.limit(size).offset((max(number, 1) - 1) * size)).all()
    if found:
        return [row[0] for row in found], Page.at(number, found[0].total, size)
    page = Page.at(number, count_rows(session, narrow), size)
    if page.total:  # past the last page: show the last one
        found = session.execute(counted.limit(page.size).offset(page.offset)).all()
    return [row[0] for row in found], page
