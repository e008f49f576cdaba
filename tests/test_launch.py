"""`make run` (python -m app.launch): migrate, seed once, serve, stop cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.demo.vocab import DEMO_LOGINS
from app.extensions import SessionLike, db
from app.launch import has_demo, prepare_database, stop
from app.models import User
from app.smtp import SmtpSender
from config import BASE_DIR
from tests.factories import make_user
from tests.helpers import make_app
from tests.test_smtp import message

DEMO_EMAILS = {email for email, _role, _what in DEMO_LOGINS}
LOADED_RE = re.compile(r"(\d+) ([a-z -]+?)(?:,|$)")


def _demo_users(app: Flask) -> tuple[int, set[str]]:
    """How many users there are, and which of the demo logins exist."""
    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(User)) or 0
        emails = set(db.session.scalars(select(User.email).where(User.email.in_(DEMO_EMAILS))))
        db.session.remove()
        db.engine.dispose()
    return count, emails


def test_prepare_database_seeds_only_an_empty_database(app: Flask) -> None:
    fresh = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    message = prepare_database(fresh)
    # it says what it loaded: some of everything (whatever the demo's size), parents included
    assert message is not None and message.startswith("Loaded demo data: "), message
    loaded = {what: int(n) for n, what in LOADED_RE.findall(message)}
    assert "parents" in loaded and all(n > 0 for n in loaded.values()), message
    users, logins = _demo_users(fresh)
    assert logins == DEMO_EMAILS  # every login the launcher prints exists
    assert users > len(DEMO_EMAILS)  # and volunteers besides
    assert prepare_database(fresh) is None  # second start: nothing loaded again
    assert _demo_users(fresh) == (users, logins)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_launcher(tmp_path: Path, port: int, **extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SMTP_")},
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'corner.sqlite3'}",
        "CORNER_INSTANCE_DIR": str(tmp_path),
        "CORNER_ENV": "development",
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app.launch"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, so nothing can outlive the test
    )
    output: list[str] = []
    assert process.stdout is not None
    while True:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if "Press Ctrl-C to stop." in line:
            break
    return process, "".join(output)


def _cleanup(process: subprocess.Popen[str]) -> None:
    if _group_alive(process.pid, wait=0):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait()
    if process.stdout is not None:
        process.stdout.close()


@pytest.mark.slow
def test_launch_serves_login_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    process, text = _start_launcher(tmp_path, port)
    try:
        assert f"Log in at http://127.0.0.1:{port}/login" in text, text
        assert all(email in text for email in DEMO_EMAILS), text  # the demo logins printed
        # no SMTP_HOST: the local mailbox runs, says where mail goes, and files what it gets
        mailbox = tmp_path / "mail"
        assert f"every email Corner sends is filed in {mailbox}" in text, text
        found = re.search(r"SMTP on 127\.0\.0\.1:(\d+)", text)
        assert found is not None, text
        sender = SmtpSender({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": found[1], "SMTP_TIMEOUT": 5})
        sender.send(message())
        sender.close()
        assert [p.suffix for p in mailbox.iterdir()] == [".eml"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=60) as response:
            assert response.status == 200
            assert b"Log in to Corner" in response.read()
        process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
        assert process.returncode == 0, rest
        assert "Stopping Corner" in rest
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        assert not _group_alive(process.pid, wait=15), "gunicorn or the scheduler outlived it"
    finally:
        _cleanup(process)


@pytest.mark.slow
def test_launch_warns_when_the_mail_server_set_does_not_answer(tmp_path: Path) -> None:
    port, smtp_port = _free_port(), _free_port()  # nothing listens on smtp_port
    process, text = _start_launcher(tmp_path, port, SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port))
    try:
        assert "Press Ctrl-C to stop." in text, text
        assert f"Warning: the mail server 127.0.0.1:{smtp_port} did not answer" in text, text
        assert "filed in" not in text  # an SMTP_HOST is set: no local mailbox
        assert not (tmp_path / "mail").exists()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        _cleanup(process)


@pytest.mark.slow
def test_killing_the_launcher_outright_takes_the_web_server_with_it(tmp_path: Path) -> None:
    port = _free_port()
    process, text = _start_launcher(tmp_path, port)
    try:
        assert "Press Ctrl-C to stop." in text, text
        process.kill()  # SIGKILL: the launcher cannot clean up
        process.wait()
        assert not _group_alive(process.pid, wait=20), "the web server outlived the launcher"
    finally:
        _cleanup(process)


def _group_alive(pgid: int, wait: float) -> bool:
    """True while any process of the group is still running (after up to ``wait`` seconds)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        if time.monotonic() >= deadline:
            return True
        time.sleep(0.2)


def test_a_database_with_real_accounts_gets_no_demo(app: Flask, session: SessionLike) -> None:
    make_user(session, "admin", email="boss@charity.example")
    session.commit()
    fresh = make_app(app.config["SQLALCHEMY_DATABASE_URI"])
    assert prepare_database(fresh) is None
    assert has_demo(fresh) is False
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_stop_terminates_and_then_kills_a_stubborn_child() -> None:
    polite = subprocess.Popen(["sleep", "60"])
    stop(polite, "sleep")
    assert polite.returncode == -signal.SIGTERM
    ignore_term = (
        "import signal, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    stubborn = subprocess.Popen([sys.executable, "-c", ignore_term], stdout=subprocess.PIPE)
    with stubborn.stdout as out:  # type: ignore[union-attr]
        assert out.readline() == b"ready\n"
    started = time.monotonic()
    stop(stubborn, "stubborn", timeout=0.5)
    assert stubborn.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5
    stop(None, "nothing")  # no scheduler: nothing to do


@pytest.mark.slow
def test_ctrl_c_stops_everything_cleanly_and_the_access_log_keeps_no_query_string(
    tmp_path: Path,
) -> None:
    """Ctrl-C in a terminal sends SIGINT to the whole process group: the launcher, gunicorn's
    master and workers, the scheduler and the mailbox. Nothing may be killed for it."""
    port = _free_port()
    process, text = _start_launcher(tmp_path, port)
    try:
        assert "Press Ctrl-C to stop." in text, text
        token = "T0k3n_" + "x" * 37
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/privacy?next=/cases&email=priya@example.org", timeout=60
        ) as response:
            assert response.status == 200
        with pytest.raises(urllib.error.HTTPError):  # an unknown reset link: 410
            urllib.request.urlopen(f"http://127.0.0.1:{port}/password/reset/{token}", timeout=60)
        os.killpg(process.pid, signal.SIGINT)
        rest, _ = process.communicate(timeout=90)
        assert process.returncode == 0, rest
        for bad in ("SIGKILL", "Traceback", "did not stop", "killing it"):
            assert bad not in rest, rest
        assert '"GET /privacy" 200' in rest, rest  # one line per request, the path only
        assert '"GET /password/reset/[token]" 410' in rest, rest
        assert "priya" not in rest and "next=" not in rest and token not in rest
        # The whole output, before and after "Press Ctrl-C": the launcher's own "is it up?"
        # GET /login (as many as its polling took) may be printed on either side of it.
        access = [line for line in (text + rest).splitlines() if '"GET /' in line]
        paths = [line.split('"GET ', 1)[1].split('"', 1)[0] for line in access]
        assert paths.count("/privacy") == 1, access  # the test's two requests: one line each
        assert paths.count("/password/reset/[token]") == 1, access
        assert set(paths) <= {"/login", "/privacy", "/password/reset/[token]"}, access
        assert not any("127.0.0.1" in line for line in access), access
        assert "apscheduler" not in rest  # APScheduler's chatter is down to warnings
        assert not _group_alive(process.pid, wait=15), "a child outlived the launcher"
    finally:
        _cleanup(process)
