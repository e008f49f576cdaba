"""The self-referral form's admin settings: how many accepted referrals an hour, and how a
parent reaches the charity instead (shown when the limit is reached). Stored with
``app.settings`` under ``SETTINGS_KEY``, defaults here."""

from __future__ import annotations

from typing import Any

from wtforms import EmailField, IntegerField, TelField
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from app.extensions import SessionLike
from app.forms import CornerForm, strip_filter
from app.settings import get_settings

SETTINGS_KEY = "referrals"
DEFAULTS: dict[str, Any] = {
    # accepted self-referrals an hour: a clinic or hospital network shares one address
    "per_email": 5,
    "per_address": 30,
    # how to refer by phone or email instead; empty hides the line
    "phone": "",
    "email": "",
}
WINDOW_SECONDS = 3600


def referral_settings(session: SessionLike) -> dict[str, Any]:
    return get_settings(session, SETTINGS_KEY, DEFAULTS)


def _limit(label: str, hint: str) -> IntegerField:
    return IntegerField(
        label,
        description=hint,
        validators=[
            InputRequired("Enter a whole number."),
            NumberRange(1, 10_000, "Enter a number from 1 to 10,000."),
        ],
    )


class ReferralSettingsForm(CornerForm):
    per_email = _limit(
        "Referrals an hour from one email address",
        "Stops the same form being sent over and over. Forms sent back with a mistake "
        "do not count.",
    )
    per_address = _limit(
        "Referrals an hour from one internet address",
        "A clinic, hospital or library often shares one address between many people: "
        "keep this high enough for them.",
    )
    phone = TelField(
        "Phone number parents can call to refer themselves (optional)",
        description="Shown when the form cannot take more referrals. Leave empty to hide it.",
        filters=[strip_filter],
        validators=[Optional(), Length(max=40)],
    )
    email = EmailField(
        "Email address parents can write to (optional)",
        description="Shown when the form cannot take more referrals. Leave empty to hide it.",
        filters=[strip_filter],
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.org."),
            Length(max=254),
        ],
    )

    def values(self) -> dict[str, Any]:
        return {
            "per_email": int(self.per_email.data or DEFAULTS["per_email"]),
            "per_address": int(self.per_address.data or DEFAULTS["per_address"]),
            "phone": self.phone.data or "",
            "email": self.email.data or "",
        }
