"""Issue 9, item 4: a long mail outage ends in delivery, not in "failed" for ever.

The clock is driven: the sender runs every 10 minutes while nothing listens on the mail
port, then the server comes back on that port. Every email is delivered with no admin.
In the report every email was failed after ~31 minutes and stayed failed.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.email import RETRY_FOR, send_pending
from app.extensions import SessionLike
from app.models import OutboxEmail
from tests.factories import NOW, make_user
from tests.faults.outbox_sinks import GateHandler, copies, queue_many, sink
from tests.helpers import csrf_token, login
from tests.smtp import RecordingHandler, free_port

TEN_MINUTES = timedelta(minutes=10)


def statuses(session: SessionLike) -> set[str]:
    session.expire_all()
    return {e.status for e in session.scalars(select(OutboxEmail))}


def test_mail_down_for_an_hour_then_up_delivers_every_email_without_an_admin(
    app: Flask, session: SessionLike
) -> None:
    emails = queue_many(session, 10, NOW)
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)  # nothing listens yet
    now = NOW
    while now <= NOW + timedelta(hours=1):
        result = send_pending(app, now)
        assert result.sent == result.failed == 0
        now += TEN_MINUTES
    assert statuses(session) == {"queued"}
    handler = RecordingHandler()
    with sink(app, handler, port):  # the mail server is back
        while statuses(session) != {"sent"} and now <= NOW + timedelta(hours=2):
            send_pending(app, now)
            now += TEN_MINUTES
    # the longest wait between tries is 30 minutes, so at most 40 minutes after the return
    assert now <= NOW + timedelta(hours=1, minutes=50)
    assert copies(handler) == {e.message_id: 1 for e in emails}


def test_an_email_is_failed_only_a_day_after_queueing(app: Flask, session: SessionLike) -> None:
    queue_many(session, 2, NOW)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # down all day
    now = NOW
    while now < NOW + RETRY_FOR:
        send_pending(app, now)
        now += timedelta(minutes=30)
    assert statuses(session) == {"queued"}  # 23 h 30 min later, still being tried
    assert send_pending(app, NOW + RETRY_FOR).failed == 2
    assert statuses(session) == {"failed"}


def test_try_again_on_an_email_being_sent_changes_nothing(
    app: Flask, session: SessionLike, client: FlaskClient
) -> None:
    admin = make_user(session, "admin")
    [email] = queue_many(session, 1, NOW)
    login(client, admin.email)
    token = csrf_token(client.get("/admin/emails").get_data(as_text=True))
    handler = GateHandler()
    with sink(app, handler):
        sender = threading.Thread(target=send_pending, args=(app, NOW))
        sender.start()
        try:
            assert handler.reached.wait(10), "the email never reached the server"
            session.expire_all()
            before = session.get(OutboxEmail, email.id)
            assert before is not None and before.status == "sending"
            seen = (before.status, before.attempts, before.claim_token, before.next_attempt_at)
            response = client.post(f"/admin/emails/{email.id}/retry", data={"csrf_token": token})
            assert response.status_code == 302
            session.expire_all()
            after = session.get(OutboxEmail, email.id)
            assert after is not None
            assert (after.status, after.attempts, after.claim_token, after.next_attempt_at) == seen
            page = client.get("/admin/emails").get_data(as_text=True)
            assert "being sent or was already sent, so nothing changed" in page
        finally:
            handler.release.set()
            sender.join(30)
    assert statuses(session) == {"sent"}
    assert copies(handler) == {email.message_id: 1}
