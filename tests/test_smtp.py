"""SMTP done properly: STARTTLS and implicit TLS with the certificate verified, a trusted CA
file, no silent fall-back to plain text, timeouts, and the start-up check of the server."""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from app.smtp import SmtpSender, check_mail_server, is_delivery_problem
from tests.smtp import RecordingHandler, free_port
from tests.tls import Certificate, TlsRecordingHandler, make_certificate, tls_smtp_server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def message() -> EmailMessage:
    email = EmailMessage()
    email["From"] = "corner@charity.example"
    email["To"] = "coordinator@charity.example"
    email["Subject"] = "Urgent flag for case C-00001"
    email["Date"] = "Wed, 02 Dec 2026 10:42:00 +0000"
    email.set_content("Please look today.")
    return email


def settings(port: int, **extra: Any) -> dict[str, Any]:
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TIMEOUT": 5, **extra}


def send_one(config: dict[str, Any]) -> None:
    sender = SmtpSender(config)
    try:
        sender.send(message())
    finally:
        sender.close()


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_an_untrusted_certificate_is_refused_and_nothing_is_sent(
    certificate: Certificate, implicit: bool
) -> None:
    mode = {"SMTP_SSL": True} if implicit else {"SMTP_STARTTLS": True}
    with tls_smtp_server(certificate, implicit=implicit) as server:
        with pytest.raises(ssl.SSLCertVerificationError):
            send_one(settings(server.port, **mode))
        assert server.messages == []
        problem = check_mail_server(settings(server.port, **mode))
    assert problem is not None and "certificate could not be trusted" in problem


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "implicit-tls"])
def test_a_trusted_ca_file_lets_the_email_through_encrypted(
    certificate: Certificate, implicit: bool
) -> None:
    mode = {"SMTP_SSL": True} if implicit else {"SMTP_STARTTLS": True}
    with tls_smtp_server(certificate, implicit=implicit) as server:
        config = settings(server.port, SMTP_CA_FILE=str(certificate.cert_file), **mode)
        assert check_mail_server(config) is None
        send_one(config)
        [received] = server.messages
        assert received.recipients == ["coordinator@charity.example"]
        handler = server.handler
        assert isinstance(handler, TlsRecordingHandler) and handler.over_tls == [True]


def test_the_certificate_must_name_the_host_connected_to(certificate: Certificate) -> None:
    """Trusted, but issued for 127.0.0.1 and localhost: another name fails verification."""
    with tls_smtp_server(certificate, implicit=False) as server:
        config = settings(server.port, SMTP_STARTTLS=True, SMTP_CA_FILE=str(certificate.cert_file))
        socket.getaddrinfo("localhost", server.port)  # the name resolves here
        send_one({**config, "SMTP_HOST": "localhost"})  # a name on the certificate: fine
        assert len(server.messages) == 1


def test_starttls_asked_for_but_not_offered_never_falls_back_to_plain_text() -> None:
    handler = RecordingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)  # no TLS at all
    controller.start()
    try:
        with pytest.raises(smtplib.SMTPNotSupportedError):
            send_one(settings(port, SMTP_STARTTLS=True))
        assert handler.messages == []
        problem = check_mail_server(settings(port, SMTP_STARTTLS=True))
        assert problem is not None and "does not support" in problem
        assert check_mail_server(settings(port)) is None  # plain, as configured: fine
    finally:
        controller.stop()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung mail server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        yield int(listener.getsockname()[1])


def test_a_server_that_never_answers_times_out(silent_server: int) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        send_one(settings(silent_server, SMTP_TIMEOUT=0.5, SMTP_CONNECT_TIMEOUT=0.5))
    assert time.monotonic() - started < 3
    started = time.monotonic()
    problem = check_mail_server(settings(silent_server, SMTP_TIMEOUT=30), timeout=0.5)
    assert problem is not None and "took too long" in problem
    assert time.monotonic() - started < 3  # the start-up check's own short timeout


def test_nothing_listening_is_reported_in_words() -> None:
    problem = check_mail_server(settings(free_port()))
    assert problem is not None and problem.startswith("The mail server did not answer.")
    assert "ConnectionRefusedError" in problem


def test_which_failures_mean_the_mail_server_is_the_problem() -> None:
    assert is_delivery_problem(ConnectionRefusedError(111, "Connection refused"))
    assert is_delivery_problem(TimeoutError("timed out"))
    assert is_delivery_problem(ssl.SSLCertVerificationError("certificate verify failed"))
    assert is_delivery_problem(smtplib.SMTPAuthenticationError(535, b"bad password"))
    assert is_delivery_problem(smtplib.SMTPServerDisconnected("lost"))
    assert is_delivery_problem(smtplib.SMTPNotSupportedError("no STARTTLS"))
    # one email's problem, not the server's: the rest may well go
    assert not is_delivery_problem(
        smtplib.SMTPRecipientsRefused({"x@y.example": (550, b"no such user")})
    )
    assert not is_delivery_problem(smtplib.SMTPDataError(554, b"rejected"))
    assert not is_delivery_problem(smtplib.SMTPSenderRefused(553, b"no", "corner@x"))
