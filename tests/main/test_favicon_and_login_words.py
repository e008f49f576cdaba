"""A site icon for every page, served without login; the login page promises no email."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_the_icon_is_linked_and_served_without_login(client: FlaskClient) -> None:
    login_page = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in login_page
    icon = client.get("/static/favicon.svg")
    try:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert b"<svg" in icon.data
    finally:
        icon.close()  # a static file response holds the file open until closed
    old_style = client.get("/favicon.ico")
    try:
        assert old_style.status_code == 200 and old_style.mimetype == "image/svg+xml"
    finally:
        old_style.close()


def test_login_page_says_invitations_are_emailed_and_links_to_forgotten_password(
    client: FlaskClient,
) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "we email you a link to set your password" in html
    assert 'href="/password/forgot">Forgotten your password?</a>' in html
