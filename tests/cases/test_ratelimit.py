"""The database rate limit holds across engines, processes and concurrent threads."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from app import ratelimit
from tests.factories import NOW

KEY = "test:address"
WINDOW = 3600


def _hits(url: str, n: int) -> list[int]:
    engine = sa.create_engine(url)
    try:
        seen = []
        for _ in range(n):
            with engine.begin() as conn:
                seen.append(ratelimit.hit(conn, KEY, NOW, WINDOW))
        return seen
    finally:
        engine.dispose()


def _process_main(url: str, n: int, queue: multiprocessing.Queue) -> None:
    queue.put(_hits(url, n))


def test_separate_engines_share_one_count(app: Flask, database_uri: str) -> None:
    first = _hits(database_uri, 3)
    second = _hits(database_uri, 2)
    assert first == [1, 2, 3] and second == [4, 5]
    engine = sa.create_engine(database_uri)
    with engine.begin() as conn:
        assert not ratelimit.allowed(conn, KEY, NOW, 5, WINDOW)  # sixth hit
        # The next window starts again from one, and the old window's row is removed.
        assert ratelimit.hit(conn, KEY, NOW + timedelta(seconds=WINDOW), WINDOW) == 1
        rows = conn.execute(sa.text("SELECT count(*) FROM rate_limit_counters")).scalar()
    engine.dispose()
    assert rows == 1


def test_concurrent_threads_each_get_a_distinct_count(app: Flask, database_uri: str) -> None:
    engine = sa.create_engine(database_uri, pool_size=8, max_overflow=0)
    results: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(10):
                with engine.begin() as conn:
                    value = ratelimit.hit(conn, KEY, NOW, WINDOW)
                with lock:
                    results.append(value)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    engine.dispose()
    assert not errors, errors
    assert sorted(results) == list(range(1, 81))


def test_separate_processes_share_one_count(app: Flask, database_uri: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_process_main, args=(database_uri, 5, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    seen = [value for _ in procs for value in queue.get(timeout=60)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sorted(seen) == list(range(1, 16))
