"""The privacy settings an admin changes: the retention period and the safeguarding refusal.
Stored with ``app.settings`` under ``SETTINGS_KEY``; defaults here."""

from __future__ import annotations

from typing import Any

from app.extensions import SessionLike
from app.settings import get_settings

SETTINGS_KEY = "privacy"
#: a parent is anonymised this many months after her last case closed (six years)
DEFAULT_RETENTION_MONTHS = 72
MIN_RETENTION_MONTHS = 1
MAX_RETENTION_MONTHS = 1200  # a hundred years
DEFAULTS: dict[str, Any] = {
    "retention_months": DEFAULT_RETENTION_MONTHS,
    "refuse_unresolved_safeguarding": True,
}


def privacy_settings(session: SessionLike) -> dict[str, Any]:
    """The stored settings over the defaults (a stored value out of range falls back)."""
    values = get_settings(session, SETTINGS_KEY, DEFAULTS)
    months = values["retention_months"]
    if not isinstance(months, int) or not MIN_RETENTION_MONTHS <= months <= MAX_RETENTION_MONTHS:
        values["retention_months"] = DEFAULT_RETENTION_MONTHS
    values["refuse_unresolved_safeguarding"] = bool(values["refuse_unresolved_safeguarding"])
    return values
