"""Error pages: friendly words, the right status, never a traceback."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from app.auth.access import roles
from app.extensions import SessionLike
from tests.factories import make_user
from tests.helpers import login, make_app


def _friendly(html: str) -> None:
    assert "Traceback" not in html and 'File "' not in html
    assert "Go to your home page" in html
    assert "<!doctype html>" in html.lower()


def test_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html
    _friendly(html)


def test_403_for_the_wrong_role(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "volunteer")
    session.commit()
    client = app.test_client()
    login(client, user.email)
    response = client.get("/admin/users")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "You cannot see this page" in html
    _friendly(html)


def test_405_for_the_wrong_method(app: Flask, session: SessionLike) -> None:
    user = make_user(session, "volunteer")
    session.commit()
    client = app.test_client()
    login(client, user.email)
    response = client.get("/logout")
    assert response.status_code == 405
    html = response.get_data(as_text=True)
    assert "This page cannot be used that way" in html
    _friendly(html)


def test_400_for_a_missing_csrf_token(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Your form timed out" in html
    _friendly(html)


def test_400_for_a_bad_request(database_uri: str, session: SessionLike) -> None:
    from werkzeug.exceptions import BadRequest

    app = make_app(database_uri)
    user_email = make_user(session, "admin").email
    session.commit()

    @roles("admin")
    def bad() -> str:
        raise BadRequest("the details of what went wrong")

    app.add_url_rule("/test-only/bad", "test_bad", bad)
    client = app.test_client()
    login(client, user_email)
    response = client.get("/test-only/bad")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Something was wrong with that request" in html
    assert "the details of what went wrong" not in html
    _friendly(html)
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()


def test_500_shows_the_friendly_page_without_a_trace(
    database_uri: str, session: SessionLike
) -> None:
    app = make_app(database_uri)
    user_email = make_user(session, "admin").email
    session.commit()

    @roles("admin")
    def boom() -> str:
        raise RuntimeError("secret internals: parent Jane Doe, low mood")

    app.add_url_rule("/test-only/boom", "test_boom", boom)
    client = app.test_client()
    login(client, user_email)
    response = client.get("/test-only/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in html
    assert "secret internals" not in html and "RuntimeError" not in html
    _friendly(html)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
