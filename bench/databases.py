"""The temporary databases the benchmarks build their data in, always removed afterwards.

``temporary_database(None)`` is a SQLite file in a temporary folder; with a PostgreSQL server
URL it is a private database created on that server (``corner_bench_<random>``). Either is
removed on the way out of the ``with`` block, after an error or Ctrl-C too; a benchmark's
``--keep`` leaves it and says where it is.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from config import normalise_database_url


@contextmanager
def temporary_postgres(
    server_url: str, *, keep: bool = False, settings: dict[str, float] | None = None
) -> Iterator[str]:
    """A fresh PostgreSQL database on this server (``settings``: ALTER DATABASE … SET)."""
    server = sa.make_url(normalise_database_url(server_url))
    database = f"corner_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
            for key, value in (settings or {}).items():
                conn.execute(sa.text(f'ALTER DATABASE "{database}" SET {key} = {float(value)}'))
        try:
            yield server.set(database=database).render_as_string(hide_password=False)
        finally:
            if keep:
                print(f"kept database {database}")
            else:
                with admin.connect() as conn:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def temporary_sqlite() -> Iterator[str]:
    """A SQLite file in a temporary folder (its -wal and -shm files go with the folder)."""
    with tempfile.TemporaryDirectory(prefix="corner_bench_") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"


@contextmanager
def temporary_database(
    postgres: str | None, *, keep: bool = False, settings: dict[str, float] | None = None
) -> Iterator[str]:
    """PostgreSQL on that server if a URL is given, else SQLite: the URL to connect to."""
    if postgres:
        with temporary_postgres(postgres, keep=keep, settings=settings) as url:
            yield url
    else:
        with temporary_sqlite() as url:
            yield url
