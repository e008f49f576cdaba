"""Two-factor sign-in codes (TOTP, RFC 6238) and recovery codes: the pure rules.

No Flask, no database: ``app.auth.two_factor_service`` stores what these compute. A code is
the 6 digits an authenticator app shows for a 30-second time-step; the step before and the
step after are accepted too (clocks drift), and a step is never accepted twice (the last one
used is stored), so a code seen over someone's shoulder is no use afterwards.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno

ISSUER = "Corner"
DIGITS = 6
#: steps either side of now that are still accepted
DRIFT_STEPS = 1
RECOVERY_CODES = 10
#: no 0/o, 1/l/i: a recovery code is read off paper and typed
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10  # about 50 bits each, shown as xxxxx-xxxxx


def new_secret() -> str:
    """A fresh base32 secret (160 bits) for one person's authenticator app."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, email: str) -> str:
    """The ``otpauth://`` address the QR code holds (the app shows "Corner (email)")."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as an inline SVG element (no script, no style attribute)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, title="QR code to scan"))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def clean_code(typed: str) -> str:
    """What was typed, without spaces and dashes, in lower case."""
    return "".join(ch for ch in typed.casefold() if ch not in " -\t")


def looks_like_totp(typed: str) -> bool:
    code = clean_code(typed)
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_step(secret: str, typed: str, now: datetime, last_step: int | None) -> int | None:
    """The time-step whose code was typed (now, or one step either side), or None when the
    code is wrong or its step is not later than ``last_step`` (already used, or older)."""
    if not looks_like_totp(typed):
        return None
    code = clean_code(typed)
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step if last_step is None or step > last_step else None
    return None


def new_recovery_codes() -> list[str]:
    """Ten single-use recovery codes, like ``k7mqa-3xrtp``."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_hash(typed: str) -> str:
    """What is stored of a recovery code (it is random enough for a plain hash)."""
    return hashlib.sha256(clean_code(typed).encode()).hexdigest()
