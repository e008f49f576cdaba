"""Two-factor sign-in for staff: enrol, check a code or a recovery code, turn off, reset,
and the admin setting that requires it. Services take a session and ``now``, flush, never
commit; the rules themselves are in ``app.auth.two_factor``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update

from app.auth import two_factor
from app.domain import Role
from app.extensions import SessionLike
from app.models import RecoveryCode, User
from app.settings import get_settings

#: the people who use two-factor sign-in (volunteers are never asked)
STAFF_ROLES = (Role.ADMIN.value, Role.COORDINATOR.value)
SETTINGS_KEY = "sign_in"
DEFAULTS: dict[str, Any] = {"require_two_factor": False}


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def two_factor_required(session: SessionLike) -> bool:
    """The admin setting: must admins and coordinators use two-factor sign-in?"""
    return bool(get_settings(session, SETTINGS_KEY, DEFAULTS)["require_two_factor"])


def must_enrol(session: SessionLike, user: User) -> bool:
    """Staff without two-factor sign-in while the setting requires it."""
    return is_staff(user) and not user.two_factor_on and two_factor_required(session)


def enrol(session: SessionLike, user: User, secret: str, step: int, now: datetime) -> list[str]:
    """Turn two-factor sign-in on with a confirmed ``secret`` (its code of ``step`` was typed);
    returns the 10 new recovery codes, to be shown once (only their hashes are kept)."""
    user.totp_secret = secret
    user.totp_last_step = step
    user.two_factor_since = now
    codes = two_factor.new_recovery_codes()
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=two_factor.recovery_hash(c), created_at=now)
        for c in codes
    )
    session.flush()
    return codes


def check_code(session: SessionLike, user: User, typed: str, now: datetime) -> bool:
    """True when ``typed`` is the user's current code, not used before, or one of their
    unused recovery codes; either way it is used up, in one conditional update (two
    requests with the same code cannot both pass)."""
    if user.totp_secret is None:
        return False
    if two_factor.looks_like_totp(typed):
        step = two_factor.matching_step(user.totp_secret, typed, now, user.totp_last_step)
        if step is None:
            return False
        used = session.execute(
            update(User)
            .where(
                User.id == user.id,
                or_(User.totp_last_step.is_(None), User.totp_last_step < step),
            )
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        )
        session.refresh(user, ["totp_last_step"])
        return bool(used.rowcount)  # type: ignore[attr-defined]
    used = session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == two_factor.recovery_hash(typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(used.rowcount)  # type: ignore[attr-defined]


def turn_off(session: SessionLike, user: User) -> None:
    """Two-factor sign-in off: the secret and every recovery code are gone (a lost phone is
    reset this way by an admin; the person enrols again)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_since = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.flush()


def recovery_codes_left(session: SessionLike, user: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )
