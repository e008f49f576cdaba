"""The privacy notice: public, in the footer and the self-referral form, edited by admins."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent, Setting
from app.privacy.notice import NOTICE_KEY, RETENTION_DEFAULT, retention_months
from tests.factories import NOW, make_user
from tests.helpers import login, post_form

EDIT = "/admin/settings/privacy-notice"


def test_the_notice_is_public_and_linked_from_every_page_and_the_form(
    app: Flask, client: FlaskClient
) -> None:
    response = client.get("/privacy")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Privacy notice</h1>" in html
    assert f"{RETENTION_DEFAULT} months after your support ends" in html
    assert "<h2>Your rights</h2>" in html
    for page in ("/login", "/refer", "/privacy"):
        assert 'href="/privacy">Privacy notice</a>' in client.get(page).get_data(as_text=True)
    form = client.get("/refer").get_data(as_text=True)
    assert "You can ask to see everything we hold about you, or for it to be deleted" in form
    assert 'Our <a href="/privacy">privacy notice</a>' in form


def test_the_retention_period_comes_from_the_erasure_setting(
    app: Flask, session: SessionLike, client: FlaskClient
) -> None:
    assert retention_months(session) == RETENTION_DEFAULT
    session.add(Setting(key="privacy", value={"retention_months": 36}, updated_at=NOW))
    session.commit()
    assert retention_months(session) == 36
    assert "36 months after your support ends" in client.get("/privacy").get_data(as_text=True)


def test_only_an_admin_may_edit_it(app: Flask, session: SessionLike) -> None:
    coordinator = make_user(session, "coordinator")
    volunteer = make_user(session, "volunteer")
    session.commit()
    assert app.test_client().get(EDIT).status_code == 302  # to the login page
    for user in (coordinator, volunteer):
        client = app.test_client()
        login(client, user.email)
        assert client.get(EDIT).status_code == 403
        assert client.post(EDIT, data={"text": "x"}).status_code in (400, 403)
    assert session.get(Setting, NOTICE_KEY) is None


def test_an_admin_edits_it_and_html_is_shown_as_words(app: Flask, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    session.commit()
    client = app.test_client()
    login(client, admin.email)
    settings = client.get("/admin/settings").get_data(as_text=True)
    assert f'href="{EDIT}"' in settings
    page = client.get(EDIT).get_data(as_text=True)
    assert "What we keep" in page  # the default, to start from
    text = (
        "# Who we are\n\nWe are <b>Corner</b> <script>alert(1)</script>.\n\n"
        "We keep details for [retention months] months."
    )
    response = post_form(client, EDIT, {"text": text})
    assert response.status_code == 302
    public = app.test_client().get("/privacy").get_data(as_text=True)
    assert "<h2>Who we are</h2>" in public
    assert (
        "<p>We are &lt;b&gt;Corner&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;.</p>" in public
    )
    assert "<script>alert" not in public and "<b>Corner" not in public
    assert "We keep details for 72 months." in public
    session.expire_all()
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "privacy.notice_updated")
    ).all()
    assert event.actor_id == admin.id and event.object_id == NOTICE_KEY
    # the same text again changes nothing and writes no event
    post_form(client, EDIT, {"text": text})
    session.expire_all()
    assert (
        session.scalar(
            select(AuditEvent.id).where(AuditEvent.action == "privacy.notice_updated").offset(1)
        )
        is None
    )


def test_an_empty_notice_is_refused_with_a_message(app: Flask, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    session.commit()
    client = app.test_client()
    login(client, admin.email)
    response = post_form(client, EDIT, {"text": "   "})
    assert response.status_code == 200
    assert "Enter the privacy notice." in response.get_data(as_text=True)
    too_long = post_form(client, EDIT, {"text": "x" * 20_001})
    assert "Keep the notice under 20,000 characters." in too_long.get_data(as_text=True)
    assert session.get(Setting, NOTICE_KEY) is None
