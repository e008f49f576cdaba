"""Helpers for views: the request's clock, the client's address, the audit trail, safe redirects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from app.audit import record
from app.domain import DB_INT_MAX
from app.extensions import db
from app.models import AuditEvent
from app.timeutil import utcnow

REQUEST_NOW = "corner.now"
PAGE_MAX = 100_000  # a page number past any list, still a small OFFSET
REFUSAL_URL = "corner.refusal_url"


def now() -> datetime:
    """The instant of this request: read once, so every write in it agrees.

    Kept on the request itself (its WSGI environ), so each request has its own. Tests and
    demos may pin it with the ``CORNER_NOW`` config (an instant or a callable).
    """
    if has_request_context() and REQUEST_NOW in request.environ:
        return request.environ[REQUEST_NOW]
    fixed = current_app.config.get("CORNER_NOW")
    instant: datetime = utcnow() if fixed is None else (fixed() if callable(fixed) else fixed)
    if has_request_context():
        request.environ[REQUEST_NOW] = instant
    return instant


def client_ip() -> str | None:
    """The client's address as seen by Werkzeug (configure ProxyFix in front of a proxy)."""
    return request.remote_addr


def audit(
    action: str,
    object_type: str | None = None,
    object_id: int | str | None = None,
    *,
    detail: str | None = None,
    actor_id: int | None = None,
) -> AuditEvent:
    """Record what the signed-in user just did, at this request's time and address.

    ``actor_id`` is for the moments before anyone is signed in (a login attempt).
    """
    if actor_id is None and current_user.is_authenticated:
        actor_id = current_user.id
    return record(
        db.session,
        now(),
        action,
        actor_id=actor_id,
        object_type=object_type,
        object_id=object_id,
        ip=client_ip(),
        detail=detail,
    )


def audit_viewed(
    html: str,
    action: str,
    object_type: str,
    object_id: int,
    *,
    detail: str | None = None,
) -> str:
    """Record that the signed-in user read something, once its page is rendered; commit.

    Reading a parent's details or a check-in writes one audit row ("parent.viewed",
    "checkin.viewed"). Added before rendering, that INSERT is flushed by the first query the
    template runs, so the request holds the database's write lock (SQLite has a single
    writer) for the whole of rendering, and every other request's write queues behind it.
    Added here, after the page is rendered, the write transaction is one INSERT and its
    COMMIT: a millisecond or two. The event is still written in the same request, before the
    page is sent, and a commit that fails fails the request, so no page is ever shown
    without its event. (Batching the events would shorten the write further but could lose
    a batch in a crash: a read of someone's details missing from the trail.)
    """
    audit(action, object_type, object_id, detail=detail)
    db.session.commit()
    return html


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


def on_refusal_go_to(url: str) -> None:
    """Where the ServiceError handler sends the user if a service refuses in this request.

    Without it the user goes back to the page they came from (``back_url``).
    """
    request.environ[REFUSAL_URL] = url


def refusal_url(default: str) -> str:
    """The page for a refused request: the view's choice, else the page the user came from."""
    chosen = request.environ.get(REFUSAL_URL)
    return str(chosen) if chosen else back_url(default)


def back_url(default: str) -> str:
    """Where the user came from on this site (the Referer's path), else ``default``."""
    referrer = request.referrer
    if not referrer:
        return default
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return default
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path, default)


class BoundedIntConverter(IntegerConverter):
    """The ``int`` URL converter, bounded by the database's integer (``create_app`` installs it).

    ``/cases/2147483648`` no longer matches, so it is a 404 rather than an overflow in the
    database. Every ``<int:...>`` in every route uses it.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)


def id_url(endpoint: str, key: str) -> Callable[[int], str]:
    """``url_for(endpoint, key=id)`` for the many ids of a list, built once for the page: the
    route is built for the largest id a column holds and the id spliced in for each row
    (Werkzeug builds each URL in ~20 us, 50 rows and several links a row add up). Only
    whole numbers go in, as the route's ``int`` converter would have it."""
    values: dict[str, Any] = {key: DB_INT_MAX}
    built = url_for(endpoint, **values)
    head, _, tail = built.rpartition(str(DB_INT_MAX))

    def url(value: int) -> str:
        return f"{head}{int(value)}{tail}"

    return url


def int_arg(name: str, default: int, *, low: int = 1, high: int = DB_INT_MAX) -> int:
    """A whole-number query argument, clamped to ``low..high`` (not a number: ``default``)."""
    value = request.args.get(name, default, type=int)
    return min(max(low, value if value is not None else default), high)


def page_arg() -> int:
    """The ``page`` argument: a whole number from 1 (anything else is page 1)."""
    return int_arg("page", 1, high=PAGE_MAX)


def list_args() -> dict[str, list[str]]:
    """The query arguments but ``page``, empty ones left out: what page links carry along so
    the filters survive paging (``url_for(endpoint, page=n, **list_args())``)."""
    return {
        key: [value for value in values if value]
        for key, values in request.args.lists()
        if key != "page" and any(values)
    }
