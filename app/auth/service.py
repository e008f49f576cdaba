"""Account operations: authenticate, invite, accept an invitation, change password, deactivate.

Services take a session and ``now``, flush but never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.domain import Role, ServiceError
from app.email import link, queue_email
from app.extensions import SessionLike
from app.models import Area, Invitation, PasswordReset, User, VolunteerProfile

INVITATION_LIFETIME = timedelta(days=7)


class AccountError(ServiceError):
    """A request about an account that cannot be carried out, in plain words."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(session: SessionLike, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(session: SessionLike, email: str, password: str, now: datetime) -> User | None:
    """The active user with this email and password, or None (same work either way)."""
    user = find_user_by_email(session, email)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.active:
        return None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return user


def create_user(
    session: SessionLike,
    now: datetime,
    *,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    areas: list[Area] | None = None,
) -> User:
    """Create an account without a password (it is set through an invitation)."""
    if role not in {r.value for r in Role}:
        raise AccountError(f"Unknown role {role!r}: use admin, coordinator or volunteer.")
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError("Enter an email address in the correct format, like name@example.org.")
    if find_user_by_email(session, email) is not None:
        raise AccountError(f"There is already an account for {email}.")
    user = User(
        email=email,
        role=role,
        first_name=first_name or email.split("@")[0],
        last_name=last_name,
        active=True,
        created_at=now,
    )
    # Only coordinators belong to areas (that is what they see); a volunteer's area is on
    # their profile, so they never appear among an area's coordinators.
    user.areas = list(areas or []) if role == Role.COORDINATOR else []
    session.add(user)
    if role == Role.VOLUNTEER:
        area = areas[0] if areas else None
        session.add(VolunteerProfile(user=user, area=area, updated_at=now))
    session.flush()
    return user


def token_hash(token: str) -> str:
    """What is stored of a link's token (invitations, password resets)."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_invitation(
    session: SessionLike, now: datetime, user: User, created_by: User | None = None
) -> str:
    """A new single-use invitation for ``user``; returns the token (only its hash is kept).

    Earlier unused invitations of the same user stop working.
    """
    for old in session.scalars(
        select(Invitation).where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            user_id=user.id,
            token_hash=token_hash(token),
            created_by_id=created_by.id if created_by else None,
            created_at=now,
            expires_at=now + INVITATION_LIFETIME,
        )
    )
    session.flush()
    return token


INVITATION_SUBJECT = "Set your password for Corner"


def queue_invitation_email(session: SessionLike, now: datetime, user: User, token: str) -> str:
    """Queue the set-password link to the user (no names in it); returns the link."""
    url = link("auth.accept", token=token)
    queue_email(
        session,
        now,
        kind="invitation",
        to=[user.email],
        subject=INVITATION_SUBJECT,
        template="invitation",
        context={"invitation_url": url, "days": INVITATION_LIFETIME.days},
    )
    return url


def invite_by_email(
    session: SessionLike, now: datetime, user: User, created_by: User | None = None
) -> str:
    """A new invitation for ``user``, emailed to them; returns its link (to show as well)."""
    token = issue_invitation(session, now, user, created_by)
    return queue_invitation_email(session, now, user, token)


@dataclass(frozen=True)
class InvitationCheck:
    invitation: Invitation | None
    problem: str | None


def check_invitation(session: SessionLike, token: str, now: datetime) -> InvitationCheck:
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None:
        return InvitationCheck(None, "This link is not valid. Ask your coordinator for a new one.")
    if invitation.used_at is not None:
        newer = session.scalar(
            select(func.count())
            .select_from(Invitation)
            .where(Invitation.user_id == invitation.user_id, Invitation.id > invitation.id)
        )
        if newer:
            return InvitationCheck(
                None, "A newer link has been sent for this account. Use the newest link."
            )
        return InvitationCheck(None, "This link has already been used. Ask for a new one.")
    if now >= invitation.expires_at:
        return InvitationCheck(None, "This link has expired. Ask your coordinator for a new one.")
    if not invitation.user.active:
        return InvitationCheck(None, "This account is not active. Ask your coordinator.")
    return InvitationCheck(invitation, None)


def accept_invitation(
    session: SessionLike, invitation: Invitation, password: str, now: datetime
) -> User:
    """Set the password from an invitation and use the invitation (and any open password
    reset link of the account) up."""
    invitation.used_at = now
    user = invitation.user
    use_up_open_links(session, user, now, PasswordReset)
    set_password(user, password)
    session.flush()
    return user


def use_up_open_links(
    session: SessionLike, user: User, now: datetime, kind: type[Invitation] | type[PasswordReset]
) -> None:
    """Every unused link of ``kind`` of the user stops working (one statement)."""
    session.execute(
        update(kind)
        .where(kind.user_id == user.id, kind.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def set_password(user: User, password: str) -> None:
    """Set a new password and end every existing session of the user."""
    user.password_hash = hash_password(password)
    user.rotate_session_token()


def log_out_everywhere(user: User) -> None:
    """End every session of the user, in every browser."""
    user.rotate_session_token()


def deactivate(user: User) -> None:
    """The user can no longer log in; every session they have ends now."""
    user.active = False
    user.rotate_session_token()


def reactivate(user: User) -> None:
    user.active = True
