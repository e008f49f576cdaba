"""Queries of the accounts area."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.extensions import SessionLike
from app.models import User

#: built once: every signed-in request runs it, and building a select() (and its cache key)
#: costs more than running this one on its index. The account's areas and volunteer profile
#: come with it (every page asks which cases she may see, ``app.scope``, which reads them):
#: one statement, not two.
_BY_SESSION_TOKEN = (
    select(User)
    .options(joinedload(User.areas), joinedload(User.volunteer_profile))
    .where(User.session_token == bindparam("token"))
)


def user_with_session_token(session: SessionLike, token: str) -> User | None:
    """The account whose current session token this is (active or not)."""
    return session.execute(_BY_SESSION_TOKEN, {"token": token}).unique().scalar_one_or_none()
