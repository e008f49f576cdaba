"""List pages run a fixed number of SQL statements, however many cases there are."""

from __future__ import annotations

from functools import partial

from flask.testing import FlaskClient

from app.extensions import SessionLike
from tests.cases.conftest import World
from tests.factories import make_assignment, make_case, make_checkin, make_parent
from tests.helpers import StatementCounter, login


def add_cases(session: SessionLike, world: World, n: int) -> None:
    for i in range(n):
        waiting = make_case(session, make_parent(session, area=world.area, email=f"p{i}@x.org"))
        assert waiting.id
        mine = make_case(session, make_parent(session, area=world.area))
        make_assignment(session, mine, world.alice)
        make_checkin(session, mine, world.alice)
        make_checkin(session, mine, world.alice, status="draft", submitted_at=None)
    session.commit()


def statement_counts(
    count_statements: StatementCounter, client: FlaskClient, urls: list[str]
) -> dict[str, int]:
    counts = {}
    for url in urls:
        with count_statements() as statements:
            assert client.get(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_list_pages_do_not_grow_with_the_number_of_cases(
    client: FlaskClient, session: SessionLike, world: World, count_statements: StatementCounter
) -> None:
    coordinator = client.application.test_client()
    login(coordinator, world.coordinator.email)
    login(client, world.alice.email)
    staff_urls = ["/waiting", "/cases", "/cases?status=active"]
    volunteer_urls = ["/my/parents", "/my/drafts"]
    add_cases(session, world, 2)
    counts = partial(statement_counts, count_statements)
    small = counts(coordinator, staff_urls) | counts(client, volunteer_urls)
    add_cases(session, world, 20)
    large = counts(coordinator, staff_urls) | counts(client, volunteer_urls)
    assert small == large
    assert all(count > 0 for count in small.values())


def test_case_page_does_not_grow_with_its_timeline(
    client: FlaskClient, session: SessionLike, world: World, count_statements: StatementCounter
) -> None:
    login(client, world.coordinator.email)
    url = f"/cases/{world.alice_case.id}"
    for _ in range(2):
        make_checkin(session, world.alice_case, world.alice)
    session.commit()
    small = statement_counts(count_statements, client, [url])
    for _ in range(20):
        make_checkin(session, world.alice_case, world.alice)
    session.commit()
    assert statement_counts(count_statements, client, [url]) == small
