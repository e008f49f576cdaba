"""The outbox: render → queue in the caller's transaction → send after commit.

``queue_email`` adds an ``OutboxEmail`` row in the same transaction as whatever caused it,
so an email exists exactly when its cause was committed. ``send_pending`` (the
``emails send`` command and the scheduler, every minute) sends what is queued over SMTP.

Sending is safe with two senders at once and after a crash:

* a row is *claimed* with a conditional UPDATE (``queued → sending`` only if still queued,
  or ``sending`` whose lease ran out) and that claim is committed before the SMTP
  conversation; a second sender's UPDATE matches no row, so it never sends the same email;
* a sender killed mid-conversation leaves its one row in ``sending``; once the lease
  (``SENDING_LEASE``) runs out the next run sends it again: at most that one email in
  flight can arrive twice, never the others;
* a failure puts the row back to ``queued`` with exponential back-off; after
  ``MAX_ATTEMPTS`` it is ``failed`` and shows on the admin outbox page (with "try again").

Message-IDs are deterministic (kind + dedupe key or row id + a domain), so a receiving
server or mail client can discard the rare duplicate of an in-flight email.

Emails never carry names, health details or notes: templates get case references, rule
names in neutral words, severities and links only.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.extensions import SessionLike, db
from app.models import EmailStatus, OutboxEmail
from app.sqlcompat import insert_ignoring
from app.urls import absolute_url

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=2)
SENDING_LEASE = timedelta(minutes=10)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 … minutes after the n-th failed attempt, capped at two hours."""
    delay = FIRST_RETRY * (2 ** max(attempts - 1, 0))
    return min(delay, MAX_RETRY)


def link(endpoint: str, **values: Any) -> str:
    """An absolute link for emails (``app.urls.absolute_url``)."""
    return absolute_url(endpoint, **values)


def message_domain() -> str:
    configured = current_app.config.get("MESSAGE_ID_DOMAIN")
    if configured:
        return str(configured)
    host = urlsplit(str(current_app.config["BASE_URL"])).hostname
    return host or "corner.localhost"


def message_id_for(kind: str, key: str) -> str:
    digest = hashlib.sha256(f"{kind}:{key}".encode()).hexdigest()[:32]
    return f"<{kind}.{digest}@{message_domain()}>"


def queue_email(
    session: SessionLike,
    now: datetime,
    *,
    kind: str,
    to: list[str],
    subject: str,
    template: str,
    context: Mapping[str, Any],
    dedupe_key: str | None = None,
) -> OutboxEmail | None:
    """Render ``emails/<template>.txt`` and ``.html`` and add the email to the outbox.

    With a ``dedupe_key`` an email of this kind and key is queued at most once (a second
    call returns the existing row). Returns None when there is no recipient. Flushes only.
    """
    recipients = sorted({address.strip().lower() for address in to if address and address.strip()})
    if not recipients:
        return None
    values = {"base_url": str(current_app.config["BASE_URL"]).rstrip("/"), **context}
    body_text = render_template(f"emails/{template}.txt", **values)
    body_html = render_template(f"emails/{template}.html", **values)
    row = {
        "kind": kind,
        "to_addrs": recipients,
        "subject": subject[:255],
        "body_text": body_text,
        "body_html": body_html,
        "status": EmailStatus.QUEUED.value,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": now,
    }
    if dedupe_key is not None:
        message_id = message_id_for(kind, dedupe_key)
        statement = insert_ignoring(session, OutboxEmail.__table__, ["message_id"]).returning(
            OutboxEmail.__table__.c.id
        )
        new_id = session.execute(statement, [{**row, "message_id": message_id}]).scalar()
        if new_id is None:
            return session.scalar(select(OutboxEmail).where(OutboxEmail.message_id == message_id))
        return session.get(OutboxEmail, new_id)
    email = OutboxEmail(message_id=f"<pending.{uuid.uuid4().hex}@{message_domain()}>", **row)
    session.add(email)
    session.flush()
    email.message_id = message_id_for(kind, f"id-{email.id}")
    session.flush()
    return email


# --------------------------------------------------------------------------- sending


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"Sent {self.sent}, will retry {self.retried}, failed {self.failed}."


def build_message(email: OutboxEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(email.to_addrs)
    message["Subject"] = email.subject
    message["Message-ID"] = email.message_id
    message["Date"] = format_datetime(email.created_at)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.body_text)
    message.add_alternative(email.body_html, subtype="html")
    return message


class SmtpSender:
    """One SMTP connection for a batch, opened lazily and reopened after a failure."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        connection = smtplib.SMTP(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"])
        )
        if config.get("SMTP_STARTTLS"):
            connection.starttls()
        if config.get("SMTP_USERNAME"):
            connection.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
        return connection

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise
        except smtplib.SMTPException:
            self._reset()
            raise

    def _reset(self) -> None:
        try:
            if self.connection is not None:
                self.connection.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None


def claim(session: Session, email_id: int, now: datetime) -> bool:
    """Take one email for sending (committed); False when another sender has it."""
    outcome: Any = session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id)
        .where(
            or_(
                (OutboxEmail.status == EmailStatus.QUEUED.value)
                & (OutboxEmail.next_attempt_at <= now),
                (OutboxEmail.status == EmailStatus.SENDING.value)
                & (OutboxEmail.next_attempt_at <= now),
            )
        )
        .values(
            status=EmailStatus.SENDING.value,
            attempts=OutboxEmail.attempts + 1,
            next_attempt_at=now + SENDING_LEASE,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(outcome.rowcount == 1)


def due_ids(session: Session, now: datetime, limit: int) -> list[int]:
    statement = (
        select(OutboxEmail.id)
        .where(
            OutboxEmail.status.in_([EmailStatus.QUEUED.value, EmailStatus.SENDING.value]),
            OutboxEmail.next_attempt_at <= now,
        )
        .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
        .limit(limit)
    )
    ids = list(session.scalars(statement))
    session.commit()
    return ids


def send_pending(app: Flask, now: datetime, *, limit: int = 200) -> SendResult:
    """Send what is due in the outbox. Commits each claim and each outcome itself."""
    result = SendResult()
    with app.app_context():
        config = dict(app.config)
        sender = SmtpSender(config)
        try:
            with Session(db.engine, expire_on_commit=False) as session:
                for email_id in due_ids(session, now, limit):
                    if not claim(session, email_id, now):
                        continue
                    email = session.get(OutboxEmail, email_id, populate_existing=True)
                    if email is None:
                        continue
                    _deliver(session, sender, email, config, now, result)
        finally:
            sender.close()
    return result


def _deliver(
    session: Session,
    sender: SmtpSender,
    email: OutboxEmail,
    config: Mapping[str, Any],
    now: datetime,
    result: SendResult,
) -> None:
    try:
        sender.send(build_message(email, str(config["MAIL_FROM"])))
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        problem = f"{type(error).__name__}: {error}"[:500]
        if email.attempts >= MAX_ATTEMPTS:
            email.status = EmailStatus.FAILED.value
            result.failed += 1
            log.warning("Email %s failed for good after %s attempts", email.id, email.attempts)
        else:
            email.status = EmailStatus.QUEUED.value
            email.next_attempt_at = now + backoff(email.attempts)
            result.retried += 1
            log.info("Email %s will be retried: %s", email.id, type(error).__name__)
        email.last_error = problem
        session.commit()
        return
    email.status = EmailStatus.SENT.value
    email.sent_at = now
    email.last_error = None
    session.commit()
    result.sent += 1


def retry_email(session: SessionLike, now: datetime, email: OutboxEmail) -> None:
    """An admin's "try again": back to the queue with a fresh set of attempts."""
    email.status = EmailStatus.QUEUED.value
    email.attempts = 0
    email.next_attempt_at = now
    session.flush()
