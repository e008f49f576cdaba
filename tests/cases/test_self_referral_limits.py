"""The self-referral form never locks a parent out for a typo: only accepted referrals count,
per address and per email address (admin settings); over the limit the parent keeps what they
typed and is told how else to reach the charity."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import Parent, Setting
from app.settings import save_settings
from tests.cases.conftest import World
from tests.factories import NOW
from tests.helpers import login, post_form

FORM = {
    "first_name": "Priya",
    "last_name": "Shah",
    "phone": "07700 900123",
    "email": "priya@example.org",
    "postcode": "BS5 6AA",
    "due_date": "2027-03-01",
    "consent": "y",
    "website": "",
}


def _settings(session: SessionLike, **values: Any) -> None:
    save_settings(session, NOW, "referrals", values, None)
    session.commit()


def _parents(session: SessionLike) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Parent)) or 0


def test_forms_sent_back_with_a_mistake_do_not_count(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    _settings(session, per_address=2, per_email=2)
    for _ in range(6):  # a parent fighting with the form: no consent ticked, a bad date
        typo = post_form(client, "/refer", {**FORM, "consent": "", "due_date": "2027-02-30"})
        assert typo.status_code == 200 and "There is a problem" in typo.get_data(as_text=True)
    assert post_form(client, "/refer", FORM).status_code == 302  # still welcome
    assert post_form(client, "/refer", FORM).status_code == 302
    assert post_form(client, "/refer", FORM).status_code == 429  # the third accepted one


def test_over_the_limit_the_parent_keeps_her_answers_and_sees_how_to_call(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    _settings(session, per_email=1, phone="0117 496 0000", email="hello@corner.example")
    assert post_form(client, "/refer", FORM).status_code == 302
    before = _parents(session)
    response = post_form(client, "/refer", {**FORM, "first_name": "Priyanka"})
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert _parents(session) == before  # nothing stored
    assert "We could not send your form just now" in html
    assert 'value="Priyanka"' in html and 'value="priya@example.org"' in html
    assert 'value="07700 900123"' in html and 'value="2027-03-01"' in html
    assert '<a href="tel:01174960000">0117 496 0000</a>' in html
    assert '<a href="mailto:hello@corner.example">hello@corner.example</a>' in html
    assert '<form method="post"' in html  # the form is there to send again later


def test_with_no_contact_details_set_the_line_is_hidden(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    _settings(session, per_email=1)
    post_form(client, "/refer", FORM)
    html = post_form(client, "/refer", FORM).get_data(as_text=True)
    assert "We could not send your form just now" in html
    assert "Or contact us" not in html and "tel:" not in html


def test_limits_per_email_and_per_address_and_a_refusal_counts_nowhere(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    _settings(session, per_address=3, per_email=1)

    def send(email: str) -> int:
        return int(post_form(client, "/refer", {**FORM, "email": email}).status_code)

    assert send("a@example.org") == 302
    assert send("A@Example.org ") == 429  # the same address, however it is typed
    # the refused one used none of the address's three
    assert [send("b@example.org"), send("c@example.org")] == [302, 302]
    assert send("d@example.org") == 429  # the address's limit
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert post_form(other, "/refer", {**FORM, "email": "e@example.org"}).status_code == 302


def test_the_defaults_suit_a_shared_clinic_network(
    app: Flask, session: SessionLike, world: World
) -> None:
    """No settings saved: 30 an hour from one address, 5 from one email address."""
    client = app.test_client()
    statuses = [
        post_form(client, "/refer", {**FORM, "email": f"p{i}@example.org"}).status_code
        for i in range(31)
    ]
    assert statuses == [302] * 30 + [429]
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    same = [post_form(other, "/refer", FORM).status_code for _ in range(6)]
    assert same == [302] * 5 + [429]


def test_admin_edits_the_settings(client: FlaskClient, session: SessionLike, world: World) -> None:
    login(client, world.admin.email)
    assert "Self-referral form" in client.get("/admin/settings").get_data(as_text=True)
    page = client.get("/admin/settings/referrals").get_data(as_text=True)
    assert 'value="5"' in page and 'value="30"' in page
    bad = post_form(client, "/admin/settings/referrals", {"per_email": "0", "per_address": "x"})
    assert bad.status_code == 200 and "There is a problem" in bad.get_data(as_text=True)
    ok = post_form(
        client,
        "/admin/settings/referrals",
        {"per_email": "8", "per_address": "50", "phone": "0117 496 0000", "email": ""},
    )
    assert ok.status_code == 302
    stored = session.get(Setting, "referrals")
    assert stored is not None
    assert stored.value == {
        "per_email": 8,
        "per_address": 50,
        "phone": "0117 496 0000",
        "email": "",
    }


def test_only_admins_edit_the_settings(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    assert client.get("/admin/settings/referrals").status_code == 403
