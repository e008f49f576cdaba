"""Insert many rows of one table in the caller's transaction, at the speed of the driver.

SQLAlchemy's executemany converts every value of every row through the column types one
at a time (about four times the cost of the insert itself for 100,000 check-ins). Here
each column's converter (``bind_processor``: the same one SQLAlchemy uses, so what is
stored is identical) runs once over that column's values, and the rows go to the driver
as tuples: ``executemany`` in chunks on SQLite, ``COPY`` on PostgreSQL. Nothing returns
ids: use it for the rows nothing else refers to.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError

from app.extensions import SessionLike

CHUNK = 5000  # rows per executemany or COPY batch: bounded memory for the converted copies


def insert_rows(
    session: SessionLike, table: Table, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``, ``CHUNK`` at a
    time: ``rows`` may be a generator, so no list of them all is ever held."""
    chunks = _chunked(rows)
    first = next(chunks, None)
    if first is None:
        return
    connection = session.connection()
    dialect = connection.dialect
    converters: list[Callable[[Any], Any] | None] = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    ]
    kinds = [type(table.c[name].type) for name in columns]
    quoted = ", ".join(dialect.identifier_preparer.quote(name) for name in columns)
    name = dialect.identifier_preparer.format_table(table)
    postgres = dialect.name == "postgresql"
    if postgres:
        raw = cast(Any, connection.connection.dbapi_connection)
        sql = f"COPY {name} ({quoted}) FROM STDIN"
        try:
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for chunk in itertools.chain([first], chunks):
                    for row in _converted(chunk, converters, kinds):
                        copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:  # as SQLAlchemy would raise it
            raise DBAPIError.instance(sql, None, error, dialect.loaded_dbapi.Error) from error
        return
    marks = ", ".join("?" for _ in columns)
    # names from the table's metadata, quoted by the dialect; the values are bound
    sql = f"INSERT INTO {name} ({quoted}) VALUES ({marks})"  # noqa: S608
    for chunk in itertools.chain([first], chunks):
        connection.exec_driver_sql(sql, _converted(chunk, converters, kinds))


def _chunked(rows: Iterable[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        yield chunk


def _converted(
    rows: Sequence[tuple[Any, ...]],
    converters: list[Callable[[Any], Any] | None],
    kinds: list[type],
) -> list[tuple[Any, ...]]:
    """The rows with every value converted, column by column. Instants are converted once
    per distinct value and column type (a check-in's time is also its created and updated
    time)."""
    columns = list(zip(*rows, strict=True))
    memos: dict[type, dict[Any, Any]] = {}
    for index, convert in enumerate(converters):
        if convert is None:
            continue
        values = columns[index]
        if any(isinstance(value, datetime) for value in values[:1]):
            memo = memos.setdefault(kinds[index], {})
            for value in values:
                if value not in memo:
                    memo[value] = convert(value)
            columns[index] = tuple(map(memo.__getitem__, values))
        else:
            columns[index] = tuple(map(convert, values))
    return list(zip(*columns, strict=True))
