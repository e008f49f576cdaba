"""Real SMTP servers on loopback (aiosmtpd) that misbehave, and a way to queue many emails.

Shared by the outbox fault tests (items 2 to 4 of issue 9). Each sink is a real server: the
sender talks SMTP to it over TCP, nothing in ``app.email`` is replaced.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask

from app.email import queue_email
from app.extensions import SessionLike
from app.models import OutboxEmail
from tests.smtp import RecordingHandler, free_port


@dataclass
class SlowHandler(RecordingHandler):
    """Waits ``delay`` seconds before answering each DATA (then stores it and says 250)."""

    delay: float = 0.01

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@dataclass
class StoreThenStallHandler(RecordingHandler):
    """Stores each message at once, then answers 250 only after ``stall`` seconds: after
    the client's timeout, so the client never learns that the server has the message."""

    stall: float = 1.0
    stalling: bool = True

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        if self.stalling:
            await asyncio.sleep(self.stall)
        return answer


@dataclass
class GateHandler(RecordingHandler):
    """Stores each message, then holds the "250" until ``release`` is set (``reached`` tells
    the test a message is in flight)."""

    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        self.reached.set()
        for _ in range(600):  # at most 30 s
            if self.release.is_set():
                break
            await asyncio.sleep(0.05)
        return answer


@contextmanager
def sink(app: Flask, handler: RecordingHandler, port: int | None = None) -> Iterator[int]:
    """Run ``handler`` as an SMTP server on 127.0.0.1 and point the app at it."""
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    try:
        yield port
    finally:
        controller.stop()


def queue_many(session: SessionLike, n: int, now: datetime) -> list[OutboxEmail]:
    """``n`` urgent-flag emails, committed (case references only, as the real ones)."""
    emails = []
    for i in range(n):
        email = queue_email(
            session,
            now,
            kind="urgent_flag",
            to=[f"coordinator{i % 7}@charity.example"],
            subject=f"Urgent flag for case C-{i:05d}",
            template="urgent_flag",
            context={"reference": f"C-{i:05d}", "items": [], "inbox_url": "http://x/flags"},
            dedupe_key=f"fault-{i}",
        )
        assert email is not None
        emails.append(email)
    session.commit()
    return emails


def copies(handler: RecordingHandler) -> Counter[str]:
    """How many times the server received each Message-ID."""
    return Counter(str(m.message["Message-ID"]) for m in handler.messages)
