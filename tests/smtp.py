"""A real SMTP server on loopback (aiosmtpd): what it received, and a handler that can refuse.

The ``smtp_server`` fixture (tests/conftest.py) starts one and points the app at it."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def text(self) -> str:
        """Everything the server saw, decoded (headers and every part)."""
        message = self.message
        parts = [str(message)]
        for part in message.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        return "\n".join(parts)


@dataclass
class RecordingHandler:
    """Keeps every message; can refuse the n-th (1-based) DATA with a 451 or a 554."""

    messages: list[Received] = field(default_factory=list)
    fail_at: set[int] = field(default_factory=set)
    fail_code: str = "451 4.3.0 Try again later"
    seen: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.seen += 1
            if self.seen in self.fail_at:
                return self.fail_code
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages
