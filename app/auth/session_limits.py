"""Sessions end: after ``SESSION_IDLE_MINUTES`` (30) without a request, and
``SESSION_MAX_HOURS`` (12) after logging in, whatever happens.

The login time and the last request's time are kept in the Flask session (the signed
cookie), as whole seconds since the epoch, stamped by Flask-Login's ``user_logged_in``
signal, so every way of logging in is covered. ``end_stale_session`` runs before the
access gate: a stale session is logged out and told why, and the gate then sends the
visitor to the login page like anyone anonymous. The clock is ``app.web.now`` (tests pin it
with ``CORNER_NOW``).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, request, session
from flask_login import current_user, logout_user

from app.web import now

LOGIN_AT = "corner.login_at"
SEEN_AT = "corner.seen_at"
#: the last-seen time is rewritten at most this often (not a new cookie on every request)
SEEN_RESOLUTION_SECONDS = 60
#: requests that never touch the session: static files, the health check
UNTRACKED_ENDPOINTS = frozenset({"static", "health.healthz"})


def _epoch() -> int:
    return int(now().timestamp())


def stamp_login(sender: Any, user: Any = None, **extra: Any) -> None:
    """Flask-Login's ``user_logged_in`` signal: the session starts now."""
    moment = _epoch()
    session[LOGIN_AT] = moment
    session[SEEN_AT] = moment


def idle_words(minutes: float) -> str:
    if minutes >= 60 and minutes % 60 == 0:
        hours = int(minutes // 60)
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes:g} minute{'s' if minutes != 1 else ''}"


def stale_reason(
    login_at: int, seen_at: int, moment: int, idle_minutes: float, max_hours: float
) -> str | None:
    """Why a session with these times has ended at ``moment``, or None while it holds."""
    if moment - login_at >= max_hours * 3600:
        return (
            f"You were signed out because you logged in more than {max_hours:g} hours ago."
            " Please log in again."
        )
    if moment - seen_at >= idle_minutes * 60:
        return (
            f"You were signed out after {idle_words(idle_minutes)} without activity."
            " Please log in again."
        )
    return None


def end_stale_session() -> None:
    """before_request: log out a session that has been idle or alive too long."""
    if request.endpoint in UNTRACKED_ENDPOINTS or not current_user.is_authenticated:
        return
    moment = _epoch()
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        # a session from before these limits: it starts counting now
        session[LOGIN_AT] = session[SEEN_AT] = moment
        return
    reason = stale_reason(
        login_at,
        seen_at,
        moment,
        float(current_app.config["SESSION_IDLE_MINUTES"]),
        float(current_app.config["SESSION_MAX_HOURS"]),
    )
    if reason is not None:
        logout_user()
        session.clear()
        flash(reason, "warning")
        return
    if moment - seen_at >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = moment
