"""Languages on the parents' forms: names picked or typed, stored as codes, shown as names."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.matching import suggestions
from app.models import Case, Parent
from tests.cases.conftest import World
from tests.cases.test_referrals import GOOD_SELF
from tests.factories import NOW, make_case, make_parent, make_volunteer
from tests.helpers import csrf_token, login, post_form


def ticked(html: str) -> list[str]:
    """The language tick boxes ticked on a page."""
    return re.findall(
        r'<input checked id="languages-\d+" name="languages" [^>]*value="(\w+)"', html
    )


def _parent(session: SessionLike, first_name: str) -> Parent:
    session.expire_all()
    parent = session.scalar(select(Parent).where(Parent.first_name == first_name))
    assert parent is not None
    return parent


def test_the_self_referral_offers_names_and_stores_codes(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    html = client.get("/refer").get_data(as_text=True)
    assert 'value="pl"' in html and ">Polish</label>" in html
    assert "Another language (optional)" in html
    data = {**GOOD_SELF, "first_name": "Zofia", "languages": ["pl"], "other_languages": ""}
    assert post_form(client, "/refer", data).status_code == 302
    assert _parent(session, "Zofia").languages == ["pl"]
    typed = {**GOOD_SELF, "first_name": "Hana", "languages": [], "other_languages": "amharic"}
    assert post_form(client, "/refer", typed).status_code == 302
    assert _parent(session, "Hana").languages == ["am"]


def test_a_self_referred_parent_naming_polish_is_offered_a_polish_volunteer(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    polish = make_volunteer(session, area=world.area, languages=["pl"])
    make_volunteer(session, area=world.area, languages=["so"])
    session.commit()
    data = {**GOOD_SELF, "first_name": "Ola", "languages": [], "other_languages": "Polish"}
    assert post_form(client, "/refer", data).status_code == 302
    parent = _parent(session, "Ola")
    assert parent.languages == ["pl"]
    result = suggestions.suggest(session, NOW, parent)
    assert [s.volunteer_id for s in result.items] == [polish.id]
    assert result.items[0].languages == "Polish"
    login(client, world.coordinator.email)
    page = client.get(f"/cases/{parent.cases[0].id}/suggestions").get_data(as_text=True)
    assert "Speaks Polish" in page


def test_an_unknown_language_is_refused_and_nothing_is_stored(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    before = session.scalar(select(func.count()).select_from(Parent))
    data = {**GOOD_SELF, "first_name": "Kira", "other_languages": "Klingon"}
    response = post_form(client, "/refer", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in html
    assert "&#34;Klingon&#34; is not a language we know" in html
    assert 'href="#other_languages"' in html  # the summary links to the field
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Parent)) == before


def test_the_coordinator_forms_pick_names_and_show_stored_codes(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    form = client.get("/referrals/new").get_data(as_text=True)
    assert ticked(form) == ["en"]  # English ticked to start with
    referral = {
        "first_name": "Lena",
        "phone": "07700 900555",
        "languages": ["uk"],
        "other_languages": "Russian and Hungarian",
        "consent_on": "2026-11-01",
        "consent_method": "verbal",
        "area": str(world.area.id),
        "owner": "0",
    }
    assert post_form(client, "/referrals/new", referral).status_code == 302
    lena = _parent(session, "Lena")
    assert lena.languages == ["uk", "ru", "hu"]
    case_id = lena.cases[0].id
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "<dd>Ukrainian, Russian, Hungarian</dd>" in page

    edit = client.get(f"/cases/{case_id}/parent").get_data(as_text=True)
    assert ticked(edit) == ["uk"]
    assert 'value="Russian, Hungarian"' in edit
    changed = {**referral, "languages": ["pl"], "other_languages": ""}
    changed.pop("area"), changed.pop("owner")
    assert post_form(client, f"/cases/{case_id}/parent", changed).status_code == 302
    assert _parent(session, "Lena").languages == ["pl"]
    bad = post_form(client, f"/cases/{case_id}/parent", {**changed, "other_languages": "Elvish"})
    assert "&#34;Elvish&#34; is not a language we know" in bad.get_data(as_text=True)
    assert _parent(session, "Lena").languages == ["pl"]


def test_the_volunteer_sees_the_parent_s_languages_by_name(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case = world.alice_case
    case.parent.languages = ["so", "en"]
    session.commit()
    login(client, world.alice.email)
    page = client.get(f"/cases/{case.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<dd>Somali, English</dd>" in html


def test_an_old_stored_word_shows_as_itself_and_must_be_corrected(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    parent = make_parent(session, area=world.area, first_name="Old", languages=["pl", "klingon"])
    case: Case = make_case(session, parent, area=world.area)
    session.commit()
    login(client, world.coordinator.email)
    assert "<dd>Polish, klingon</dd>" in client.get(f"/cases/{case.id}").get_data(as_text=True)
    edit = client.get(f"/cases/{case.id}/parent").get_data(as_text=True)
    assert ticked(edit) == ["pl"] and 'value="klingon"' in edit
    response = client.post(
        f"/cases/{case.id}/parent",
        data={
            "csrf_token": csrf_token(edit),
            "first_name": "Old",
            "phone": "07700 900999",
            "languages": ["pl"],
            "other_languages": "klingon",
            "consent_method": "verbal",
        },
    )
    assert "&#34;klingon&#34; is not a language we know" in response.get_data(as_text=True)
