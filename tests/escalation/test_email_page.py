"""Admins open any email on the Emails page and read its text; nobody else can."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import AuditEvent, OutboxEmail
from tests.escalation.test_email import queue
from tests.factories import make_user, make_volunteer
from tests.helpers import login


def test_an_admin_reads_an_emails_text_from_the_emails_page(
    client: FlaskClient, session: SessionLike
) -> None:
    admin = make_user(session, "admin")
    [email] = queue(session, 1)
    email.subject = "Urgent flag for case C-00000 <script>alert(1)</script>"
    email.status, email.attempts = "failed", 6
    email.last_error = "ConnectionRefusedError: [Errno 111] Connection refused"
    session.commit()
    login(client, admin.email)
    listing = client.get("/admin/emails").get_data(as_text=True)
    assert f'href="/admin/emails/{email.id}"' in listing
    audits = session.scalar(select(func.count()).select_from(AuditEvent))
    response = client.get(f"/admin/emails/{email.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<pre class="email-body"' in page
    assert "C-00000" in page and "http://x/flags" in page  # the text part, as sent
    assert email.body_text.strip().splitlines()[0] in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "coordinator0@charity.example" in page
    assert "The mail server did not answer." in page  # the problem in words
    assert "Try again" in page
    assert email.message_id.replace("<", "&lt;").replace(">", "&gt;") in page
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == audits  # GET: no write


def test_only_admins_open_emails_and_an_unknown_one_is_not_found(
    client: FlaskClient, session: SessionLike
) -> None:
    admin = make_user(session, "admin")
    coordinator = make_user(session, "coordinator")
    volunteer = make_volunteer(session)
    [email] = queue(session, 1)
    for user in (coordinator, volunteer):
        other = client.application.test_client()
        login(other, user.email)
        assert other.get(f"/admin/emails/{email.id}").status_code == 403
    login(client, admin.email)
    biggest = session.scalar(select(func.max(OutboxEmail.id))) or 0
    assert client.get(f"/admin/emails/{biggest + 1}").status_code == 404
    assert client.get(f"/admin/emails/{email.id}").status_code == 200
