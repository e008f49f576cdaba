"""Production refuses a half configuration: one message naming every problem at once.

* ``check_config(app)`` (in ``create_app``): with ``CORNER_ENV=production`` the settings
  ``config.production_problems`` names (``SECRET_KEY``, ``BASE_URL``, ``DATABASE_URL``,
  ``MAIL_FROM``) must be right, or the app is never built: every command and process refuses.
* ``check_ready_to_serve(app)`` (the WSGI entry point ``app.wsgi:application`` that
  ``gunicorn.conf.py`` serves, and ``flask scheduler run``): the same, and the database
  must hold no demo accounts (their password is published). Commands such as
  ``flask db upgrade`` and ``flask demo remove`` are not held back by the demo, so the way
  out is always open.
"""

from __future__ import annotations

import logging
import sys

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from app.demo.vocab import DEMO_DOMAIN
from app.extensions import db
from config import production_problems

log = logging.getLogger("corner.production")


class UnsafeConfiguration(RuntimeError):
    """Production was asked to start with something missing or unsafe."""


def is_production(app: Flask) -> bool:
    return str(app.config.get("CORNER_ENV", "")).lower() == "production"


def refusal(problems: list[str]) -> str:
    lines = [f"Corner will not start in production (CORNER_ENV=production): {len(problems)}"]
    lines[0] += " problem to fix." if len(problems) == 1 else " problems to fix."
    lines += [f"  - {problem}" for problem in problems]
    lines.append("See docs/operations.md#the-environment for what each setting needs.")
    return "\n".join(lines)


def check_config(app: Flask) -> None:
    """Raise ``UnsafeConfiguration`` naming every missing or unsafe production setting."""
    if not is_production(app):
        return
    problems = production_problems(app.config)
    if problems:
        raise UnsafeConfiguration(refusal(problems))


def database_problems(app: Flask) -> list[str]:
    """What in the database forbids serving: demo accounts. A database that cannot be read
    (down, or not migrated yet) is logged, not refused: /healthz reports it."""
    from app.demo.build import demo_exists  # the demo builder imports the whole model

    try:
        with app.app_context():
            try:
                demo = demo_exists(db.session)
            finally:
                db.session.remove()
    except SQLAlchemyError as error:
        log.warning("Could not check the database for demo accounts: %s", type(error).__name__)
        return []
    if demo:
        return [
            f"The database holds the demo accounts (@{DEMO_DOMAIN}, whose password is"
            " published): remove them with `flask --app app demo remove --yes`."
        ]
    return []


def check_ready_to_serve(app: Flask) -> None:
    """Production only: raise ``UnsafeConfiguration`` for the configuration or the demo."""
    if not is_production(app):
        return
    problems = production_problems(app.config) + database_problems(app)
    if problems:
        raise UnsafeConfiguration(refusal(problems))


def serving_app() -> Flask:
    """The app for a WSGI server (``app.wsgi``): built, and checked for production; on a
    refusal, print it and exit with status 1 (no traceback to read through)."""
    from app import create_app

    try:
        app = create_app()
        check_ready_to_serve(app)
    except UnsafeConfiguration as refused:
        print(refused, file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    return app


def refuse_unsafe_start(app: Flask) -> None:
    """For a process about to act (the scheduler): print the refusal and exit with status 1."""
    try:
        check_ready_to_serve(app)
    except UnsafeConfiguration as refused:
        print(refused, file=sys.stderr, flush=True)
        raise SystemExit(1) from None
