"""Password hashing with argon2id, and the rules a new password must meet.

Pure: no Flask, no database. The rules (``password_problem``): at least 10 characters; not
the demo password; nothing of the person's own (the email's name part, their first or last
name) and not "corner"; and not common or easy to guess, as zxcvbn scores it (its lists of
common passwords, names and words, and its patterns: keyboard rows, dates, repeats).
"""

from __future__ import annotations

from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from app.domain import DEMO_PASSWORD

_hasher = PasswordHasher()
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("corner-dummy-password-for-timing")

MIN_LENGTH = 10
MAX_LENGTH = 200
#: zxcvbn's score from 0 to 4; 3 is "safely unguessable: moderate protection from an
#: offline attack" (about 10^8 guesses or more).
MIN_SCORE = 3
#: zxcvbn's time grows quickly with length; past this the rest cannot make it weaker.
SCORED_LENGTH = 64
#: the shortest name or email part looked for in a password (shorter ones are everywhere)
MIN_PERSONAL = 3

TOO_COMMON = (
    "This password is too common or too easy to guess. "
    "Try three or four unrelated words, like a short sentence."
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; always does the work of one verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, *, email: str = "", names: Iterable[str] = ()) -> str | None:
    """A plain-language reason the password is not good enough, or None.

    ``email`` and ``names`` are the person's own (the account's email, first and last name).
    """
    if len(password) < MIN_LENGTH:
        return f"Your password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"Your password must be at most {MAX_LENGTH} characters long."
    if password.strip() != password:
        return "Your password cannot start or end with a space."
    folded = password.casefold()
    if folded == DEMO_PASSWORD.casefold():
        return "This is the demo password, which anyone can read. Choose your own."
    if "corner" in folded:
        return 'Don\'t use "Corner" in your password: it is the first word anyone would try.'
    local = email.split("@")[0].casefold().strip()
    if len(local) >= MIN_PERSONAL and local in folded:
        return "Don't use your email address in your password."
    own = [n.casefold().strip() for n in names]
    if any(len(name) >= MIN_PERSONAL and name in folded for name in own):
        return "Don't use your name in your password."
    inputs = [local, *own, "corner"]
    if zxcvbn(password[:SCORED_LENGTH], user_inputs=[w for w in inputs if w])["score"] < MIN_SCORE:
        return TOO_COMMON
    return None
