"""List pages run a fixed number of SQL statements, however many cases there are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from app.extensions import SessionLike, db
from tests.cases.conftest import World
from tests.conftest import login
from tests.factories import make_assignment, make_case, make_checkin, make_parent


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def add_cases(session: SessionLike, world: World, n: int) -> None:
    for i in range(n):
        waiting = make_case(session, make_parent(session, area=world.area, email=f"p{i}@x.org"))
        assert waiting.id
        mine = make_case(session, make_parent(session, area=world.area))
        make_assignment(session, mine, world.alice)
        make_checkin(session, mine, world.alice)
        make_checkin(session, mine, world.alice, status="draft", submitted_at=None)
    session.commit()


def statement_counts(client: FlaskClient, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        with counting() as statements:
            assert client.get(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_list_pages_do_not_grow_with_the_number_of_cases(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    coordinator = client.application.test_client()
    login(coordinator, world.coordinator.email)
    login(client, world.alice.email)
    staff_urls = ["/waiting", "/cases", "/cases?status=active"]
    volunteer_urls = ["/my/parents", "/my/drafts"]
    add_cases(session, world, 2)
    small = statement_counts(coordinator, staff_urls) | statement_counts(client, volunteer_urls)
    add_cases(session, world, 20)
    large = statement_counts(coordinator, staff_urls) | statement_counts(client, volunteer_urls)
    assert small == large
    assert all(count > 0 for count in small.values())


def test_case_page_does_not_grow_with_its_timeline(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    url = f"/cases/{world.alice_case.id}"
    for _ in range(2):
        make_checkin(session, world.alice_case, world.alice)
    session.commit()
    small = statement_counts(client, [url])
    for _ in range(20):
        make_checkin(session, world.alice_case, world.alice)
    session.commit()
    assert statement_counts(client, [url]) == small
