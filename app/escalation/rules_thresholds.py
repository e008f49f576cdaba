"""The escalation thresholds: their defaults, and the fields of the admin settings form.

Saved under ``SETTINGS_KEY`` in the admin settings; ``scan.saved_thresholds`` reads them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

SETTINGS_KEY = "escalation"

#: A newly assigned volunteer's first contact is due within this many days (the default of
#: the ``first_contact_days`` setting).
FIRST_CONTACT_DAYS = 3

#: Label, hint, lowest and highest allowed value of each threshold (the settings form).
THRESHOLD_FIELDS: dict[str, tuple[str, str, int, int]] = {
    "no_contact_days": ("No contact: days", "Raise a flag after this many days.", 1, 365),
    "no_contact_high_risk_days": (
        "No contact, high-risk parent: days",
        "A shorter period for parents marked high risk.",
        1,
        365,
    ),
    "no_contact_severe_days": (
        "No contact: days before it becomes high severity",
        "",
        1,
        730,
    ),
    "first_contact_days": (
        "First contact after a volunteer is assigned: days",
        "A newly assigned volunteer's first call or visit is due within this many days.",
        1,
        60,
    ),
    "attempts_in_a_row": ("Unsuccessful attempts in a row", "", 1, 20),
    "wellbeing_low_max": (
        "Low wellbeing: score at or below",
        "Scores run from 1 (struggling) to 5 (doing well).",
        1,
        4,
    ),
    "wellbeing_falling_latest_max": (
        "Falling wellbeing: latest score at or below",
        "Raised when the last three scores fall.",
        1,
        5,
    ),
    "bonding_low_max": ("Getting to know baby: score at or below", "", 1, 4),
    "birth_soon_window_days": ("Birth soon: days before the due date", "", 1, 120),
    "birth_soon_contact_days": ("Birth soon: days without contact", "", 1, 120),
    "after_birth_days": ("After the birth: days without contact", "", 1, 120),
    "birth_overdue_days": ("Birth not recorded: days after the due date", "", 1, 120),
    "unmatched_days": ("Waiting for a volunteer: days since referral", "", 1, 365),
    "stale_draft_days": ("Unfinished check-in draft: days untouched", "", 1, 60),
    "urgent_ack_minutes": (
        "Urgent flag not acknowledged: minutes before it is chased",
        "Then the duty address, the area's coordinators and the safeguarding leads are"
        " emailed; after twice as long, the admins.",
        5,
        1440,
    ),
}


@dataclass(frozen=True)
class Thresholds:
    no_contact_days: int = 14
    no_contact_high_risk_days: int = 7
    no_contact_severe_days: int = 30
    first_contact_days: int = FIRST_CONTACT_DAYS
    attempts_in_a_row: int = 3
    wellbeing_low_max: int = 2
    wellbeing_falling_latest_max: int = 3
    bonding_low_max: int = 2
    birth_soon_window_days: int = 28
    birth_soon_contact_days: int = 14
    after_birth_days: int = 14
    birth_overdue_days: int = 21
    unmatched_days: int = 10
    stale_draft_days: int = 3
    #: URGENT_ACK_MINUTES: the chase (``escalation/chase.py``), not a scan rule
    urgent_ack_minutes: int = 60

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> Thresholds:
        known = {name: int(values[name]) for name in DEFAULT_THRESHOLDS if name in values}
        return cls(**known)


#: The defaults (docs/domain.md, "Thresholds"); admins change them on the settings page.
DEFAULT_THRESHOLDS: dict[str, int] = asdict(Thresholds())
