"""Admin account pages: invite, deactivate, reactivate, new link; admins only; CSRF."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent, Invitation, User, VolunteerProfile
from tests.auth.helpers import is_logged_in
from tests.factories import make_area, make_user
from tests.helpers import csrf_token, login, post_form

NEW_PASSWORD = "lighthouse kettle meadow"


@pytest.fixture
def admin_client(app: Flask, session: SessionLike) -> FlaskClient:
    admin = make_user(session, "admin", email="admin@example.org")
    session.commit()
    client = app.test_client()
    assert login(client, admin.email).status_code == 302
    assert admin.id
    return client


def _link(html: str) -> str:
    match = re.search(r'value="http://corner\.test(/invitation/[^"]+)"', html)
    assert match, "no invitation link on the page"
    return match.group(1)


def test_users_page_lists_everyone(admin_client: FlaskClient, session: SessionLike) -> None:
    make_user(session, "volunteer", first_name="Dee", last_name="Okoro", active=False)
    make_user(session, "coordinator", first_name="Lee", last_name="Ng", password=None)
    session.commit()
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Dee Okoro" in html and "Deactivated" in html
    assert "Lee Ng" in html and "Invited" in html
    assert 'Reactivate<span class="visually-hidden"> Dee Okoro' in html


def test_invite_creates_account_and_the_link_sets_a_password(
    app: Flask, admin_client: FlaskClient, session: SessionLike
) -> None:
    area = make_area(session, "Bristol North")
    session.commit()
    response = post_form(
        admin_client,
        "/admin/users/invite",
        {
            "email": " Zara@Example.org ",
            "first_name": "Zara",
            "last_name": "Khan",
            "role": "volunteer",
            "area": str(area.id),
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Invitation emailed to Zara Khan" in html
    user = session.scalar(select(User).where(User.email == "zara@example.org"))
    assert user is not None and user.role == "volunteer" and user.password_hash is None
    profile = session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile is not None and profile.area_id == area.id
    assert user.areas == []  # volunteers are not coordinators of the area

    link = _link(html)
    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    visitor.post(
        link,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert login(app.test_client(), "zara@example.org", NEW_PASSWORD).status_code == 302
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"user.invited", "invitation.accepted"} <= actions


def test_invite_refuses_bad_input_and_duplicates(
    admin_client: FlaskClient, session: SessionLike
) -> None:
    make_user(session, "volunteer", email="taken@example.org")
    session.commit()
    before = len(list(session.scalars(select(User.id))))
    bad = post_form(
        admin_client,
        "/admin/users/invite",
        {
            "email": "not-an-email",
            "first_name": "",
            "last_name": "X",
            "role": "volunteer",
            "area": "0",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "There is a problem" in html
    assert "Enter an email address in the correct format" in html
    assert "Enter their first name." in html
    dup = post_form(
        admin_client,
        "/admin/users/invite",
        {
            "email": "TAKEN@example.org",
            "first_name": "T",
            "last_name": "X",
            "role": "coordinator",
            "area": "0",
        },
    )
    assert "There is already an account for taken@example.org" in dup.get_data(as_text=True)
    session.expire_all()
    assert len(list(session.scalars(select(User.id)))) == before


def test_reinvite_gives_a_new_link_and_voids_the_old(
    app: Flask, admin_client: FlaskClient, session: SessionLike
) -> None:
    html = post_form(
        admin_client,
        "/admin/users/invite",
        {
            "email": "sam@example.org",
            "first_name": "Sam",
            "last_name": "Lee",
            "role": "coordinator",
            "area": "0",
        },
    ).get_data(as_text=True)
    first = _link(html)
    user = session.scalar(select(User).where(User.email == "sam@example.org"))
    assert user is not None
    second_page = post_form(
        admin_client, f"/admin/users/{user.id}/invitation", {}, page="/admin/users"
    )
    assert second_page.status_code == 200
    second = _link(second_page.get_data(as_text=True))
    assert second != first
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    assert len(list(session.scalars(select(Invitation)))) == 2


def test_deactivate_and_reactivate(
    app: Flask, admin_client: FlaskClient, session: SessionLike
) -> None:
    volunteer = make_user(session, "volunteer", first_name="Kim", last_name="Ross")
    session.commit()
    url = f"/admin/users/{volunteer.id}/deactivate"
    # The people page links to a question; asking changes nothing.
    people = admin_client.get("/admin/users").get_data(as_text=True)
    assert f'<a class="danger" href="{url}">Deactivate' in people
    question = admin_client.get(url).get_data(as_text=True)
    assert "Deactivate Kim Ross?" in question and "Yes, deactivate Kim Ross" in question
    session.expire_all()
    assert session.get(User, volunteer.id).active is True  # type: ignore[union-attr]
    # A POST without the question's answer deactivates nothing: it goes to the question.
    unasked = post_form(admin_client, url, {}, page="/admin/users")
    assert unasked.status_code == 302 and unasked.headers["Location"] == url
    session.expire_all()
    assert session.get(User, volunteer.id).active is True  # type: ignore[union-attr]
    response = post_form(admin_client, url, {"confirmed": "yes"})
    assert response.status_code == 302
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Kim Ross can no longer log in" in page
    session.expire_all()
    assert session.get(User, volunteer.id).active is False  # type: ignore[union-attr]
    assert login(app.test_client(), volunteer.email).status_code == 200

    post_form(admin_client, f"/admin/users/{volunteer.id}/reactivate", {}, page="/admin/users")
    session.expire_all()
    assert session.get(User, volunteer.id).active is True  # type: ignore[union-attr]
    assert login(app.test_client(), volunteer.email).status_code == 302


def test_admin_cannot_deactivate_themself(admin_client: FlaskClient, session: SessionLike) -> None:
    me = session.scalar(select(User).where(User.email == "admin@example.org"))
    assert me is not None
    response = post_form(
        admin_client, f"/admin/users/{me.id}/deactivate", {"confirmed": "yes"}, page="/admin/users"
    )
    assert response.status_code == 302
    assert "You cannot deactivate your own account." in admin_client.get("/admin/users").get_data(
        as_text=True
    )
    assert is_logged_in(admin_client)


def test_state_changes_need_a_csrf_token(admin_client: FlaskClient, session: SessionLike) -> None:
    volunteer = make_user(session, "volunteer")
    session.commit()
    for action in ("deactivate", "invitation"):
        response = admin_client.post(f"/admin/users/{volunteer.id}/{action}", data={})
        assert response.status_code == 400
        assert "Your form timed out" in response.get_data(as_text=True)
    response = admin_client.post(
        "/admin/users/invite",
        data={"email": "x@example.org", "first_name": "X", "last_name": "Y", "role": "admin"},
    )
    assert response.status_code == 400
    session.expire_all()
    assert session.get(User, volunteer.id).active is True  # type: ignore[union-attr]
    assert session.scalar(select(User).where(User.email == "x@example.org")) is None
    assert list(session.scalars(select(Invitation))) == []


def test_unknown_user_is_404(admin_client: FlaskClient) -> None:
    assert (
        post_form(admin_client, "/admin/users/9999/deactivate", {}, page="/admin/users").status_code
        == 404
    )


ADMIN_PAGES = [
    ("GET", "/admin/users"),
    ("GET", "/admin/users/invite"),
    ("POST", "/admin/users/invite"),
    ("POST", "/admin/users/{id}/invitation"),
    ("GET", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/deactivate"),
    ("POST", "/admin/users/{id}/reactivate"),
    ("GET", "/admin/settings"),
]


@pytest.mark.parametrize("role", ["coordinator", "volunteer"])
def test_admin_pages_are_forbidden_to_other_roles(
    app: Flask, session: SessionLike, role: str
) -> None:
    target = make_user(session, "volunteer")
    user = make_user(session, role)
    session.commit()
    client = app.test_client()
    login(client, user.email)
    token = csrf_token(client.get("/").get_data(as_text=True))
    for method, path in ADMIN_PAGES:
        url = path.format(id=target.id)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, "email": "a@b.org"})
        assert response.status_code == 403, (role, method, url)
        assert "You cannot see this page" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(User, target.id).active is True  # type: ignore[union-attr]


def test_admin_pages_send_anonymous_visitors_to_login(app: Flask, session: SessionLike) -> None:
    target = make_user(session, "volunteer")
    session.commit()
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for method, path in ADMIN_PAGES:
        url = path.format(id=target.id)
        response = (
            client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        )
        assert response.status_code == 302, (method, url)
        expected = f"/login?next={url}" if method == "GET" else "/login"
        assert response.headers["Location"] == expected


def test_no_link_for_a_deactivated_account(admin_client: FlaskClient, session: SessionLike) -> None:
    gone = make_user(session, "volunteer", first_name="Dee", last_name="Okoro", active=False)
    session.commit()
    html = admin_client.get("/admin/users").get_data(as_text=True)
    assert f"/admin/users/{gone.id}/invitation" not in html
    response = post_form(
        admin_client, f"/admin/users/{gone.id}/invitation", {}, page="/admin/users"
    )
    assert response.status_code == 302
    assert "Dee Okoro is deactivated" in admin_client.get("/admin/users").get_data(as_text=True)
    assert list(session.scalars(select(Invitation))) == []


def test_reset_link_for_someone_with_a_password(
    app: Flask, admin_client: FlaskClient, session: SessionLike
) -> None:
    user = make_user(session, "coordinator", first_name="Lee", last_name="Ng")
    session.commit()
    assert "Email a password reset link<span" in admin_client.get("/admin/users").get_data(
        as_text=True
    )
    page = post_form(admin_client, f"/admin/users/{user.id}/invitation", {}, page="/admin/users")
    link = _link(page.get_data(as_text=True))
    visitor = app.test_client()
    html = visitor.get(link).get_data(as_text=True)
    visitor.post(
        link,
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(html)},
    )
    assert login(app.test_client(), user.email, NEW_PASSWORD).status_code == 302
