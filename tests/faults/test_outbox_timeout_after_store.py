"""Issue 9, item 3: a server that stores the message, then answers after the client's timeout.

The sender cannot know whether such an email was delivered. It sends it again at most once,
after ``UNKNOWN_OUTCOME_WAIT``, and the admin's Emails page says "May have been delivered".
In the report each email arrived 6 times (every retry was another delivery).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.email import UNKNOWN_OUTCOME_WAIT, claim, send_pending
from app.extensions import SessionLike, db
from app.models import OutboxEmail
from tests.factories import NOW, make_user
from tests.faults.outbox_sinks import StoreThenStallHandler, copies, queue_many, sink
from tests.helpers import login

TIMEOUT = 0.4


def test_each_email_arrives_at_most_twice_and_the_page_says_it_may_have_been_delivered(
    app: Flask, session: SessionLike, client: FlaskClient
) -> None:
    admin = make_user(session, "admin")
    emails = queue_many(session, 3, NOW)
    app.config.update(SMTP_TIMEOUT=TIMEOUT)
    handler = StoreThenStallHandler(stall=TIMEOUT + 0.6)
    with sink(app, handler):
        first = send_pending(app, NOW)
        assert first.unconfirmed == 3 and first.retried == first.sent == 0
        assert copies(handler) == {e.message_id: 1 for e in emails}  # the server has them
        # not again before the longer wait …
        for minutes in (1, 2, 5, 10):
            assert send_pending(app, NOW + timedelta(minutes=minutes)).unconfirmed == 0
        session.expire_all()
        rows = list(session.scalars(select(OutboxEmail)))
        assert {(r.status, r.unknown_outcomes) for r in rows} == {("queued", 1)}
        assert {r.next_attempt_at for r in rows} == {NOW + UNKNOWN_OUTCOME_WAIT}
        login(client, admin.email)
        page = client.get("/admin/emails").get_data(as_text=True)
        assert page.count("<strong>May have been delivered</strong>") == 3
        # … once after it, then never again, however long the sender keeps running
        second = send_pending(app, NOW + UNKNOWN_OUTCOME_WAIT)
        assert second.unconfirmed == 3
        for hours in (1, 2, 6, 23):
            send_pending(app, NOW + timedelta(hours=hours))
    assert copies(handler) == {e.message_id: 2 for e in emails}  # at most twice
    session.expire_all()
    rows = list(session.scalars(select(OutboxEmail)))
    assert {(r.status, r.unknown_outcomes, r.attempts) for r in rows} == {("failed", 2, 2)}
    page = client.get("/admin/emails").get_data(as_text=True)
    assert page.count("May have been delivered</strong> (the mail server never confirmed") == 3
    assert "3</span> may have been delivered" in page
    listed = client.get("/admin/emails?show=maybe").get_data(as_text=True)
    assert all(e.subject in listed for e in emails)


def test_a_confirmed_second_try_is_sent_and_marked_as_maybe_twice(
    app: Flask, session: SessionLike, client: FlaskClient
) -> None:
    admin = make_user(session, "admin")
    [email] = queue_many(session, 1, NOW)
    app.config.update(SMTP_TIMEOUT=TIMEOUT)
    handler = StoreThenStallHandler(stall=TIMEOUT + 0.6)
    with sink(app, handler):
        assert send_pending(app, NOW).unconfirmed == 1
        handler.stalling = False  # the server is healthy again
        assert send_pending(app, NOW + UNKNOWN_OUTCOME_WAIT).sent == 1
    assert copies(handler) == {email.message_id: 2}
    login(client, admin.email)
    page = client.get("/admin/emails").get_data(as_text=True)
    assert "(may have been delivered twice)" in page


def test_a_sender_that_dies_mid_send_twice_is_not_replaced_a_third_time(
    app: Flask, session: SessionLike
) -> None:
    """Taking over an expired claim counts as an unknown outcome: once, not twice."""
    [email] = queue_many(session, 1, NOW)
    lease = timedelta(minutes=10)
    assert claim(db.session(), email.id, NOW, lease)
    # the sender died; the lease runs out and the next sender takes it over (once)
    assert claim(db.session(), email.id, NOW + lease, lease)
    assert not claim(db.session(), email.id, NOW + 2 * lease, lease)
    app.config.update(SMTP_PORT=1)
    result = send_pending(app, NOW + 2 * lease)
    assert result.failed == 1 and result.sent == 0
    session.expire_all()
    row = session.get(OutboxEmail, email.id)
    assert row is not None and row.status == "failed" and row.unknown_outcomes == 2
    assert row.last_error and "may have been delivered" in row.last_error
