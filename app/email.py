"""The outbox: render → queue in the caller's transaction → send after commit.

``queue_email`` adds an ``OutboxEmail`` row in the same transaction as whatever caused it,
so an email exists exactly when its cause was committed. ``send_pending`` (the
``emails send`` command and the scheduler, every minute) sends what is queued over SMTP.

Sending is safe with two senders at once, with a slow server and after a crash:

* a row is *claimed* with a conditional UPDATE (``queued → sending`` only if still queued,
  or ``sending`` whose lease ran out) that gives it a fresh claim token and a lease from
  the clock *at the claim* (``SENDING_LEASE``), committed before the SMTP conversation; a
  second sender's UPDATE matches no row, so it never sends the same email;
* an attempt's outcome (sent, retry, failed) is written only while the claim holds (same
  token, still ``sending``); a batch stops claiming once half the lease has passed, so its
  claims never run out while it is still going;
* a sender killed mid-conversation leaves its one row in ``sending``; once the lease runs
  out the next run sends it again: at most that one email can arrive twice;
* a failure before the server had the message (refused connection, 4xx) is retried with
  back-off (1, 2, 4 … minutes, at most ``MAX_RETRY`` apart) until ``RETRY_FOR`` after
  queueing, then the email is ``failed``; a 5xx refusal fails after ``PERMANENT_ATTEMPTS``;
* an *unknown outcome* (the message was handed over, then a timeout or a lost connection,
  or a sender died mid-send) is sent again at most once, after ``UNKNOWN_OUTCOME_WAIT``;
  ``unknown_outcomes`` counts them and the Emails page says "may have been delivered".

Message-IDs are deterministic (kind + dedupe key or row id + a domain), so a receiving
server or mail client can discard the rare duplicate.

Emails never carry names, health details or notes: templates get case references, rule
names in neutral words, severities and links only.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template
from sqlalchemy import case as sql_case
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.delivery import DeliveryNote
from app.extensions import SessionLike, db
from app.models import EmailStatus, OutboxEmail
from app.smtp import (
    OutcomeUnknown,
    SmtpSender,
    build_message,
    is_delivery_problem,
    is_permanent,
)
from app.sqlcompat import insert_ignoring
from app.urls import absolute_url

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(minutes=30)
RETRY_FOR = timedelta(hours=24)  # from queueing (or an admin's "try again")
PERMANENT_ATTEMPTS = 3  # 5xx refusals
SENDING_LEASE = timedelta(minutes=10)  # OUTBOX_LEASE_SECONDS overrides it (tests)
UNKNOWN_OUTCOME_WAIT = timedelta(minutes=15)
MAX_UNKNOWN_OUTCOMES = 1  # an email whose outcome was unknown is sent again at most once


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16, 30, 30 … minutes after the n-th failed attempt."""
    delay = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 20))
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
    case_id: int | None = None,
) -> OutboxEmail | None:
    """Render ``emails/<template>.txt`` and ``.html`` and add the email to the outbox.

    With a ``dedupe_key`` an email of this kind and key is queued at most once (a second
    call returns the existing row). ``case_id``: the case an urgent email is about (see
    ``app.delivery.undelivered_urgent``). Returns None when there is no recipient. Flushes only.
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
        "give_up_at": now + RETRY_FOR,
        "unknown_outcomes": 0,
        "case_id": case_id,
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


@dataclass(frozen=True)
class Outgoing:
    """One email of a batch (``queue_emails``): its recipient, subject, context and key."""

    to: str
    subject: str
    context: Mapping[str, Any]
    dedupe_key: str


def queue_emails(
    session: SessionLike, now: datetime, *, kind: str, template: str, emails: list[Outgoing]
) -> int:
    """Queue many emails of one kind in ONE statement (``INSERT … ON CONFLICT DO NOTHING``
    on the Message-ID its dedupe key gives), so each kind + key is queued at most once,
    even by two processes at once. Returns how many were new. Flushes only.
    """
    base_url = str(current_app.config["BASE_URL"]).rstrip("/")
    rows = []
    for email in emails:
        address = email.to.strip().lower()
        if not address:
            continue
        values = {"base_url": base_url, **email.context}
        rows.append(
            {
                "kind": kind,
                "message_id": message_id_for(kind, email.dedupe_key),
                "to_addrs": [address],
                "subject": email.subject[:255],
                "body_text": render_template(f"emails/{template}.txt", **values),
                "body_html": render_template(f"emails/{template}.html", **values),
                "status": EmailStatus.QUEUED.value,
                "attempts": 0,
                "created_at": now,
                "next_attempt_at": now,
                "give_up_at": now + RETRY_FOR,
                "unknown_outcomes": 0,
            }
        )
    if not rows:
        return 0
    table: Any = OutboxEmail.__table__
    statement = insert_ignoring(session, table, ["message_id"]).returning(table.c.id)
    return len(session.execute(statement, rows).all())


# --------------------------------------------------------------------------- sending

#: what tells the time while a batch runs (``utcnow`` in production; tests drive their own)
Clock = Callable[[], datetime]


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unconfirmed: int = 0  # outcome unknown: may have been delivered
    lost: int = 0  # the claim ran out and another sender took the email over
    stopped_early: bool = False  # the batch's time ran out; the next run sends the rest

    def __str__(self) -> str:
        text = f"Sent {self.sent}, will retry {self.retried}, failed {self.failed}."
        if self.unconfirmed:
            text += f" Not confirmed (may have been delivered) {self.unconfirmed}."
        if self.lost:
            text += f" Taken over by another sender {self.lost}."
        if self.stopped_early:
            text += " Stopped before the lease ran out; the next run sends the rest."
        return text


def lease_for(config: Mapping[str, Any]) -> timedelta:
    seconds = config.get("OUTBOX_LEASE_SECONDS")
    return SENDING_LEASE if seconds is None else timedelta(seconds=float(seconds))


def claim(session: Session, email_id: int, now: datetime, lease: timedelta) -> str | None:
    """Take one email for sending (committed) until ``now + lease``: the claim's token, or
    None when another sender has it.

    ``now`` is the clock at the moment of the claim, never the batch's start. Taking over
    an email whose lease ran out (its sender died mid-send) counts as an unknown outcome.
    """
    token = uuid.uuid4().hex
    sending = OutboxEmail.status == EmailStatus.SENDING.value
    outcome: Any = session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.next_attempt_at <= now)
        .where(
            or_(
                OutboxEmail.status == EmailStatus.QUEUED.value,
                sending & (OutboxEmail.unknown_outcomes < MAX_UNKNOWN_OUTCOMES),
            )
        )
        .values(
            status=EmailStatus.SENDING.value,
            attempts=OutboxEmail.attempts + 1,
            next_attempt_at=now + lease,
            claim_token=token,
            unknown_outcomes=sql_case(
                (sending, OutboxEmail.unknown_outcomes + 1), else_=OutboxEmail.unknown_outcomes
            ),
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return token if outcome.rowcount == 1 else None


def finish(session: Session, email_id: int, token: str, values: Mapping[str, Any]) -> bool:
    """Record an attempt's outcome only if the claim ``token`` still holds (committed)."""
    outcome: Any = session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == email_id,
            OutboxEmail.status == EmailStatus.SENDING.value,
            OutboxEmail.claim_token == token,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(outcome.rowcount == 1)


def give_up_unconfirmed(session: Session, now: datetime) -> int:
    """An email taken over once already whose sender died again: not sent a third time."""
    outcome: Any = session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.status == EmailStatus.SENDING.value,
            OutboxEmail.next_attempt_at <= now,
            OutboxEmail.unknown_outcomes >= MAX_UNKNOWN_OUTCOMES,
        )
        .values(
            status=EmailStatus.FAILED.value,
            unknown_outcomes=OutboxEmail.unknown_outcomes + 1,
            claim_token=None,
            last_error="The sender stopped mid-send twice: the email may have been delivered",
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return int(outcome.rowcount or 0)


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


def send_pending(app: Flask, now: datetime | Clock, *, limit: int = 200) -> SendResult:
    """Send what is due in the outbox. Commits each claim and each outcome itself.

    ``now`` is a clock (a callable, ``utcnow`` in production) read at every claim and
    outcome, or one fixed instant (tests). The batch stops claiming once half the lease has
    passed since it started, so no claim of it can run out while the batch goes on.
    """
    clock: Clock = now if callable(now) else (lambda: now)
    result = SendResult()
    with app.app_context():
        config = dict(app.config)
        lease = lease_for(config)
        budget = lease / 2
        sender = SmtpSender(config)
        note = DeliveryNote()
        started = clock()
        try:
            with Session(db.engine, expire_on_commit=False) as session:
                result.failed += give_up_unconfirmed(session, started)
                for email_id in due_ids(session, started, limit):
                    at = clock()
                    if at - started >= budget:
                        result.stopped_early = True
                        break
                    token = claim(session, email_id, at, lease)
                    if token is None:
                        continue
                    email = session.get(OutboxEmail, email_id, populate_existing=True)
                    session.commit()  # no transaction stays open during the SMTP conversation
                    if email is not None:
                        _deliver(session, sender, email, token, config, clock, result, note)
        finally:
            sender.close()
    return result


def _deliver(
    session: Session,
    sender: SmtpSender,
    email: OutboxEmail,
    token: str,
    config: Mapping[str, Any],
    clock: Clock,
    result: SendResult,
    note: DeliveryNote,
) -> None:
    try:
        sender.send(build_message(email, str(config["MAIL_FROM"])))
    except (OutcomeUnknown, TimeoutError, smtplib.SMTPException, OSError) as error:
        values, counter = after_failure(email, clock(), error)
        if is_delivery_problem(error):  # the server, not this email: say so at once
            note.failed(session, clock(), error)
        if finish(session, email.id, token, values):
            setattr(result, counter, getattr(result, counter) + 1)
            log.info("Email %s: %s (%s)", email.id, values["status"], type(error).__name__)
        else:
            result.lost += 1
        return
    note.delivered(session, clock())
    sent = {**SENT_VALUES, "sent_at": clock(), **after_sending(email)}
    if finish(session, email.id, token, sent):
        result.sent += 1
    else:
        result.lost += 1
        log.warning("Email %s was sent after its claim ran out", email.id)


SENT_VALUES = {"status": EmailStatus.SENT.value, "last_error": None, "claim_token": None}

#: kinds whose link carries a one-time token (``secrets.token_urlsafe(32)``: 43 characters):
#: the stored copy keeps it only until the email is sent, so the database never holds a
#: usable link to an account for longer than it has to
ONE_TIME_LINK_KINDS = frozenset({"invitation", "password_reset"})
_ONE_TIME_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
LINK_REMOVED = "(link-removed-once-sent)"


def after_sending(email: OutboxEmail) -> dict[str, str]:
    """What a sent email's stored copy loses: the token of a one-time link."""
    if email.kind not in ONE_TIME_LINK_KINDS:
        return {}
    return {
        "body_text": _ONE_TIME_TOKEN.sub(LINK_REMOVED, email.body_text),
        "body_html": _ONE_TIME_TOKEN.sub(LINK_REMOVED, email.body_html),
    }


def after_failure(
    email: OutboxEmail, now: datetime, error: BaseException
) -> tuple[dict[str, Any], str]:
    """What a failed attempt changes, and which ``SendResult`` counter it adds to."""
    problem = f"{type(error).__name__}: {error}"[:500]
    retry = {"status": EmailStatus.QUEUED.value, "last_error": problem, "claim_token": None}
    give_up = {"status": EmailStatus.FAILED.value, "last_error": problem, "claim_token": None}
    if isinstance(error, OutcomeUnknown):
        unknown = email.unknown_outcomes + 1
        if unknown > MAX_UNKNOWN_OUTCOMES:
            return {**give_up, "unknown_outcomes": unknown}, "unconfirmed"
        later = now + UNKNOWN_OUTCOME_WAIT
        return {**retry, "unknown_outcomes": unknown, "next_attempt_at": later}, "unconfirmed"
    deadline = email.give_up_at or email.created_at + RETRY_FOR
    if now >= deadline or (is_permanent(error) and email.attempts >= PERMANENT_ATTEMPTS):
        return give_up, "failed"
    return {**retry, "next_attempt_at": min(now + backoff(email.attempts), deadline)}, "retried"


def retry_email(session: SessionLike, now: datetime, email: OutboxEmail) -> bool:
    """An admin's "try again": back to the queue with a fresh day of attempts.

    A conditional update: an email being sent (or already sent) is never requeued; returns
    False then and changes nothing. Flushes only.
    """
    outcome: Any = session.execute(
        update(OutboxEmail)
        .where(
            OutboxEmail.id == email.id,
            OutboxEmail.status.in_([EmailStatus.FAILED.value, EmailStatus.QUEUED.value]),
        )
        .values(
            status=EmailStatus.QUEUED.value,
            attempts=0,
            next_attempt_at=now,
            give_up_at=now + RETRY_FOR,
            claim_token=None,
        )
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return bool(outcome.rowcount == 1)
