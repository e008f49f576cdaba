"""make run's local mailbox: with no SMTP_HOST, every email Corner sends is filed as one
.eml file under instance/mail/; production never starts it; the start-up mail check."""

from __future__ import annotations

import logging
import re
import signal
import socket
import subprocess
import sys
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask

from app import jobs
from app.email import queue_email, send_pending
from app.extensions import SessionLike
from app.jobs import warn_if_mail_server_silent
from app.launch import mail_server_warning, mailbox_port, wait_for_port, wants_mail_catcher
from app.mailcatcher import file_name, start_mail_catcher
from app.smtp import SmtpSender
from config import BASE_DIR
from tests.factories import NOW
from tests.smtp import free_port
from tests.test_smtp import message

SAFE_NAME = re.compile(r"^\d{8}-\d{6}-[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{8}\.eml$")


def queue_one(session: SessionLike, subject: str = "Urgent flag for case C-00042") -> None:
    queue_email(
        session,
        NOW,
        kind="test",
        to=["coordinator@charity.example"],
        subject=subject,
        template="urgent_flag",
        context={"reference": "C-00042", "items": [], "inbox_url": "http://corner.test/flags"},
    )
    session.commit()


def test_the_app_sender_files_each_email_under_instance_mail(
    app: Flask, session: SessionLike, tmp_path: Path
) -> None:
    mailbox = tmp_path / "instance" / "mail"
    port = free_port()
    controller = start_mail_catcher(mailbox, port)
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=5)
        queue_one(session)
        queue_one(session, subject="../../etc/passwd: ünïcode <and> spaces")
        result = send_pending(app, NOW)
    finally:
        controller.stop()
    assert (result.sent, result.failed) == (2, 0)
    files = sorted(mailbox.iterdir())
    assert len(files) == 2, files
    assert all(SAFE_NAME.match(path.name) for path in files), files
    assert all(path.parent == mailbox for path in files)  # nothing escaped the folder
    subjects = {
        str(message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"])
        for path in files
    }
    assert subjects == {"Urgent flag for case C-00042", "../../etc/passwd: ünïcode <and> spaces"}
    assert any("urgent-flag-for-case-c-00042" in path.name for path in files)


def test_file_names_are_safe_whatever_the_subject() -> None:
    for subject in ["", "   ", "/", "..", "a\x00b", "É" * 300, "Re: [x] ; rm -rf / ; $(id)"]:
        name = file_name(subject, NOW)
        assert SAFE_NAME.match(name), (subject, name)
        assert len(name) < 100
    assert file_name("Same", NOW) != file_name("Same", NOW)  # never overwrites


def test_the_mailbox_runs_only_for_a_local_run() -> None:
    assert wants_mail_catcher({})
    assert wants_mail_catcher({"SMTP_HOST": "  ", "CORNER_ENV": "development"})
    assert not wants_mail_catcher({"SMTP_HOST": "smtp.charity.example"})
    assert not wants_mail_catcher({"CORNER_ENV": "production"})
    assert not wants_mail_catcher({"CORNER_ENV": "Production", "SMTP_HOST": ""})


def test_mailbox_port_prefers_the_default_and_falls_back_to_a_free_one() -> None:
    taken = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", taken))
        holder.listen(1)
        port = mailbox_port(taken)
    assert port != taken and port > 0
    assert mailbox_port(free_port()) > 0


def test_the_mailbox_process_files_mail_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app.mailcatcher", "--port", str(port), "--directory", tmp_path],
        cwd=BASE_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for_port(port, process)  # type: ignore[arg-type]
        sender = SmtpSender({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TIMEOUT": 5})
        sender.send(message())
        sender.close()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0
    [filed] = list(tmp_path.glob("*.eml"))
    assert f"Mail: filed {filed.name}" in output
    assert b"Please look today." in filed.read_bytes()


def test_start_up_check_warns_when_the_mail_server_does_not_answer(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    warning = mail_server_warning(app)
    assert warning is not None
    assert f"the mail server 127.0.0.1:{port} did not answer" in warning
    assert "The mail server did not answer." in warning
    with caplog.at_level(logging.INFO, logger="corner.scheduler"):
        assert warn_if_mail_server_silent(app) is not None
    assert any(
        r.levelno == logging.WARNING and "did not answer" in r.message for r in caplog.records
    )
    controller = start_mail_catcher(Path("/nonexistent-never-written"), port)
    try:
        assert mail_server_warning(app) is None  # it answers now
        assert warn_if_mail_server_silent(app) is None
    finally:
        controller.stop()


def test_scheduler_run_checks_the_mail_server_unless_told_not_to(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Flask] = []

    def run_scheduler(flask_app: Flask) -> int:  # instead of blocking: note it was reached
        started.append(flask_app)
        return 0

    monkeypatch.setattr(jobs, "run_scheduler", run_scheduler)
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nothing listens
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO, logger="corner.scheduler"):
        result = runner.invoke(args=["scheduler", "run"])
    assert result.exit_code == 0, result.output
    warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
    assert any("did not answer" in message for message in warnings), warnings
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="corner.scheduler"):
        result = runner.invoke(args=["scheduler", "run", "--no-mail-check"])
    assert result.exit_code == 0, result.output
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(started) == 2  # the scheduler ran both times
