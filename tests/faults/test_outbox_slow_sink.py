"""Issue 9, item 2: a slow mail server and two senders at once never send an email twice.

Two senders (threads, each with its own database connection and SMTP connection, as two
scheduler processes would have) work through 200 queued emails on a real SMTP server that
waits before answering every DATA. The lease is one second (``OUTBOX_LEASE_SECONDS``) so
the whole run lasts many leases: with leases counted from the batch's start, claims taken
late in a batch were already expired and the other sender took over emails still in
flight (40 of 200 arrived twice in the report).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import func, select

from app.email import SendResult, claim, finish, send_pending
from app.extensions import SessionLike, db
from app.models import OutboxEmail
from app.timeutil import utcnow
from tests.factories import NOW
from tests.faults.outbox_sinks import SlowHandler, copies, queue_many, sink

EMAILS = 200
LEASE_SECONDS = 1.0


def unsent(app: Flask) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count(OutboxEmail.id)).where(OutboxEmail.status != "sent")
        )
        db.session.remove()
        return int(count or 0)


def test_two_senders_on_a_slow_server_send_each_of_200_emails_once(
    app: Flask, session: SessionLike
) -> None:
    queue_many(session, EMAILS, utcnow() - timedelta(seconds=1))
    app.config.update(OUTBOX_LEASE_SECONDS=LEASE_SECONDS, SMTP_TIMEOUT=5)
    handler = SlowHandler(delay=0.015)
    results: list[SendResult] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def sender(deadline: float) -> None:
        try:
            barrier.wait(10)
            while time.monotonic() < deadline and unsent(app):
                results.append(send_pending(app, utcnow))  # the real clock, read per claim
        except BaseException as error:  # reported by the test below
            errors.append(error)

    with sink(app, handler):
        started = time.monotonic()
        threads = [threading.Thread(target=sender, args=(started + 60,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(90)
        elapsed = time.monotonic() - started
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads)
    received = copies(handler)
    assert len(received) == EMAILS, "every email delivered"
    assert [mid for mid, n in received.items() if n > 1] == [], "no email delivered twice"
    assert sum(r.sent for r in results) == EMAILS and sum(r.lost for r in results) == 0
    # the run spanned several leases, and batches stopped before their lease ran out
    assert elapsed > 2 * LEASE_SECONDS, elapsed
    assert any(r.stopped_early for r in results)
    session.expire_all()
    assert {e.status for e in session.scalars(select(OutboxEmail))} == {"sent"}


def test_each_claim_takes_its_lease_from_the_clock_at_the_claim(
    app: Flask, session: SessionLike
) -> None:
    """A driven clock: every reading is a minute after the last. Each email's lease runs
    from its own claim, and the batch stops once half the lease (5 minutes) has passed."""
    emails = queue_many(session, 8, NOW)
    ticks = iter(range(1000))

    def clock() -> datetime:
        return NOW + timedelta(minutes=next(ticks))

    app.config.update(SMTP_PORT=1)  # nothing listens: each attempt fails fast, no send
    result = send_pending(app, clock)
    assert result.stopped_early and result.retried < len(emails)
    session.expire_all()
    tried = [e for e in session.scalars(select(OutboxEmail)) if e.attempts]
    assert len(tried) == result.retried >= 2
    # every retry is counted from the moment that attempt failed, not from the batch's start
    assert len({e.next_attempt_at for e in tried}) == len(tried)


def test_the_outcome_is_written_only_on_the_claim_held(app: Flask, session: SessionLike) -> None:
    """A sender whose claim ran out and was taken over does not mark the email sent."""
    [email] = queue_many(session, 1, NOW)
    lease = timedelta(minutes=10)
    first = claim(db.session(), email.id, NOW, lease)
    assert first is not None
    assert claim(db.session(), email.id, NOW + lease / 2, lease) is None  # still held
    second = claim(db.session(), email.id, NOW + lease, lease)
    assert second is not None and second != first
    assert not finish(db.session(), email.id, first, {"status": "sent"})
    session.expire_all()
    row = session.get(OutboxEmail, email.id)
    assert row is not None and (row.status, row.claim_token) == ("sending", second)
    assert finish(db.session(), email.id, second, {"status": "sent"})
