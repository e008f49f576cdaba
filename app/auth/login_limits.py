"""Sign-in protection: limits on wrong passwords and wrong two-factor codes that hold across
every worker process and every host, because they are counted in the database
(``app.ratelimit``), not in a worker's memory.

The rules (``docs/operations.md``, "Sign-in protection", says the same for operators):

- **Per client address: 10 wrong answers a minute.** An attempt is counted *before* the
  password is checked (a reservation, so requests sent at once cannot slip past the limit)
  and given back when the password turns out right. So only wrong answers count, and an
  office where everyone shares one address can sign in as many people as it likes. While
  an address has 10 in the current minute, its attempts are refused with 429 unchecked.
- **Per account: 20 wrong answers an hour.** The account is the email address typed,
  normalised, counted alike whether or not any account has it (so the limit says nothing
  about who has an account). Once an account has 20, further attempts for it are refused,
  but **only from addresses that have themselves given a wrong answer for it this hour**.
  A right password from any other address still signs in at once: someone else's failures
  never lock the owner out. The price: after the lock each fresh address gets a single
  guess at that account an hour, and it also has its own 10 a minute.

Two-factor codes use the same rules in their own counters (the account is the user).
Client addresses and emails are stored only as hashes (``ratelimit.address_key``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app import ratelimit

PER_CLIENT = 10
CLIENT_WINDOW_SECONDS = 60
PER_ACCOUNT = 20
ACCOUNT_WINDOW_SECONDS = 3600

TOO_MANY = "Too many sign-in attempts. Wait a minute and try again."


@dataclass(frozen=True)
class Attempt:
    """One reserved attempt: what to give back on success or to count on failure."""

    client_key: str
    client_window: int
    account_key: str
    pair_key: str


class _Refused(Exception):
    pass


def begin(
    engine: Any, scope: str, account: str, client: str | None, now: datetime
) -> Attempt | None:
    """Reserve one attempt at ``account`` from ``client``; None when it must be refused.

    One short transaction of its own: a refused attempt counts nothing.
    """
    attempt = Attempt(
        client_key=ratelimit.address_key(f"{scope}_client", client),
        client_window=ratelimit.window_start(now, CLIENT_WINDOW_SECONDS),
        account_key=ratelimit.address_key(f"{scope}_account", account),
        pair_key=ratelimit.address_key(f"{scope}_pair", f"{account}\n{client or ''}"),
    )
    try:
        with engine.begin() as conn:
            if ratelimit.hit(conn, attempt.client_key, now, CLIENT_WINDOW_SECONDS) > PER_CLIENT:
                raise _Refused  # rolls this hit back
            if ratelimit.count(conn, attempt.pair_key, now, ACCOUNT_WINDOW_SECONDS) and (
                ratelimit.count(conn, attempt.account_key, now, ACCOUNT_WINDOW_SECONDS)
                >= PER_ACCOUNT
            ):
                raise _Refused
    except _Refused:
        return None
    return attempt


def succeeded(engine: Any, attempt: Attempt) -> None:
    """The answer was right: the reservation does not count."""
    with engine.begin() as conn:
        ratelimit.release(conn, attempt.client_key, attempt.client_window)


def failed(engine: Any, attempt: Attempt, now: datetime) -> None:
    """The answer was wrong: the reservation stays, and the account and the pair
    (account, address) count one more."""
    with engine.begin() as conn:
        ratelimit.hit(conn, attempt.account_key, now, ACCOUNT_WINDOW_SECONDS)
        ratelimit.hit(conn, attempt.pair_key, now, ACCOUNT_WINDOW_SECONDS)
