"""Finding a volunteer (/volunteers?q=) and an account (/admin/users?q=)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from tests.factories import make_area, make_user, make_volunteer
from tests.helpers import login


def names_found(client: FlaskClient, url: str, query: str) -> set[str]:
    response = client.get(url, query_string={"q": query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {name for name in ("Siân Evans", "Marek Nowak", "Ruth Adeyemi") if name in html}


def test_volunteers_by_name_email_postcode_and_language(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    area = make_area(session, "Bristol")
    coordinator = make_user(session, "coordinator", areas=[area])
    make_volunteer(
        session,
        area=area,
        postcode="BS5 6XX",
        languages=["en", "cy"],
        user_kw={"first_name": "Siân", "last_name": "Evans", "email": "sian@example.org"},
    )
    make_volunteer(
        session,
        area=area,
        postcode="BS1 4DJ",
        languages=["en", "pl"],
        user_kw={"first_name": "Marek", "last_name": "Nowak", "email": "m.nowak@example.org"},
    )
    make_volunteer(
        session,
        area=make_area(session, "North"),
        languages=["pl"],
        user_kw={"first_name": "Ruth", "last_name": "Adeyemi", "email": "ruth@example.org"},
    )
    session.commit()
    login(client, coordinator.email)
    url = "/volunteers"
    assert names_found(client, url, "sian") == {"Siân Evans"}  # no accent typed
    assert names_found(client, url, "EVA") == {"Siân Evans"}
    assert names_found(client, url, "nowak@") == {"Marek Nowak"}
    assert names_found(client, url, "bs56xx") == {"Siân Evans"}
    assert names_found(client, url, "BS5 6") == {"Siân Evans"}
    assert names_found(client, url, "Polish") == {"Marek Nowak"}  # Ruth works in another area
    assert names_found(client, url, "wel") == {"Siân Evans"}
    assert names_found(client, url, "%") == set()
    html = client.get(url, query_string={"q": "nobody"}).get_data(as_text=True)
    assert "0 volunteers found for “nobody”" in html
    assert len(names_found(client, url, "")) == 2


def test_admin_finds_accounts_by_name_or_email(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    admin = make_user(session, "admin")
    make_user(session, "volunteer", first_name="Siân", last_name="Evans", email="se@example.org")
    make_user(session, "coordinator", first_name="Marek", last_name="Nowak", email="mn@corner.org")
    make_user(session, "coordinator", first_name="Ruth", last_name="Adeyemi", email="ra@x.org")
    session.commit()
    login(client, admin.email)
    url = "/admin/users"
    assert names_found(client, url, "sian ev") == {"Siân Evans"}
    assert names_found(client, url, "corner.org") == {"Marek Nowak"}
    assert names_found(client, url, "ADEY") == {"Ruth Adeyemi"}
    assert names_found(client, url, "") == {"Siân Evans", "Marek Nowak", "Ruth Adeyemi"}
    assert "1 person found for “ADEY”" in client.get(url, query_string={"q": "ADEY"}).get_data(
        as_text=True
    )


def test_volunteers_cannot_search_volunteers_or_users(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    volunteer = make_volunteer(session)
    session.commit()
    login(client, volunteer.email)
    assert client.get("/volunteers", query_string={"q": "a"}).status_code == 403
    assert client.get("/admin/users", query_string={"q": "a"}).status_code == 403


def test_the_longest_names_fit_their_key(session: SessionLike) -> None:
    """Folding can lengthen a name ('ß' → 'ss', 'ﬃ' → 'ffi'): the keys are unbounded text."""
    user = make_user(
        session,
        "volunteer",
        first_name="ß" * 100,
        last_name="ﬃ" * 100,
        email="a" * 240 + "@example.org",
    )
    session.commit()
    assert len(user.search_key) > 500
