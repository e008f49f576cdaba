"""`make run`: migrate, load the demo on first start, then serve the web app and the scheduler.

Run as ``python -m app.launch``. The web app is served by gunicorn on 127.0.0.1:$PORT
(default 5000) with the settings of ``gunicorn.conf.py`` (2 workers, the access log), as in
production; the scheduler runs as its own process
(``flask --app app scheduler run``), never inside a web worker. With no ``SMTP_HOST`` set
(and ``CORNER_ENV`` not production) a local mailbox (``app/mailcatcher.py``) runs beside them
and files every email under ``instance/mail/``; with one set, the mail server is checked at
start and a warning printed when it does not answer. Ctrl-C, SIGTERM or closing the terminal
stops them all; if the launcher is killed outright, the children get SIGTERM (Linux).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import FrameType

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.demo.build import demo_exists
from app.demo.cli import demo_logins_text, load_demo
from app.extensions import db
from app.mailcatcher import DEFAULT_PORT
from app.models import User
from app.production import is_production
from app.smtp import check_mail_server
from app.timeutil import utcnow
from config import BASE_DIR, INSTANCE_DIR

GUNICORN_CONF = BASE_DIR / "gunicorn.conf.py"
HOST = "127.0.0.1"
STOP_TIMEOUT = 10.0
#: gunicorn's graceful_timeout (20 s, gunicorn.conf.py) and a margin: a web app finishing
#: its requests is never cut short by the launcher
WEB_STOP_TIMEOUT = 30.0


def prepare_database(app: Flask) -> str | None:
    """Upgrade through the migrations; load the demo when there are no users (never in
    production: it would refuse to serve it). Says what it did."""
    with app.app_context():
        upgrade()
        users = db.session.scalar(select(func.count()).select_from(User)) or 0
        message = None
        if users == 0 and not is_production(app):
            counts = load_demo(utcnow())
            if counts:
                message = "Loaded demo data: " + ", ".join(f"{n} {w}" for w, n in counts.items())
        db.session.remove()
        db.engine.dispose()
    return message


def has_demo(app: Flask) -> bool:
    with app.app_context():
        found = demo_exists(db.session)
        db.session.remove()
        db.engine.dispose()
    return found


def wait_until_serving(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    """True once the login page answers (the workers are up); False if gunicorn exits."""
    url = f"http://{HOST}:{port}/login"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.3)
    return False


def wants_mail_catcher(environ: dict[str, str]) -> bool:
    """The local mailbox runs only for a local run: no SMTP_HOST and not production."""
    production = environ.get("CORNER_ENV", "").strip().lower() == "production"
    return not environ.get("SMTP_HOST", "").strip() and not production


def mailbox_port(preferred: int = DEFAULT_PORT) -> int:
    """The default SMTP_PORT when it is free (so commands run by hand reach the mailbox too),
    else any free loopback port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise OSError("no free port for the local mailbox")


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 20.0) -> bool:
    """True once something accepts connections on ``HOST:port``; False if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def start_mailbox(
    python: str, env: dict[str, str], directory: Path
) -> tuple[subprocess.Popen[bytes] | None, str]:
    """Start the local mailbox and point ``env`` at it; what to print about it."""
    port = mailbox_port()
    process = subprocess.Popen(  # noqa: S603
        [python, "-m", "app.mailcatcher", "--port", str(port), "--directory", str(directory)],
        env=env,
        preexec_fn=die_with_launcher,  # the launcher is single-threaded
    )
    if not wait_for_port(port, process):
        stop(process, "The local mailbox")
        return None, "Warning: the local mailbox did not start; emails wait in the outbox."
    env.update(SMTP_HOST=HOST, SMTP_PORT=str(port), SMTP_STARTTLS="no", SMTP_SSL="no")
    env.update(SMTP_USERNAME="", SMTP_PASSWORD="")
    return process, (
        f"No SMTP_HOST is set, so emails are caught locally (SMTP on {HOST}:{port}):\n"
        f"  every email Corner sends is filed in {directory} (one .eml file each)"
    )


def mail_server_warning(app: Flask) -> str | None:
    """A warning to print when the configured mail server does not answer; else None."""
    problem = check_mail_server(app.config)
    if problem is None:
        return None
    return (
        f"Warning: the mail server {app.config['SMTP_HOST']}:{app.config['SMTP_PORT']} did not"
        f" answer at start: {problem}\n  Emails wait in the outbox and are retried for a day;"
        " the home pages say so while it lasts."
    )


def die_with_launcher() -> None:
    """In the child, before exec: on Linux, get SIGTERM if the launcher dies, so that closing
    the terminal or killing ``make run`` outright never leaves a web server behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def stop(process: subprocess.Popen[bytes] | None, name: str, timeout: float = STOP_TIMEOUT) -> None:
    """Ask a child to stop (SIGTERM), then insist (SIGKILL) after a timeout."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop in {timeout:.0f}s; killing it.", flush=True)
        process.kill()
        process.wait()


def main() -> int:
    port = int(os.environ.get("PORT", "5000"))
    print("Corner: upgrading the database…", flush=True)
    app = create_app()
    seeded = prepare_database(app)
    demo = has_demo(app)
    if seeded:
        print(seeded, flush=True)

    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)

    python = sys.executable
    env = dict(os.environ)
    env.setdefault("BASE_URL", f"http://{HOST}:{port}")  # links in emails match the port
    mailbox: subprocess.Popen[bytes] | None = None
    if wants_mail_catcher(env):
        mailbox, mail_note = start_mailbox(python, env, INSTANCE_DIR / "mail")
    else:
        mail_note = mail_server_warning(app) or (
            f"Emails go to the mail server {app.config['SMTP_HOST']}:{app.config['SMTP_PORT']}."
        )
    print(mail_note, flush=True)
    scheduler: subprocess.Popen[bytes] | None = subprocess.Popen(  # noqa: S603
        [python, "-m", "flask", "--app", "app", "scheduler", "run", "--no-mail-check"],
        env=env,
        preexec_fn=die_with_launcher,  # the launcher is single-threaded
    )
    web = subprocess.Popen(  # noqa: S603
        [
            python,
            "-m",
            "gunicorn",
            "--config",
            str(GUNICORN_CONF),  # workers, timeouts, the access log: as in production
            "--bind",
            f"{HOST}:{port}",
        ],
        env=env,
        preexec_fn=die_with_launcher,  # the launcher is single-threaded
    )
    scheduler_warned = mailbox_warned = False
    try:
        if not wait_until_serving(port, web):
            print(f"The web app did not start on {HOST}:{port}; is the port in use?", flush=True)
            return 1
        url = f"http://{HOST}:{port}"
        print("", flush=True)
        print("=" * 72)
        print(f"Corner is running. Log in at {url}/login")
        if demo:
            print(demo_logins_text())
        else:
            print("Log in with your own account (this database has no demo accounts).")
        print(mail_note)
        print("Press Ctrl-C to stop.")
        print("=" * 72, flush=True)
        while not stopping:
            if web.poll() is not None:
                print("The web app stopped.", flush=True)
                return web.returncode or 1
            if scheduler is not None and scheduler.poll() is not None and not scheduler_warned:
                print(
                    f"Warning: the scheduler process exited (code {scheduler.returncode}); "
                    "the web app keeps running, but scheduled jobs (escalation scan, "
                    "emails) will not run until it is restarted.",
                    flush=True,
                )
                scheduler_warned = True
            if mailbox is not None and mailbox.poll() is not None and not mailbox_warned:
                print(
                    f"Warning: the local mailbox exited (code {mailbox.returncode}); emails "
                    "wait in the outbox until Corner is restarted.",
                    flush=True,
                )
                mailbox_warned = True
            time.sleep(0.5)
        print("Stopping Corner…", flush=True)
        return 0
    finally:
        stop(web, "The web app", WEB_STOP_TIMEOUT)
        stop(scheduler, "The scheduler")
        stop(mailbox, "The local mailbox")


if __name__ == "__main__":
    sys.exit(main())
