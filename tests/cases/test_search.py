"""Finding a case: /cases?q= by name, reference, phone, email or postcode, within scope."""

from __future__ import annotations

from datetime import date

import pytest
from flask.testing import FlaskClient

from app.cases import service
from app.cases.service import ParentData
from app.extensions import SessionLike
from app.models import Case
from tests.cases.conftest import World
from tests.factories import NOW, make_area, make_assignment, make_case, make_parent, make_user
from tests.helpers import StatementCounter, login


@pytest.fixture
def zoe(session: SessionLike, world: World) -> Case:
    """A demo-like parent: the charity's reference, a phone written with spaces, an accent."""
    parent = make_parent(
        session,
        area=world.area,
        ref="BR-0185",
        first_name="Zoë",
        last_name="Reynolds",
        email="zoe.reynolds@example.org",
        phone="07700 900123",
        postcode="BS3 4QT",
        due_date=date(2027, 1, 15),
    )
    case = make_case(session, parent, area=world.area)
    make_assignment(session, case, world.alice)
    case.status = "active"
    session.commit()
    return case


def found(client: FlaskClient, query: str, **args: str) -> str:
    response = client.get("/cases", query_string={"q": query, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "reyn",  # part of the surname
        "REYNOLDS",
        "zoe",  # no accent typed
        "Zoë Rey",
        "07700 900123",  # the phone as written
        "07700900123",
        "+447700900123",  # the same number, international
        "+44 7700 900 123",
        "900123",  # the end of it
        "BR-0185",  # the charity's reference
        "br0185",
        "zoe.reynolds@",  # part of the email address
        "bs3 4qt",  # postcode, any case and spacing
        "BS34QT",
    ],
)
def test_coordinator_finds_the_parent(
    client: FlaskClient, world: World, zoe: Case, query: str
) -> None:
    login(client, world.coordinator.email)
    html = found(client, query)
    assert f'href="/cases/{zoe.id}"' in html
    assert "Zoë Reynolds" in html
    assert "1 case found for" in html
    # the results say what a coordinator needs: stage, status, volunteer, one case reference
    assert "Pregnancy" in html and "Active" in html and world.alice.full_name in html
    refs = f'<span class="ref">{zoe.reference}</span> <span class="muted ref">· Parent ref BR-0185'
    assert refs in html


def test_the_case_reference_finds_the_case_in_any_form(
    client: FlaskClient, world: World, zoe: Case
) -> None:
    login(client, world.coordinator.email)
    for query in (zoe.reference, zoe.reference.lower().replace("-", ""), str(zoe.id)):
        assert f'href="/cases/{zoe.id}"' in found(client, query), query


def test_what_matches_nobody_finds_nothing(client: FlaskClient, world: World, zoe: Case) -> None:
    login(client, world.coordinator.email)
    for query in ("reynoldz", "%", "_", "--", "BR-0186", "07700 900124"):
        html = found(client, query)
        assert f'href="/cases/{zoe.id}"' not in html, query
        assert "No cases found for" in html, query
    assert "No cases found for “%”" in found(client, "%")  # a wildcard is only a character


def test_a_search_finds_closed_cases_unless_a_status_is_asked_for(
    client: FlaskClient, session: SessionLike, world: World, zoe: Case
) -> None:
    zoe.status = "closed"
    session.commit()
    login(client, world.coordinator.email)
    assert f'href="/cases/{zoe.id}"' in found(client, "reyn")
    assert f'href="/cases/{zoe.id}"' not in found(client, "reyn", status="open")


def test_a_coordinator_finds_nothing_outside_her_areas(
    client: FlaskClient, session: SessionLike, world: World, zoe: Case
) -> None:
    north = make_area(session, "North")
    elsewhere = make_case(
        session,
        make_parent(
            session, area=north, first_name="Zoe", last_name="Reynard", phone="07700 900999"
        ),
        area=north,
    )
    admin = make_user(session, "admin")
    session.commit()
    login(client, world.coordinator.email)
    for query in ("reyn", "07700 900999", elsewhere.reference):
        assert f'href="/cases/{elsewhere.id}"' not in found(client, query), query
    assert f'href="/cases/{zoe.id}"' in found(client, "reyn")
    other = client.application.test_client()
    login(other, admin.email)
    html = found(other, "reyn")
    assert f'href="/cases/{elsewhere.id}"' in html and f'href="/cases/{zoe.id}"' in html


def test_a_volunteer_cannot_search_cases(client: FlaskClient, world: World, zoe: Case) -> None:
    login(client, world.alice.email)  # Zoë's own volunteer
    response = client.get("/cases", query_string={"q": "reyn"})
    assert response.status_code == 403
    assert "Reynolds" not in response.get_data(as_text=True)
    assert 'name="q"' not in client.get("/my/parents").get_data(as_text=True)  # no search box


def test_staff_have_the_search_box_in_the_header(client: FlaskClient, world: World) -> None:
    login(client, world.coordinator.email)
    html = client.get("/waiting").get_data(as_text=True)
    assert 'role="search"' in html and 'action="/cases"' in html and 'id="header-search"' in html


def test_an_edit_keeps_the_search_up_to_date(
    client: FlaskClient, session: SessionLike, world: World, zoe: Case
) -> None:
    data = ParentData(first_name="Zoé", last_name="Marsh", phone="+44 7700 900456")
    service.update_parent(session, NOW, zoe.parent, data)
    session.commit()
    login(client, world.coordinator.email)
    assert f'href="/cases/{zoe.id}"' in found(client, "marsh")
    assert f'href="/cases/{zoe.id}"' in found(client, "07700 900456")
    assert f'href="/cases/{zoe.id}"' not in found(client, "reyn")
    assert f'href="/cases/{zoe.id}"' not in found(client, "07700 900123")


def test_a_referral_made_in_corner_has_one_reference(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    data = ParentData(first_name="Ola", last_name="Kowalska", phone="0117 496 0000")
    case = service.create_referral(session, NOW, data, area_id=world.area.id)
    session.commit()
    assert case.parent.ref == case.reference
    login(client, world.coordinator.email)
    html = found(client, "kowal")
    assert f'href="/cases/{case.id}"' in html and "Parent ref" not in html
    assert f'href="/cases/{case.id}"' in found(client, "0117 496")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert f'Case <span class="ref">{case.reference}</span></p>' in page
    assert "Parent ref" not in page


def add_matches(session: SessionLike, world: World, n: int) -> None:
    for i in range(n):
        case = make_case(
            session,
            make_parent(
                session, area=world.area, last_name=f"Reynolds{i}", phone=f"07700 9{i:05d}"
            ),
            area=world.area,
        )
        make_assignment(session, case, world.bob)
    session.commit()


def test_the_search_runs_a_fixed_number_of_statements(
    client: FlaskClient, session: SessionLike, world: World, count_statements: StatementCounter
) -> None:
    login(client, world.coordinator.email)
    urls = ["/cases?q=reyn", "/cases?q=07700+9", "/cases?q=C-00001", "/volunteers?q=alice"]

    def counts() -> list[int]:
        out = []
        for url in urls:
            with count_statements() as statements:
                assert client.get(url).status_code == 200
            out.append(len(statements))
        return out

    add_matches(session, world, 2)
    small = counts()
    add_matches(session, world, 20)
    assert counts() == small
    assert "22 cases found" in found(client, "reyn")
