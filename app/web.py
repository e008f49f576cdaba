"""Helpers for views: the request's clock, the client's address, safe redirects."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app, request

from app.timeutil import utcnow


def now() -> datetime:
    """The current instant. Tests and demos may pin it with the ``CORNER_NOW`` config."""
    fixed = current_app.config.get("CORNER_NOW")
    if fixed is not None:
        return fixed() if callable(fixed) else fixed
    return utcnow()


def client_ip() -> str | None:
    """The client's address as seen by Werkzeug (configure ProxyFix in front of a proxy)."""
    return request.remote_addr


def safe_next(target: str | None, default: str) -> str:
    """Only redirect to a path on this site, never to another host."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target
