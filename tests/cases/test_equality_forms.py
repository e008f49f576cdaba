"""Equality monitoring on the parent forms: optional, saved, refused when not a choice, and
shown on the case page to staff only (the volunteers' side is test_equality_hidden.py)."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.equality import FIELD_NAMES, WHY_WE_ASK
from app.extensions import SessionLike
from app.models import AuditEvent, Case, Parent, RateLimitCounter
from tests.cases.conftest import World
from tests.cases.test_referrals import GOOD_SELF
from tests.helpers import login, post_form

ANSWERS = {
    "ethnic_group": "black_caribbean",
    "age_band": "20_24",
    "first_time_parent": "yes",
    "disability": "prefer_not",
    "interpreter_needed": "no",
}


def referral(world: World, **extra: str) -> dict[str, object]:
    return {
        "first_name": "Lena",
        "last_name": "Novak",
        "phone": "07700 900555",
        "languages": ["en"],
        "due_date": "2027-01-20",
        "consent_on": "2026-11-01",
        "consent_method": "verbal",
        "consent_scope": "contact",
        "area": str(world.area.id),
        "owner": str(world.coordinator.id),
        **extra,
    }


def answers_of(session: SessionLike, parent_id: int) -> dict[str, str | None]:
    session.expire_all()
    parent = session.get(Parent, parent_id)
    assert parent is not None
    return {name: getattr(parent, name) for name in FIELD_NAMES}


def parent_count(session: SessionLike) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Parent)) or 0


def test_the_staff_forms_ask_in_one_optional_fieldset(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    for url in ("/referrals/new", f"/cases/{world.alice_case.id}/parent"):
        html = client.get(url).get_data(as_text=True)
        fieldset = html.split('<fieldset class="equality"')[1].split("</fieldset>")[0]
        assert "Equality monitoring (optional)" in fieldset
        assert WHY_WE_ASK in fieldset
        for name in FIELD_NAMES:
            select_html = fieldset.split(f'name="{name}"')[1].split("</select>")[0]
            assert '<option value="">—</option>' in select_html, name
            assert '<option value="prefer_not">Prefer not to say</option>' in select_html
            assert "required" not in select_html
        # ethnic groups under their ONS headings
        assert '<optgroup label="Asian, Asian British or Asian Welsh">' in fieldset
        assert '<optgroup label="White"><option value="white_british">' in fieldset
        assert '<option value="white_gypsy_traveller">Gypsy or Irish Traveller</option>' in fieldset


def test_a_referral_saves_the_answers_and_leaving_them_out_records_nothing(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    response = post_form(client, "/referrals/new", referral(world, **ANSWERS))
    assert response.status_code == 302
    case = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    assert answers_of(session, case.parent_id) == ANSWERS

    # the questions are never required: empty, or not sent at all, is "not recorded"
    empty = {name: "" for name in FIELD_NAMES}
    response = post_form(client, "/referrals/new", referral(world, first_name="Ola", **empty))
    assert response.status_code == 302
    response = post_form(client, "/referrals/new", referral(world, first_name="Pia"))
    assert response.status_code == 302
    for name in ("Ola", "Pia"):
        parent = session.scalar(select(Parent).where(Parent.first_name == name))
        assert parent is not None
        assert set(answers_of(session, parent.id).values()) == {None}


def test_a_value_that_is_no_choice_re_renders_with_an_error_and_saves_nothing(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    before = parent_count(session)
    bad = {**ANSWERS, "ethnic_group": "martian", "interpreter_needed": "Yes"}
    response = post_form(client, "/referrals/new", referral(world, **bad))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert html.count("Choose one of the answers in the list.") == 4  # summary + field, x2
    assert '<a href="#ethnic_group">' in html and '<a href="#interpreter_needed">' in html
    # what was typed stays, and the good answers stay chosen
    assert 'value="Lena"' in html
    assert '<option selected value="20_24">20 to 24</option>' in html
    assert parent_count(session) == before


def test_the_edit_form_shows_and_changes_the_stored_answers(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    parent = world.alice_case.parent
    for name, code in ANSWERS.items():
        setattr(parent, name, code)
    session.commit()
    login(client, world.coordinator.email)
    url = f"/cases/{world.alice_case.id}/parent"
    html = client.get(url).get_data(as_text=True)
    assert '<option selected value="black_caribbean">Caribbean</option>' in html
    assert '<option selected value="prefer_not">Prefer not to say</option>' in html
    form = referral(world, first_name=parent.first_name, last_name=parent.last_name)
    form.pop("area"), form.pop("owner")
    changed = {**ANSWERS, "ethnic_group": "", "disability": "yes"}
    response = post_form(client, url, {**form, **changed})
    assert response.status_code == 302
    assert answers_of(session, parent.id) == {**ANSWERS, "ethnic_group": None, "disability": "yes"}
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "parent.updated")).first()
    assert event is not None and "ethnic_group" in (event.detail or "")
    assert "disability" in (event.detail or "")
    assert "yes" not in (event.detail or "").replace("disability", "")  # names, never answers

    bad = post_form(client, url, {**form, **changed, "age_band": "99"})
    assert bad.status_code == 200
    assert "Choose one of the answers in the list." in bad.get_data(as_text=True)
    assert answers_of(session, parent.id)["age_band"] == "20_24"


def test_the_case_page_shows_staff_the_answers_in_words(
    app: Flask, session: SessionLike, world: World
) -> None:
    parent = world.alice_case.parent
    parent.ethnic_group = "white_irish"
    parent.age_band = "35_plus"
    parent.disability = "prefer_not"
    session.commit()
    for user in (world.coordinator, world.admin):
        client = app.test_client()
        login(client, user.email)
        html = client.get(f"/cases/{world.alice_case.id}").get_data(as_text=True)
        section = html.split('id="equality-title"')[1].split("</section>")[0]
        pairs = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", section)
        assert pairs == [
            ("Ethnic group", "Irish"),
            ("Age at referral", "35 or over"),
            ("First-time parent", "Not recorded"),
            ("Disability or long-term health condition", "Prefer not to say"),
            ("Needs an interpreter", "Not recorded"),
        ]
        assert "white_irish" not in html and "35_plus" not in html


def test_the_self_referral_asks_the_parent_and_saves_the_answers(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    html = client.get("/refer").get_data(as_text=True)
    fieldset = html.split('<fieldset class="equality"')[1].split("</fieldset>")[0]
    assert "About you (optional)" in fieldset and WHY_WE_ASK in fieldset
    assert "What is your ethnic group?" in fieldset and "How old are you?" in fieldset
    assert "Would you like an interpreter?" in fieldset
    assert fieldset.count('<option value="prefer_not">Prefer not to say</option>') == 5

    response = post_form(client, "/refer", {**GOOD_SELF, **ANSWERS})
    assert response.status_code == 302
    parent = session.scalar(select(Parent).where(Parent.first_name == "Priya"))
    assert parent is not None
    assert answers_of(session, parent.id) == ANSWERS


def test_a_self_referral_with_a_bad_answer_comes_back_and_is_not_counted(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    before = parent_count(session)
    response = post_form(client, "/refer", {**GOOD_SELF, "age_band": "forty"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Choose one of the answers in the list." in html
    assert 'value="Priya"' in html
    assert parent_count(session) == before
    assert session.scalar(select(func.count()).select_from(RateLimitCounter)) == 0
