"""Talking to the mail server: one SMTP connection per batch, and what a failure means.

``OutcomeUnknown`` is the one failure after which the server may hold the message: the
whole message was handed over (smtplib sent its final CRLF.CRLF) and then no answer came
(a timeout or a lost connection). Every other failure happened before the server had the
message, or the server answered it with a refusal, so the email was not delivered.
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from app.models import OutboxEmail


class OutcomeUnknown(Exception):
    """The whole message was handed to the server, then no answer came (timeout, lost
    connection): the server may have stored it."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(f"{type(error).__name__}: {error}")


class _TrackingSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that notes when a message's content (ending CRLF.CRLF) has been sent."""

    handed_over = False

    def send(self, s: Any) -> None:
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.handed_over = True


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
        self.connection: _TrackingSMTP | None = None

    def _connect(self) -> _TrackingSMTP:
        config = self.config
        connection = _TrackingSMTP(
            config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=float(config["SMTP_TIMEOUT"])
        )
        if config.get("SMTP_STARTTLS"):
            connection.starttls()
        if config.get("SMTP_USERNAME"):
            connection.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
        return connection

    def send(self, message: EmailMessage) -> None:
        """Send one message; ``OutcomeUnknown`` when it was handed over but not answered."""
        if self.connection is None:
            self.connection = self._connect()
        connection = self.connection
        connection.handed_over = False
        try:
            connection.send_message(message)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            self._reset()  # the server answered (a refusal): the connection is still good
            raise
        except OSError as error:  # a timeout or a lost connection (SMTPServerDisconnected too)
            handed_over = connection.handed_over
            self.close()
            if handed_over:
                raise OutcomeUnknown(error) from error
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


def is_permanent(error: BaseException) -> bool:
    """The server refused for good (5xx): the address or the message is the problem."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
