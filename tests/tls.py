"""A certificate made for one test (``openssl req``): a self-signed certificate for 127.0.0.1
and localhost, with the server's TLS context, and aiosmtpd servers that speak TLS."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.smtp import RecordingHandler, SmtpServer, free_port


@dataclass
class Certificate:
    cert_file: Path  # also the CA file that trusts it (it signed itself)
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.cert_file), str(self.key_file))
        return context


def make_certificate(directory: Path) -> Certificate:
    cert, key = directory / "server-cert.pem", directory / "server-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-nodes",
            "-days",
            "1",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert, key)


class TlsRecordingHandler(RecordingHandler):
    """Also notes whether each message came over TLS."""

    def __init__(self) -> None:
        super().__init__()
        self.over_tls: list[bool] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # STARTTLS sets session.ssl; implicit TLS shows on the transport
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.over_tls.append(session.ssl is not None or encrypted)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def tls_smtp_server(certificate: Certificate, *, implicit: bool) -> Iterator[SmtpServer]:
    """aiosmtpd on loopback: implicit TLS (``implicit``) or STARTTLS, required before MAIL."""
    handler = TlsRecordingHandler()
    port = free_port()
    context = certificate.server_context()
    options: dict[str, Any] = (
        {"ssl_context": context} if implicit else {"tls_context": context, "require_starttls": True}
    )
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", port, handler)
    finally:
        controller.stop()
