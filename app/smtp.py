"""Talking to the mail server: one SMTP connection per batch, and what a failure means.

``OutcomeUnknown`` is the one failure after which the server may hold the message: the
whole message was handed over (smtplib sent its final CRLF.CRLF) and then no answer came
(a timeout or a lost connection). Every other failure happened before the server had the
message, or the server answered it with a refusal, so the email was not delivered.
"""

from __future__ import annotations

import re
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


#: the kind of a stored failure (``last_error`` starts "ExceptionName: ...") in plain words;
#: the one place that turns what went wrong into a sentence an admin can act on
PROBLEM_WORDS: dict[str, str] = {
    "ConnectionRefusedError": "The mail server did not answer.",
    "SMTPConnectError": "The mail server did not answer: it would not start a conversation.",
    "SMTPHeloError": "The mail server did not answer: it would not start a conversation.",
    "TimeoutError": "The mail server took too long to answer.",
    "timeout": "The mail server took too long to answer.",
    "gaierror": "The mail server's name could not be found. Check SMTP_HOST.",
    "SMTPServerDisconnected": "The connection to the mail server was lost.",
    "ConnectionResetError": "The connection to the mail server was lost.",
    "ConnectionAbortedError": "The connection to the mail server was lost.",
    "BrokenPipeError": "The connection to the mail server was lost.",
    "OSError": "The mail server could not be reached.",
    "SSLError": "A secure connection to the mail server could not be made.",
    "SSLCertVerificationError": "The mail server's certificate could not be trusted.",
    "SMTPNotSupportedError": "The mail server does not support what Corner asked of it.",
    "SMTPAuthenticationError": "The mail server refused Corner's user name or password.",
    "SMTPSenderRefused": "The mail server refused the sender's address (MAIL_FROM).",
    "SMTPRecipientsRefused": "The mail server refused the address it was sent to.",
    "OutcomeUnknown": (
        "The mail server took the email but never confirmed it: it may have been delivered."
    ),
}
TRY_LATER = "The mail server asked Corner to try again later."
REFUSED = "The mail server refused the email."
UNKNOWN_PROBLEM = "The email could not be sent."
_KIND = re.compile(r"^([A-Za-z_][\w.]*): ?")
_CODE = re.compile(r"\(?(\d{3})\b")


def problem_words(last_error: str | None) -> str:
    """What a stored failure means, in a sentence; the raw detail stays for a details element."""
    if not last_error:
        return ""
    match = _KIND.match(last_error)
    if match is None:
        return last_error  # already words (written by Corner itself)
    kind = match.group(1).rpartition(".")[2]
    if kind in PROBLEM_WORDS:
        return PROBLEM_WORDS[kind]
    if kind.startswith("SMTP"):
        code = _CODE.match(last_error[match.end() :])
        if code is not None:
            return TRY_LATER if code.group(1).startswith("4") else REFUSED
    return UNKNOWN_PROBLEM
