"""The local mailbox of ``make run``: a small SMTP server (aiosmtpd) that files every email it
receives under ``instance/mail/``, one ``.eml`` file per message, so whoever runs Corner on
their own machine sees every email it sends. Only ``app/launch.py`` starts it, and only when
no ``SMTP_HOST`` is set and ``CORNER_ENV`` is not production; a deployment never runs it.

Run by the launcher as ``python -m app.mailcatcher --port N --directory DIR``; tests start it
in-process with ``start_mail_catcher``.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"
#: the port Corner's settings point at by default (``SMTP_PORT``), so commands run by hand
#: in another terminal (``flask emails send``) reach the same mailbox
DEFAULT_PORT = 1025
_NOT_SAFE = re.compile(r"[^a-z0-9]+")


def file_name(subject: str, at: datetime) -> str:
    """``20261202-104200-urgent-flag-for-case-c-00042-1a2b3c4d.eml``: the time, the subject
    in lower-case letters, digits and dashes (at most 48), a random tail; nothing else."""
    slug = _NOT_SAFE.sub("-", subject.lower()).strip("-")[:48].strip("-") or "email"
    return f"{at.strftime('%Y%m%d-%H%M%S')}-{slug}-{uuid.uuid4().hex[:8]}.eml"


class MailboxHandler:
    """Files each message as ``<directory>/<file_name>``, written whole before it appears."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = bytes(envelope.content)
        subject = str(message_from_bytes(content, policy=policy.default).get("Subject", ""))
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / file_name(subject, datetime.now(UTC))
        partial = path.with_name(f".{path.name}.part")
        partial.write_bytes(content)
        partial.replace(path)  # readers never see half a message
        print(f"Mail: filed {path.name}", flush=True)
        return "250 Message accepted for delivery"


def start_mail_catcher(directory: Path, port: int, host: str = HOST) -> Controller:
    """Start the mailbox's SMTP server on ``host:port`` (a thread); ``.stop()`` it after."""
    controller = Controller(MailboxHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Corner's local mailbox for make run.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--directory", type=Path, required=True)
    args = parser.parse_args(argv)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, lambda *_: stopping.set())
    args.directory.mkdir(parents=True, exist_ok=True)
    os.chmod(args.directory, 0o700)  # emails hold no personal data, but keep them private
    controller = start_mail_catcher(args.directory, args.port)
    try:
        stopping.wait()
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
