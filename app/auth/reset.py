"""Forgotten passwords: a single-use link, valid for an hour, sent by email.

The answer to "send me a link" is the same whether or not the address has an account, and
the work is similar (a token is made and the email rendered either way), so neither the
page nor its timing says who has an account. Only the token's hash is stored.

Services take a session and ``now``, flush but never commit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import render_template
from sqlalchemy import select

from app.auth.service import (
    find_user_by_email,
    normalise_email,
    set_password,
    token_hash,
    use_up_open_links,
)
from app.email import link, queue_email
from app.extensions import SessionLike
from app.models import Invitation, PasswordReset, User
from app.ratelimit import address_key

RESET_LIFETIME = timedelta(hours=1)
RESET_WINDOW_SECONDS = 3600
#: requests an hour: from one client address, for one email address, for one account
PER_CLIENT = 20
PER_EMAIL = 3
PER_ACCOUNT = 3
EMAIL_SUBJECT = "Reset your Corner password"
EMAIL_TEMPLATE = "password_reset"


def active_user_for(session: SessionLike, email: str) -> User | None:
    """The active account with this email address, or None."""
    user = find_user_by_email(session, email)
    return user if user is not None and user.active else None


def reset_limits(email: str, user: User | None, client: str | None) -> list[tuple[str, int]]:
    """The rate-limit keys (``app.ratelimit.take``) and limits of one request.

    The per-account key counts only for a known account; its absence costs nothing visible.
    """
    limits = [
        (address_key("password_reset_client", client), PER_CLIENT),
        (address_key("password_reset_email", normalise_email(email)), PER_EMAIL),
    ]
    if user is not None:
        limits.append((f"password_reset_account:{user.id}", PER_ACCOUNT))
    return limits


def request_password_reset(session: SessionLike, now: datetime, user: User | None) -> str:
    """Email ``user`` (an active account, or None) a new link; earlier links stop working.

    Returns the token; with no user a token is made and the email rendered all the same,
    and nothing is stored or sent.
    """
    token = secrets.token_urlsafe(32)
    hashed = token_hash(token)
    url = link("auth.reset_password_page", token=token)
    if user is None:
        render_template(f"emails/{EMAIL_TEMPLATE}.txt", reset_url=url)
        render_template(f"emails/{EMAIL_TEMPLATE}.html", reset_url=url)
        return token
    _use_up(session, user, now)
    session.add(
        PasswordReset(
            user_id=user.id,
            token_hash=hashed,
            created_at=now,
            expires_at=now + RESET_LIFETIME,
        )
    )
    queue_email(
        session,
        now,
        kind="password_reset",
        to=[user.email],
        subject=EMAIL_SUBJECT,
        template=EMAIL_TEMPLATE,
        context={"reset_url": url},
    )
    session.flush()
    return token


def _use_up(session: SessionLike, user: User, now: datetime) -> None:
    use_up_open_links(session, user, now, PasswordReset)


@dataclass(frozen=True)
class ResetCheck:
    reset: PasswordReset | None
    problem: str | None


NOT_VALID = "This link is not valid. You can ask for a new one on the login page."


def check_reset(session: SessionLike, token: str, now: datetime) -> ResetCheck:
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    )
    if reset is None:
        return ResetCheck(None, NOT_VALID)
    if reset.used_at is not None:
        return ResetCheck(
            None,
            "This link has already been used, or a newer one was sent. "
            "Use the newest link, or ask for a new one on the login page.",
        )
    if now >= reset.expires_at:
        return ResetCheck(
            None,
            "This link has expired: it works for an hour. Ask for a new one on the login page.",
        )
    if not reset.user.active:
        return ResetCheck(None, "This account is not active. Ask your coordinator.")
    return ResetCheck(reset, None)


def reset_password(
    session: SessionLike, reset: PasswordReset, password: str, now: datetime
) -> User:
    """Set the new password, use up every open link of the account (reset links and
    invitations) and end its sessions."""
    user = reset.user
    _use_up(session, user, now)
    use_up_open_links(session, user, now, Invitation)
    reset.used_at = now
    set_password(user, password)  # a new session token: every browser is logged out
    session.flush()
    return user
