"""The words of a subject access report: what each section and field is called (pure).

``access.gather`` returns sections of records keyed by short field names (the keys of
``data.json``); the report (``templates/privacy/report.html``) shows each field under the
words here. Imports nothing from Flask, SQLAlchemy or the models.
"""

from __future__ import annotations

from app.domain import CheckInStatus, Role

#: Who did something, by role only: never another person's name, email or address.
ROLE_WORDS: dict[str, str] = {
    Role.ADMIN: "An administrator",
    Role.COORDINATOR: "A coordinator",
    Role.VOLUNTEER: "A peer supporter (volunteer)",
}
#: An audit event with no one signed in: the online form, a command or a scheduled task.
NO_ACTOR = "No one signed in (the online form or an automatic task)"
#: Who resolved a flag when no one did: the scan closes flags whose reason has gone.
AUTOMATIC = "Closed automatically by Corner"

CHECKIN_STATUS_WORDS: dict[str, str] = {
    CheckInStatus.SUBMITTED: "Recorded",
    CheckInStatus.DRAFT: "Draft (not finished by the volunteer)",
    CheckInStatus.DELETED: "Deleted (hidden from the case, still held)",
}

EXCLUSION_WORDS: dict[str, str] = {
    "declined": "Offered before and not a good match",
    "conflict": "Knows you or has a conflict of interest",
}

#: The sections of the report, in order: (key in the data, heading, what it is).
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("parent", "Your details", "What we hold about you and your baby."),
    ("consent", "Your consent", "When and how you agreed to our support."),
    ("cases", "Your support", "Each time you were referred to us, and what happened."),
    (
        "assignments",
        "Your peer supporters",
        "The volunteers who supported you (their first name only).",
    ),
    (
        "checkins",
        "Check-ins",
        "Each time a volunteer spoke to you or tried to, with what they recorded. "
        "Check-ins a coordinator deleted are still held, so they are listed and marked "
        "as deleted. Drafts a volunteer has not finished are listed too.",
    ),
    (
        "flags",
        "Concerns raised",
        "Corner raises a concern for a coordinator when something a volunteer recorded, "
        "or a long gap without contact, may need attention. Each shows what was done.",
    ),
    (
        "exclusions",
        "Volunteers not to be offered",
        "Volunteers we will not suggest for you again (their first name only).",
    ),
    (
        "audit",
        "Who looked at or changed your record",
        "Corner records each time someone opens or changes your record. We show their "
        "role and the date, not their name.",
    ),
)

#: What each field is called in the report.
FIELD_WORDS: dict[str, str] = {
    # parent
    "reference": "Our reference",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email address",
    "phone": "Phone number",
    "postcode": "Postcode",
    "location": "Map position worked out from your postcode (latitude, longitude)",
    "languages": "Languages",
    "due_date": "Due date",
    "birth_date": "Baby's date of birth",
    "experiences": "What you told us about your experience",
    "contact_mode": "How you prefer to be contacted",
    "availability": "When you are usually free",
    "referral_source": "Who referred you",
    "referred_on": "Date referred",
    "area": "Local service",
    "ethnic_group": "Ethnic group",
    "age_band": "Age at referral",
    "first_time_parent": "First-time parent",
    "disability": "Disability or long-term health condition",
    "interpreter_needed": "Needs an interpreter",
    "created_at": "Record created",
    "updated_at": "Last changed",
    # consent
    "consent_on": "Date you gave consent",
    "consent_method": "How you gave consent",
    "consent_scope": "What you agreed to",
    # cases
    "case": "Case",
    "status": "Status",
    "high_risk": "Marked high risk",
    "referred_at": "Referred",
    "closed_at": "Closed",
    "close_reason": "Why it closed",
    "coordinator": "Looked after by",
    # assignments
    "volunteer": "Volunteer (first name)",
    "started_at": "Started",
    "ended_at": "Ended",
    "end_reason": "Why it ended",
    "assigned_by": "Arranged by",
    # check-ins
    "occurred_at": "Date and time",
    "mode": "How",
    "duration_min": "How long (minutes)",
    "reached": "Reached you",
    "wellbeing": "Wellbeing score (1 to 5)",
    "bonding": "Getting to know baby score (1 to 5)",
    "felt_down": "Often felt down, depressed or hopeless in the past month",
    "little_interest": "Often had little interest or pleasure in doing things in the past month",
    "topics": "What you talked about",
    "concerns": "Concerns the volunteer recorded",
    "coordinator_today": "Volunteer asked a coordinator to call today",
    "notes": "Volunteer's notes",
    "recorded_by": "Recorded by (first name)",
    "submitted_at": "Finished",
    "deleted_at": "Deleted",
    "deleted_by": "Deleted by",
    # flags
    "concern": "Concern",
    "severity": "How urgent",
    "why": "Why it was raised",
    "raised_at": "Raised",
    "acknowledged_at": "Seen by a coordinator",
    "acknowledged_by": "Seen by",
    "resolved_at": "Resolved",
    "resolved_by": "Resolved by",
    "outcome": "What was done",
    "resolution_note": "Coordinator's note",
    # exclusions
    "reason": "Why",
    "recorded_at": "Recorded",
    # audit
    "at": "When",
    "action": "What happened",
    "record": "Which record",
    "by": "By",
}


#: The field each record of a section is headed by in the report.
RECORD_TITLES: dict[str, str] = {
    "cases": "case",
    "assignments": "volunteer",
    "checkins": "occurred_at",
    "flags": "concern",
    "exclusions": "volunteer",
}

#: Fields the report leaves out when empty: they say what has not happened (yet).
SKIP_WHEN_EMPTY = frozenset(
    {
        "closed_at",
        "close_reason",
        "ended_at",
        "end_reason",
        "submitted_at",
        "deleted_at",
        "deleted_by",
        "acknowledged_at",
        "acknowledged_by",
        "resolved_at",
        "resolved_by",
        "outcome",
        "resolution_note",
    }
)


def field_words(key: str) -> str:
    """The words for a field (the key itself for one without words)."""
    return FIELD_WORDS.get(key, key.replace("_", " ").capitalize())
