"""Deny-by-default access rules.

Every view must carry exactly one rule: ``@public`` (no login) or ``@roles(...)``.
``enforce_access`` runs before every request: a view without a rule is refused (403),
an anonymous visitor is sent to the login page, a logged-in user without the role gets 403.
Ownership (a volunteer sees only their own parents) is checked in each view's query and
answers 404, so ids of other people's records reveal nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

F = TypeVar("F", bound=Callable[..., Any])

PUBLIC = "public"
ACCESS_ATTR = "corner_access"
#: set in the session of staff who signed in while two-factor sign-in is required of them
#: and not yet set up: until they set it up, only these pages open
MUST_ENROL = "two_factor_must_enrol"
WHILE_ENROLLING = frozenset({"auth.two_factor_setup", "auth.logout"})


def public(view: F) -> F:
    """Mark a view as reachable without logging in."""
    setattr(view, ACCESS_ATTR, PUBLIC)
    return view


def roles(*names: str) -> Callable[[F], F]:
    """Mark a view as reachable by logged-in users with one of these roles."""
    if not names:
        raise ValueError("roles() needs at least one role")

    def mark(view: F) -> F:
        setattr(view, ACCESS_ATTR, frozenset(names))
        return view

    return mark


def access_rule(view: Callable[..., Any]) -> str | frozenset[str] | None:
    return getattr(view, ACCESS_ATTR, None)


def enforce_access() -> Response | None:
    """before_request hook: the single gate every request passes."""
    endpoint = request.endpoint
    if endpoint is None:
        return None  # no route matched: the 404 handler answers
    if endpoint == "static":
        return None
    view = current_app.view_functions[endpoint]
    rule = access_rule(view)
    if rule == PUBLIC:
        return None
    if rule is None:
        abort(403)  # a route without a rule is refused, never served
    if not current_user.is_authenticated:
        if request.method != "GET":  # never come back to a form post after logging in
            return redirect(url_for("auth.login"))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    assert isinstance(rule, frozenset)
    if current_user.role not in rule:
        abort(403)
    if session.get(MUST_ENROL) and endpoint not in WHILE_ENROLLING:
        return redirect(url_for("auth.two_factor_setup"))
    return None
