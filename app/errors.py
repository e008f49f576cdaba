"""Errors: the friendly error pages, and one handler for every refusal a service raises.

A service raises a ``ServiceError`` (or a subclass: ``CaseError``, ``MatchError``,
``FlagError``, ``AccountError``) with a message a coordinator or volunteer can act on. A
view lets it propagate; ``register_errors`` answers it once for the whole app: nothing
is committed, the message is flashed, and the user is sent back to the page they came from
(or where the view said with ``app.web.on_refusal_go_to``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, flash, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app.domain import ServiceError
from app.extensions import db
from app.forms import UnreadableInput
from app.web import refusal_url

ERROR_TEXT = {
    400: (
        "Something was wrong with that request",
        "Go back, check what you entered and try again.",
    ),
    403: ("You cannot see this page", "Your account does not have access to this page."),
    404: ("Page not found", "Check the address, or go back to your home page."),
    405: ("That did not work", "This page cannot be used that way. Go back and try again."),
    410: ("This link has expired", "Ask for a new link."),
    413: ("That file is too big", "Split the files and try again."),
    429: ("Too many attempts", "Please wait a minute and try again."),
    500: (
        "Sorry, something went wrong",
        "Please try again in a moment. If it keeps happening, tell your coordinator.",
    ),
}


def render_error(code: int) -> tuple[str, int]:
    title, message = ERROR_TEXT.get(code, ERROR_TEXT[500])
    if code == 413:
        message = f"Uploads can be up to {upload_limit()} in all. Split the files and try again."
    return render_template("errors/error.html", title=title, message=message), code


def upload_limit() -> str:
    """MAX_CONTENT_LENGTH in words: "50 MB" (or "48 KB")."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit < 1024 * 1024:
        return f"{limit // 1024:,} KB"
    return f"{limit // (1024 * 1024):,} MB"


def register_errors(app: Flask) -> None:
    """The error pages and the ``ServiceError`` handler, once for every blueprint."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError) -> Response:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(refusal_url(url_for("main.home")))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        title = "Your form timed out"
        message = "For your security, forms expire. Go back, reload the page and try again."
        return render_template("errors/error.html", title=title, message=message), 400

    @app.errorhandler(UnreadableInput)
    def unreadable_input(error: UnreadableInput) -> tuple[str, int]:
        title = "That address cannot be read"
        return render_template("errors/error.html", title=title, message=error.description), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
