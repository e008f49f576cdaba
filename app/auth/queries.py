"""Queries of the accounts area."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import SessionLike
from app.models import User


def user_with_session_token(session: SessionLike, token: str) -> User | None:
    """The account whose current session token this is (active or not)."""
    return session.scalar(select(User).where(User.session_token == token))
