"""Configuration classes. Everything comes from the environment; SQLite is the default."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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


class Config:
    """Settings shared by every environment."""

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

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            self.SECRET_KEY = _local_secret_key()


class ProductionConfig(Config):
    """Production: SECRET_KEY must come from the environment; cookies are secure."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production (CORNER_ENV=production).")


class TestingConfig(Config):
    """Tests: a fixed key, the database URL is given by the test fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    BASE_URL = "http://corner.test"
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, object] = {}
    RATELIMIT_ENABLED = False  # a test that is about rate limits turns it on
    SMTP_PORT = 0  # tests start their own SMTP server and say where it is


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
