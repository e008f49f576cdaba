"""``app.web.now()``: one instant per request, however often a request asks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from flask import Flask

from app.auth.access import public
from app.web import now
from tests.helpers import make_app

START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def ticking_clock() -> tuple[Iterator[datetime], list[datetime]]:
    """A clock one second later at every reading, and the list of what it has read."""
    read: list[datetime] = []

    def ticks() -> Iterator[datetime]:
        while True:
            read.append(START + timedelta(seconds=len(read)))
            yield read[-1]

    return ticks(), read


def test_one_instant_per_request_context(app: Flask) -> None:
    clock, read = ticking_clock()
    app.config["CORNER_NOW"] = lambda: next(clock)
    # as when serving: each request in its own app context (``g`` lives there)
    with app.app_context(), app.test_request_context("/"):
        first = now()
        assert now() == now() == first
    with app.app_context(), app.test_request_context("/"):
        assert now() == first + timedelta(seconds=1)  # the next request reads the clock again
    assert len(read) == 2


def test_two_requests_in_one_app_context_each_read_the_clock(app: Flask) -> None:
    clock, read = ticking_clock()
    app.config["CORNER_NOW"] = lambda: next(clock)
    # the fixture's app context stays open; the instant belongs to the request, not to g
    with app.test_request_context("/"):
        first = now()
    with app.test_request_context("/"):
        assert now() == first + timedelta(seconds=1)
    assert len(read) == 2


def test_without_a_request_every_call_reads_the_clock(app: Flask) -> None:
    clock, read = ticking_clock()
    app.config["CORNER_NOW"] = lambda: next(clock)
    assert now() < now()  # the CLI and jobs: no request to pin the instant to
    assert len(read) == 2


def test_a_request_sees_one_instant(database_uri: str) -> None:
    clock, read = ticking_clock()
    app = make_app(database_uri, CORNER_NOW=lambda: next(clock))

    @public
    def two_readings() -> str:
        return f"{now().isoformat()} {now().isoformat()}"

    app.add_url_rule("/test/now", view_func=two_readings)
    client = app.test_client()
    first, second = client.get("/test/now").get_data(as_text=True).split()
    assert first == second
    again = client.get("/test/now").get_data(as_text=True).split()
    assert again[0] == again[1] != first
    assert len(read) == 2


def test_a_fixed_instant_is_used_as_it_is(app: Flask) -> None:
    app.config["CORNER_NOW"] = START
    with app.test_request_context("/"):
        assert now() == START
