"""Issue 10 item 13: the check-in page's <title> is plain text and its script is included once."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from app.extensions import SessionLike
from tests.cases.conftest import World
from tests.factories import make_checkin
from tests.helpers import login

SCRIPT = "cases-checkin.js"
DASH = "\u2013"  # the en dash the titles use


def title_of(html: str) -> str:
    found = re.findall(r"<title>(.*?)</title>", html, flags=re.DOTALL)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("which", ["new", "edit", "correct"])
def test_checkin_page_title_is_plain_text_and_the_script_comes_once(
    client: FlaskClient, session: SessionLike, world: World, which: str
) -> None:
    checkin = make_checkin(session, world.alice_case, world.alice)
    draft = make_checkin(session, world.alice_case, world.alice, status="draft", submitted_at=None)
    session.commit()
    if which == "correct":  # a coordinator correcting a submitted check-in
        login(client, world.coordinator.email)
    else:
        login(client, world.alice.email)
    url = (
        f"/cases/{world.alice_case.id}/checkins/new"
        if which == "new"
        else f"/checkins/{(draft if which == 'edit' else checkin).id}/edit"
    )
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    title = title_of(html)
    assert "<" not in title and "&lt;" not in title, title
    expected = "Correct check-in" if which == "correct" else "Check-in"
    name = world.alice_case.parent.first_name
    assert " ".join(title.split()) == f"{expected} {DASH} {name} {DASH} Corner"
    assert html.count(SCRIPT) == 1
