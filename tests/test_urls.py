"""Absolute links (emails, CLI output): BASE_URL with its path, never the host of the request."""

from __future__ import annotations

from flask import Flask

from app.auth.access import public
from app.email import link
from app.urls import absolute_url
from tests.helpers import make_app

BASE = "https://corner.example.org/charity"


def test_outside_a_request_links_use_base_url_and_its_path(app: Flask) -> None:
    app.config["BASE_URL"] = BASE
    assert absolute_url("auth.login") == f"{BASE}/login"
    assert absolute_url("auth.accept", token="abc") == f"{BASE}/invitation/abc"
    assert absolute_url("auth.login", next="/cases") == f"{BASE}/login?next=/cases"
    assert link("main.home") == f"{BASE}/"  # the emails' helper is the same builder


def test_a_trailing_slash_or_no_path_in_base_url(app: Flask) -> None:
    app.config["BASE_URL"] = BASE + "/"
    assert absolute_url("auth.login") == f"{BASE}/login"
    app.config["BASE_URL"] = "http://127.0.0.1:8000"
    assert absolute_url("auth.login") == "http://127.0.0.1:8000/login"


def test_inside_a_request_links_ignore_the_host_it_came_in_on(app: Flask) -> None:
    app.config["BASE_URL"] = BASE
    with app.test_request_context("/cases", base_url="http://10.0.0.7:5000/internal"):
        assert absolute_url("auth.accept", token="abc") == f"{BASE}/invitation/abc"


def test_a_view_builds_links_with_base_url(database_uri: str) -> None:
    app = make_app(database_uri, BASE_URL=BASE)

    @public
    def show_link() -> str:
        return absolute_url("auth.accept", token="abc")

    app.add_url_rule("/test/link", view_func=show_link)
    response = app.test_client().get("/test/link", base_url="http://evil.example:5000")
    assert response.get_data(as_text=True) == f"{BASE}/invitation/abc"
