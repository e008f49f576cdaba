"""Languages on the volunteer profile: tick boxes and typed names, stored as codes."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import VolunteerProfile
from tests.factories import NOW, make_user, make_volunteer
from tests.helpers import login, post_form

BASE = {"status": "active", "area": "0", "max_caseload": "3"}


def _languages(session: SessionLike, user_id: int) -> list[str]:
    session.expire_all()
    profile = session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id))
    assert profile is not None
    return profile.languages


def test_the_profile_form_takes_names_and_shows_names(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    coordinator = make_user(session)
    volunteer = make_volunteer(session, languages=["en", "am"])
    session.commit()
    login(client, coordinator.email)
    url = f"/volunteers/{volunteer.id}/edit"
    form = client.get(url).get_data(as_text=True)
    ticked = re.findall(
        r'<input checked id="languages-\d+" name="languages" [^>]*value="(\w+)"', form
    )
    assert ticked == ["en"]
    assert 'name="other_languages" type="text" value="Amharic"' in form
    assert ">Polish</label>" in form and ">pl<" not in form

    data = {**BASE, "languages": ["pl"], "other_languages": "Vietnamese, TIGRINYA and tl"}
    assert post_form(client, url, data).status_code == 302
    assert _languages(session, volunteer.id) == ["pl", "vi", "ti", "tl"]

    bad = post_form(client, url, {**BASE, "languages": ["en"], "other_languages": "Klingon"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200
    assert "&#34;Klingon&#34; is not a language we know" in html
    assert _languages(session, volunteer.id) == ["pl", "vi", "ti", "tl"]
    tampered = post_form(client, url, {**BASE, "languages": ["xx"]})
    assert "Choose languages from the list" in tampered.get_data(as_text=True)

    own = app.test_client()
    login(own, volunteer.email)
    mine = own.get("/my/profile").get_data(as_text=True)
    assert "<dd>Polish, Vietnamese, Tigrinya, Tagalog</dd>" in mine
