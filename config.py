"""Configuration classes. Everything comes from the environment; SQLite is the default."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CORNER_INSTANCE_DIR", BASE_DIR / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _local_secret_key() -> str:
    """A secret key generated once into instance/ for local runs (never committed)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Let people write postgres:// or postgresql://; we always use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: secret keys that are published or guessable: refused in production
KNOWN_DEV_SECRET_KEYS = frozenset(
    {
        "test-secret-key-not-for-production",
        "dev",
        "development",
        "secret",
        "change-me",
        "changeme",
        "corner",
        "please-change-me",
        "your-secret-key",
    }
)
#: the shortest SECRET_KEY production accepts (``python -c 'import secrets;
#: print(secrets.token_urlsafe(48))'`` gives 64 characters)
MIN_SECRET_KEY_LENGTH = 32


class Config:
    """Settings shared by every environment."""

    CORNER_ENV = "development"
    #: the DATABASE_URL exactly as given ("" when it is not set: the SQLite default)
    DATABASE_URL = os.environ.get("DATABASE_URL", "")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'corner.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY") or ""
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    SMTP_HOST = os.environ.get("SMTP_HOST") or "127.0.0.1"
    # implicit TLS from the first byte (port 465); else SMTP_STARTTLS upgrades a plain one
    SMTP_SSL = _bool("SMTP_SSL", False)
    SMTP_PORT = int(os.environ.get("SMTP_PORT") or ("465" if SMTP_SSL else "1025"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = _bool("SMTP_STARTTLS", False)
    # the certificates trusted for the mail server: the system's, or only this PEM file
    SMTP_CA_FILE = os.environ.get("SMTP_CA_FILE", "")
    SMTP_CONNECT_TIMEOUT = float(os.environ.get("SMTP_CONNECT_TIMEOUT", "10"))
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "30"))  # for each answer
    MAIL_FROM = os.environ.get("MAIL_FROM", "Corner <corner@localhost>")
    CORNER_TIMEZONE = os.environ.get("CORNER_TIMEZONE", "Europe/London")
    # the scheduler (PostgreSQL): how often it checks that it still holds its lock, and how
    # often a stand-by scheduler tries to take it
    SCHEDULER_LOCK_CHECK_SECONDS = float(os.environ.get("SCHEDULER_LOCK_CHECK_SECONDS", "30"))
    SCHEDULER_STANDBY_SECONDS = float(os.environ.get("SCHEDULER_STANDBY_SECONDS", "30"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    #: how many reverse proxies in front of Corner set X-Forwarded-For/-Proto/-Host (0: none,
    #: the headers are ignored); ProxyFix trusts exactly that many
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT") or "0")
    #: a signed-in session ends after this many minutes without a request, and this many
    #: hours after logging in, whatever happens
    SESSION_IDLE_MINUTES = float(os.environ.get("SESSION_IDLE_MINUTES") or "30")
    SESSION_MAX_HOURS = float(os.environ.get("SESSION_MAX_HOURS") or "12")
    #: Strict-Transport-Security on every response (on in production)
    HSTS = _bool("HSTS", False)
    #: /healthz: the scheduler's heartbeat may be this old, the oldest waiting email this old
    HEALTH_HEARTBEAT_MAX_SECONDS = float(os.environ.get("HEALTH_HEARTBEAT_MAX_SECONDS") or "300")
    HEALTH_OUTBOX_MAX_AGE_SECONDS = float(os.environ.get("HEALTH_OUTBOX_MAX_AGE_SECONDS") or "3600")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    #: a whole upload (all four files); bigger is refused with a 413 page. Imports run as
    #: background jobs, so a big upload never ties up a web worker for long.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "50")) * 1024 * 1024
    #: where background jobs keep their files (default: instance/jobs)
    JOBS_DIR = os.environ.get("CORNER_JOBS_DIR") or None
    #: how often the scheduler looks for queued jobs; a running job silent this long failed
    JOBS_POLL_SECONDS = float(os.environ.get("JOBS_POLL_SECONDS", "3"))
    JOB_STALE_MINUTES = float(os.environ.get("JOB_STALE_MINUTES", "30"))
    INVITATION_DAYS = 7
    TESTING = False


class DevelopmentConfig(Config):
    """Local runs: a secret key is generated into instance/ when none is given."""

    CORNER_ENV = "development"

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _local_secret_key()


class ProductionConfig(Config):
    """Production: no defaults for what must be chosen; cookies are secure; HSTS is sent.

    ``create_app`` refuses to start while anything here is missing or unsafe
    (``production_problems``), naming every problem at once."""

    CORNER_ENV = "production"
    BASE_URL = os.environ.get("BASE_URL", "").rstrip("/")
    MAIL_FROM = os.environ.get("MAIL_FROM", "")
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    HSTS = _bool("HSTS", True)


class TestingConfig(Config):
    """Tests: a fixed key, the database URL is given by the test fixtures."""

    CORNER_ENV = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    BASE_URL = "http://corner.test"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    RATELIMIT_ENABLED = False  # a test that is about rate limits turns it on
    SMTP_PORT = 0  # tests start their own SMTP server and say where it is
    # Many tests move the clock on by hours or days within one session; the session-limit
    # tests (tests/production/test_sessions.py) put the production defaults back.
    SESSION_IDLE_MINUTES = 60.0 * 24 * 365
    SESSION_MAX_HOURS = 24.0 * 365


def production_problems(config: Mapping[str, Any]) -> list[str]:
    """Every missing or unsafe production setting, one sentence each (empty: all is well)."""
    problems = []
    key = str(config.get("SECRET_KEY") or "")
    if not key:
        problems.append("SECRET_KEY is not set.")
    elif key.strip().lower() in KNOWN_DEV_SECRET_KEYS:
        problems.append("SECRET_KEY is a published development value; generate a new one.")
    elif len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY is {len(key)} characters long; use at least {MIN_SECRET_KEY_LENGTH}."
        )
    base_url = str(config.get("BASE_URL") or "")
    if not base_url:
        problems.append("BASE_URL is not set (the public address, https://…).")
    elif not base_url.lower().startswith("https://"):
        problems.append(f"BASE_URL must start with https:// (it is {base_url}).")
    if not config.get("DATABASE_URL"):
        problems.append(
            "DATABASE_URL is not set: say which database to use (postgresql://… or sqlite:///…)."
        )
    mail_from = str(config.get("MAIL_FROM") or "")
    if not mail_from:
        problems.append("MAIL_FROM is not set (the sender address of every email).")
    elif "@localhost" in mail_from.lower():
        problems.append(f"MAIL_FROM is a local address ({mail_from}); use a real one.")
    return problems


def config_for(name: str | None) -> Config:
    """Pick the config class from CORNER_ENV (development, production, testing)."""
    name = (name or os.environ.get("CORNER_ENV") or "development").lower()
    classes: dict[str, type[Config]] = {
        "development": DevelopmentConfig,
        "production": ProductionConfig,
        "testing": TestingConfig,
    }
    if name not in classes:
        raise RuntimeError(f"Unknown CORNER_ENV {name!r}; use development, production or testing.")
    return classes[name]()
