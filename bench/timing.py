"""Timing helpers shared by the benchmarks: the median of N runs after a warm-up (wall and
CPU time of this process), one timed block, and the load average line."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def median_of(runs: int, work: Callable[[], Any]) -> tuple[float, float, Any]:
    """The median wall time and the median CPU time of this process (on SQLite, the query
    work too; on PostgreSQL only the client's) of ``runs`` runs after a warm-up."""
    times, cpu, outcome = [], [], None
    work()  # warm the caches
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        outcome = work()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(times), statistics.median(cpu), outcome


@contextmanager
def timed() -> Iterator[list[float]]:
    """Wall seconds of the block, in the yielded list's only item once the block ends."""
    elapsed: list[float] = []
    start = time.perf_counter()
    try:
        yield elapsed
    finally:
        elapsed.append(time.perf_counter() - start)


def load_average_line() -> str:
    return "load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
