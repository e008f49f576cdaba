"""Talking to the mail server: one SMTP connection per batch, and what a failure means.

``OutcomeUnknown`` is the one failure after which the server may hold the message: the
whole message was handed over (smtplib sent its final CRLF.CRLF) and then no answer came
(a timeout or a lost connection). Every other failure happened before the server had the
message, or the server answered it with a refusal, so the email was not delivered.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
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
    """``smtplib.SMTP`` that notes when a message's content (ending CRLF.CRLF) has been sent,
    and connects within ``connect_timeout`` but waits ``timeout`` for each answer."""

    handed_over = False
    connect_timeout: float | None = None

    def send(self, s: Any) -> None:
        super().send(s)
        if isinstance(s, bytes) and s.endswith(b"\r\n.\r\n"):
            self.handed_over = True

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        limit = self.connect_timeout if self.connect_timeout is not None else timeout
        sock = super()._get_socket(host, port, limit)  # type: ignore[misc]
        sock.settimeout(timeout)  # then the command timeout for every answer
        return sock


class _TrackingSMTPSSL(_TrackingSMTP, smtplib.SMTP_SSL):
    """The same over implicit TLS (``SMTP_SSL``, port 465): the TLS handshake is part of
    connecting, so it has the connection timeout."""

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        limit = self.connect_timeout if self.connect_timeout is not None else timeout
        plain = socket.create_connection((host, port), limit, self.source_address)
        sock = self.context.wrap_socket(plain, server_hostname=host)
        sock.settimeout(timeout)
        return sock


def tls_context(config: Mapping[str, Any]) -> ssl.SSLContext:
    """The system's trusted certificates (``ssl.create_default_context``: the server's
    certificate and name are checked), or only ``SMTP_CA_FILE`` when it is set."""
    ca_file = config.get("SMTP_CA_FILE") or None
    return ssl.create_default_context(cafile=ca_file)


def open_connection(config: Mapping[str, Any], *, timeout: float | None = None) -> _TrackingSMTP:
    """A connected, secured and logged-in SMTP connection made from the ``SMTP_…`` settings.

    ``SMTP_SSL``: implicit TLS from the first byte (port 465); else ``SMTP_STARTTLS``: a plain
    connection upgraded with STARTTLS before anything else is said (refused if the server
    does not offer it). The certificate is verified either way. ``SMTP_CONNECT_TIMEOUT``
    limits connecting (and the TLS handshake), ``SMTP_TIMEOUT`` each answer after that;
    ``timeout`` (the start-up check) caps both.
    """
    connect_timeout = float(config.get("SMTP_CONNECT_TIMEOUT") or config.get("SMTP_TIMEOUT", 10))
    command_timeout = float(config.get("SMTP_TIMEOUT", 30))
    if timeout is not None:
        connect_timeout, command_timeout = (
            min(connect_timeout, timeout),
            min(command_timeout, timeout),
        )
    host, port = str(config["SMTP_HOST"]), int(config["SMTP_PORT"])
    connection: _TrackingSMTP
    if config.get("SMTP_SSL"):
        connection = _TrackingSMTPSSL(timeout=command_timeout, context=tls_context(config))
    else:
        connection = _TrackingSMTP(timeout=command_timeout)
    connection.connect_timeout = connect_timeout
    # the name STARTTLS checks the certificate against (smtplib sets it only in __init__)
    connection._host = host  # type: ignore[attr-defined]
    try:
        connection.connect(host, port)
        if config.get("SMTP_STARTTLS") and not config.get("SMTP_SSL"):
            connection.starttls(context=tls_context(config))
        if config.get("SMTP_USERNAME"):
            connection.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD", ""))
    except smtplib.SMTPServerDisconnected as error:
        connection.close()
        if isinstance(error.__context__, TimeoutError):  # smtplib hides a timeout so
            raise TimeoutError(f"no answer within {command_timeout:g}s") from error
        raise
    except BaseException:
        connection.close()
        raise
    return connection


def check_mail_server(config: Mapping[str, Any], timeout: float = 5.0) -> str | None:
    """Connect, say EHLO (STARTTLS and log in as configured) and NOOP within ``timeout``:
    None when the mail server answered, else what went wrong in a sentence (start-up)."""
    try:
        connection = open_connection(config, timeout=timeout)
        try:
            connection.ehlo_or_helo_if_needed()
            code, _ = connection.noop()
            if code != 250:
                raise smtplib.SMTPResponseException(code, b"NOOP refused")
        finally:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()
    except (smtplib.SMTPException, OSError) as error:
        return (
            f"{problem_words(f'{type(error).__name__}: {error}')} ({type(error).__name__}: {error})"
        )
    return None


def is_delivery_problem(error: BaseException) -> bool:
    """A failure of the mail server or of reaching it (refused or lost connection, timeout,
    TLS, login, greeting) rather than of one email (a refused address or message): every
    email would fail the same way, so the home pages say so at once."""
    if isinstance(error, OutcomeUnknown):
        return False  # the server took the message: it may be fine
    if isinstance(
        error,
        smtplib.SMTPAuthenticationError | smtplib.SMTPConnectError | smtplib.SMTPHeloError,
    ):
        return True
    if isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused):
        return False
    return isinstance(error, smtplib.SMTPNotSupportedError | OSError)


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
        return open_connection(self.config)

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
