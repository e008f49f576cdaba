"""List pages run a fixed number of SQL statements, however many cases there are."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from flask.testing import FlaskClient

from app.domain import Rule
from app.extensions import SessionLike
from app.models import EscalationFlag
from tests.cases.conftest import World
from tests.factories import (
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_volunteer,
)
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


def test_volunteer_list_and_flag_inbox_do_not_grow_with_their_rows(
    client: FlaskClient, session: SessionLike, world: World, count_statements: StatementCounter
) -> None:
    """Each row shows only what its query loaded (``load_only``): a column the template
    reads that the query left out would be loaded row by row, and counted here."""
    login(client, world.coordinator.email)
    now = datetime.now(UTC)

    def add(n: int) -> None:
        for i in range(n):
            make_volunteer(session, area=world.area)
            case = make_case(session, make_parent(session, area=world.area))
            for rule, severity in ((Rule.NO_CONTACT, "medium"), (Rule.WELLBEING_LOW, "high")):
                session.add(
                    EscalationFlag(
                        case_id=case.id,
                        rule=rule.value,
                        severity=severity,
                        evidence="A test flag.",
                        raised_at=now - timedelta(days=i + 1),
                        status="open",
                    )
                )
        session.commit()

    urls = ["/volunteers", "/flags"]
    add(2)
    small = statement_counts(count_statements, client, urls)
    add(20)
    large = statement_counts(count_statements, client, urls)
    assert small == large
    assert all(count > 0 for count in small.values())
