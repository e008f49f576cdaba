"""The outbox over a real SMTP server on loopback: sending, retries, claims, no personal data."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from app.email import PERMANENT_ATTEMPTS, RETRY_FOR, backoff, queue_email, send_pending
from app.extensions import SessionLike, db
from app.models import OutboxEmail
from tests.factories import NOW
from tests.smtp import SmtpServer


def queue(session: SessionLike, n: int, kind: str = "test") -> list[OutboxEmail]:
    emails = []
    for i in range(n):
        email = queue_email(
            session,
            NOW,
            kind=kind,
            to=[f"coordinator{i}@charity.example"],
            subject=f"Test {i}",
            template="urgent_flag",
            context={"reference": f"C-{i:05d}", "items": [], "inbox_url": "http://x/flags"},
            dedupe_key=f"k{i}",
        )
        assert email is not None
        emails.append(email)
    session.commit()
    return emails


def test_sends_text_and_html_with_deterministic_message_id(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    [email] = queue(session, 1)
    again = queue_email(
        session,
        NOW,
        kind="test",
        to=["x@y.example"],
        subject="s",
        template="urgent_flag",
        context={"reference": "C-00001", "items": [], "inbox_url": ""},
        dedupe_key="k0",
    )
    assert again is not None and again.id == email.id  # same kind + key: queued once
    session.commit()
    result = send_pending(app, NOW)
    assert (result.sent, result.retried, result.failed) == (1, 0, 0)
    [received] = smtp_server.messages
    message = received.message
    assert message["Message-ID"] == email.message_id
    assert email.message_id.startswith("<test.") and email.message_id.endswith("@corner.test>")
    assert received.recipients == ["coordinator0@charity.example"]
    types = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= types
    session.expire_all()
    assert session.get(OutboxEmail, email.id).status == "sent"  # type: ignore[union-attr]
    assert send_pending(app, NOW + timedelta(minutes=5)).sent == 0  # nothing sent twice


def test_a_4xx_is_retried_with_capped_backoff_for_a_day_then_fails(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    [email] = queue(session, 1)
    smtp_server.handler.fail_at = set(range(1, 200))
    now = NOW
    attempt = 0
    while True:
        attempt += 1
        result = send_pending(app, now)
        session.expire_all()
        row = session.get(OutboxEmail, email.id)
        assert row is not None and row.attempts == attempt
        assert row.last_error and "451" in row.last_error
        if row.status == "failed":
            break
        assert result.retried == 1 and row.status == "queued"
        assert row.next_attempt_at == min(now + backoff(attempt), NOW + RETRY_FOR)
        # not due before the back-off has passed
        assert send_pending(app, row.next_attempt_at - timedelta(seconds=1)).sent == 0
        now = row.next_attempt_at
    assert result.failed == 1 and now == NOW + RETRY_FOR  # the last try is a day after queueing
    assert 45 < attempt < 60  # 1, 2, 4, 8, 16, then every 30 minutes
    assert backoff(1) == timedelta(minutes=1) and backoff(3) == timedelta(minutes=4)
    assert backoff(6) == backoff(60) == timedelta(minutes=30)
    assert smtp_server.messages == []


def test_a_5xx_refusal_fails_after_three_attempts(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    [email] = queue(session, 1)
    smtp_server.handler.fail_at = set(range(1, 10))
    smtp_server.handler.fail_code = "554 5.7.1 Rejected"
    now = NOW
    for _ in range(PERMANENT_ATTEMPTS):
        send_pending(app, now)
        now += timedelta(hours=1)
    session.expire_all()
    row = session.get(OutboxEmail, email.id)
    assert row is not None and (row.status, row.attempts) == ("failed", PERMANENT_ATTEMPTS)


def test_an_unreachable_server_is_a_retry_not_a_crash(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    queue(session, 2)
    app.config["SMTP_PORT"] = 1  # nothing listens there
    result = send_pending(app, NOW)
    assert result.retried == 2
    app.config["SMTP_PORT"] = smtp_server.port
    assert send_pending(app, NOW + timedelta(minutes=1)).sent == 2


def test_failure_at_message_k_and_a_rerun_send_the_rest_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    emails = queue(session, 6)
    smtp_server.handler.fail_at = {3}
    first = send_pending(app, NOW)
    assert (first.sent, first.retried) == (5, 1)
    second = send_pending(app, NOW + timedelta(minutes=2))
    assert second.sent == 1
    ids = sorted(m.message["Message-ID"] for m in smtp_server.messages)
    assert ids == sorted(e.message_id for e in emails)  # each exactly once


def test_two_senders_at_once_send_each_email_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    emails = queue(session, 30)
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        barrier.wait()
        results.append(send_pending(app, NOW))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(r.sent for r in results) == 30
    ids = [m.message["Message-ID"] for m in smtp_server.messages]
    assert sorted(ids) == sorted(e.message_id for e in emails)
    assert len(set(ids)) == 30


def test_outbox_rows_count(session: SessionLike) -> None:
    queue(session, 3)
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 3
