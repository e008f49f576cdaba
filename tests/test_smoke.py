from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from tests.factories import make_user
from tests.helpers import login


def test_login_page_renders(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Log in to Corner" in response.data


def test_each_role_logs_in_to_its_home(app: Flask, session: SessionLike) -> None:
    for role, marker in [
        ("admin", b"volunteers"),
        ("coordinator", b"parents waiting"),
        ("volunteer", b"parents you support"),
    ]:
        user = make_user(session, role)
        session.commit()
        client = app.test_client()
        response = login(client, user.email)
        assert response.status_code == 302
        home = client.get("/")
        assert home.status_code == 200
        assert marker in home.data, role
        assert f"({role})".encode() in home.data
        client.post("/logout", data={"csrf_token": ""})  # refused without a token
        assert client.get("/").status_code == 200
