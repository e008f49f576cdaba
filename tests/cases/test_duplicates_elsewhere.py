"""Issue 10 item 7: a possible duplicate in an area the coordinator cannot see is mentioned
(what matched, never who or which case); closing the copy as a duplicate ends the warning on
both sides."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.models import Case
from tests.cases.conftest import World
from tests.factories import make_area, make_case, make_parent, make_user
from tests.helpers import login, post_form

MENTION = "A parent with the same phone number is known in another area: ask an admin."
WARNING = "This may be a parent we already know"


def two_areas(session: SessionLike, world: World) -> tuple[Case, Case]:
    """A parent in the coordinator's area and, in another area, one with the same phone."""
    north = make_area(session, "North")
    mine = make_case(
        session,
        make_parent(
            session, area=world.area, first_name="Priya", last_name="Shah", phone="07700 900123"
        ),
    )
    theirs = make_case(
        session,
        make_parent(
            session,
            area=north,
            first_name="Quinn",
            last_name="Zebedee",
            email="quinn@example.org",
            postcode="NE1 4ST",
            phone="+44 7700 900-123",
        ),
    )
    session.commit()
    return mine, theirs


def test_coordinator_is_told_of_a_duplicate_elsewhere_without_any_detail(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine, theirs = two_areas(session, world)
    login(client, world.coordinator.email)
    html = client.get(f"/cases/{mine.id}").get_data(as_text=True)
    assert WARNING in html and MENTION in html
    for detail in (
        "Quinn",
        "Zebedee",
        "quinn@example.org",
        "NE1",
        theirs.reference,
        theirs.parent.ref,
        f"/cases/{theirs.id}",
        "North",
    ):
        assert detail not in html, detail
    # The other case itself stays out of reach.
    assert client.get(f"/cases/{theirs.id}").status_code == 404


def test_admin_sees_the_duplicate_in_full(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine, theirs = two_areas(session, world)
    login(client, world.admin.email)
    html = client.get(f"/cases/{mine.id}").get_data(as_text=True)
    assert WARNING in html
    assert f'href="/cases/{theirs.id}"' in html
    assert "Quinn Zebedee" in html and theirs.reference in html
    assert "known in another area" not in html


def test_a_coordinator_of_both_areas_sees_a_link_not_a_mention(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine, theirs = two_areas(session, world)
    assert theirs.area is not None
    both = make_user(session, "coordinator", areas=[world.area, theirs.area])
    session.commit()
    login(client, both.email)
    html = client.get(f"/cases/{mine.id}").get_data(as_text=True)
    assert f'href="/cases/{theirs.id}"' in html and "known in another area" not in html


def test_the_mention_says_each_thing_that_matched(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    north = make_area(session, "North")
    kw = {"first_name": "Ann", "last_name": "Lee", "due_date": date(2027, 1, 1)}
    mine = make_case(session, make_parent(session, area=world.area, email="a@x.org", **kw))
    make_case(session, make_parent(session, area=north, email="A@X.org", **kw))
    session.commit()
    login(client, world.coordinator.email)
    html = client.get(f"/cases/{mine.id}").get_data(as_text=True)
    assert "A parent with the same email address and name and due date is known" in html


def test_closing_the_copy_as_a_duplicate_ends_the_warning_on_both_sides(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine, theirs = two_areas(session, world)
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    assert "Possible duplicate" in coordinator.get("/waiting").get_data(as_text=True)
    login(client, world.admin.email)
    assert WARNING in client.get(f"/cases/{theirs.id}").get_data(as_text=True)
    response = post_form(client, f"/cases/{theirs.id}/close", {"reason": "duplicate"})
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Case, theirs.id).status == "closed"  # type: ignore[union-attr]
    for case in (mine, theirs):
        assert WARNING not in client.get(f"/cases/{case.id}").get_data(as_text=True), case.id
    html = coordinator.get(f"/cases/{mine.id}").get_data(as_text=True)
    assert WARNING not in html and "known in another area" not in html
    assert "Possible duplicate" not in coordinator.get("/waiting").get_data(as_text=True)
    # Reopening the copy brings the warning back: it is a possible duplicate again.
    post_form(client, f"/cases/{theirs.id}/reopen", {}, page=f"/cases/{theirs.id}")
    assert WARNING in client.get(f"/cases/{mine.id}").get_data(as_text=True)


def test_closing_for_another_reason_keeps_the_warning(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    mine, theirs = two_areas(session, world)
    login(client, world.admin.email)
    post_form(client, f"/cases/{theirs.id}/close", {"reason": "moved_away"})
    assert WARNING in client.get(f"/cases/{mine.id}").get_data(as_text=True)
    coordinator = app.test_client()
    login(coordinator, world.coordinator.email)
    assert MENTION in coordinator.get(f"/cases/{mine.id}").get_data(as_text=True)


def test_set_aside_in_sql_and_python_agree(session: SessionLike, world: World) -> None:
    """A parent is set aside only when every case of hers was closed as a duplicate (the
    words or the code, any case); one other case, even closed with no reason, keeps her."""
    from app.cases import queries
    from app.cases.duplicates import duplicates_of

    closed: dict[str, Any] = {"status": "closed", "area": world.area}
    survivor = make_case(session, make_parent(session, area=world.area, phone="0111"))
    copy = make_parent(session, area=world.area, phone="0111")
    make_case(session, copy, close_reason="Duplicate referral", **closed)
    make_case(session, copy, close_reason="DUPLICATE", **closed)
    kept = make_case(session, make_parent(session, area=world.area, phone="0222"))
    twice = make_parent(session, area=world.area, phone="0222")
    make_case(session, twice, close_reason="duplicate", **closed)
    make_case(session, twice, close_reason=None, **closed)
    session.commit()
    rows = {
        r.case.id: r for r in queries.waiting_list(session, world.coordinator, date(2026, 11, 2))[0]
    }
    assert duplicates_of(session, survivor.parent) == [] and duplicates_of(session, copy) == []
    assert not rows[survivor.id].possible_duplicate
    assert duplicates_of(session, kept.parent) == [twice]
    assert rows[kept.id].possible_duplicate
