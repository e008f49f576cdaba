"""The one ServiceError handler: nothing committed, the message flashed, back to the Referer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from app.auth.access import public
from app.cases.service import CaseError
from app.extensions import db
from app.models import Area
from app.web import now
from tests.helpers import make_app

MESSAGE = "This case is closed: reopen it first."


@pytest.fixture
def failing_client(app: Flask) -> Iterator[FlaskClient]:
    """A client of an app with one extra view: it writes an area, then a service refuses.

    After every request the app commits whatever is left in the session, so a write the
    handler failed to roll back would be saved.
    """
    failing = make_app(app.config["SQLALCHEMY_DATABASE_URI"], WTF_CSRF_ENABLED=False)

    @public
    def refuse() -> str:
        db.session.add(Area(name="Written before the refusal", created_at=now()))
        db.session.flush()
        raise CaseError(MESSAGE)

    def commit_anything_left(response: Response) -> Response:
        db.session.commit()
        return response

    failing.add_url_rule("/test/refuse", view_func=refuse, methods=["POST"])
    failing.after_request(commit_anything_left)
    with failing.app_context():
        yield failing.test_client()
        db.session.remove()
        db.engine.dispose()


def areas(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(Area)) or 0
        db.session.remove()
    return count


@pytest.mark.parametrize(
    ("referer", "location"),
    [
        ("http://localhost/cases?status=active", "/cases?status=active"),  # this site: back
        ("https://evil.example/cases", "/"),  # another site: home
        ("http://localhost//evil.example/x", "/"),  # a path that leaves the site: home
        (None, "/"),  # no Referer: home
    ],
)
def test_a_refusal_flashes_and_goes_back_without_committing(
    app: Flask, failing_client: FlaskClient, referer: str | None, location: str
) -> None:
    headers = {"Referer": referer} if referer else {}
    response = failing_client.post("/test/refuse", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == location
    with failing_client.session_transaction() as session:
        assert session["_flashes"] == [("error", MESSAGE)]
    assert areas(app) == 0  # the flushed write was rolled back, not committed


def test_the_message_shows_on_the_next_page(failing_client: FlaskClient) -> None:
    response = failing_client.post(
        "/test/refuse", headers={"Referer": "http://localhost/login"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert MESSAGE in response.get_data(as_text=True)
