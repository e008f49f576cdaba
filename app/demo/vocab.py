"""Fixed pieces of the demo service: accounts, places, vocabularies."""

from __future__ import annotations

from app.domain import DEMO_PASSWORD, EXPERIENCE_TAGS

__all__ = ["DEMO_PASSWORD"]  # every demo account's password (app.domain says why it is there)
DEMO_DOMAIN = "corner.demo"

ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
COORDINATOR_EMAIL = f"coordinator@{DEMO_DOMAIN}"
COORDINATOR_SOUTH_EMAIL = f"coordinator.south@{DEMO_DOMAIN}"
VOLUNTEER_EMAIL = f"volunteer@{DEMO_DOMAIN}"

#: (email, role, what it is) — printed by `make run` and `flask seed demo`.
DEMO_LOGINS = (
    (ADMIN_EMAIL, "admin", "accounts, settings, audit log"),
    (COORDINATOR_EMAIL, "coordinator", "Bristol North"),
    (COORDINATOR_SOUTH_EMAIL, "coordinator", "Bristol South"),
    (VOLUNTEER_EMAIL, "volunteer", "a peer supporter with several parents"),
)

NORTH = "Bristol North"
SOUTH = "Bristol South"
AREAS = {
    NORTH: "north.duty@corner.demo",
    SOUTH: "south.duty@corner.demo",
}
#: Ofcom's drama numbers (never a real line)
DUTY_PHONES = {NORTH: "0117 496 0100", SOUTH: "0117 496 0200"}

#: Postcode districts with an approximate centre (latitude, longitude).
DISTRICTS = {
    NORTH: {
        "BS5": (51.4663, -2.5551),
        "BS6": (51.4744, -2.6021),
        "BS7": (51.4851, -2.5868),
        "BS9": (51.4902, -2.6250),
        "BS10": (51.5070, -2.6060),
        "BS16": (51.4850, -2.5100),
        "BS34": (51.5320, -2.5600),
    },
    SOUTH: {
        "BS1": (51.4520, -2.5920),
        "BS2": (51.4590, -2.5790),
        "BS3": (51.4400, -2.6030),
        "BS4": (51.4320, -2.5650),
        "BS13": (51.4120, -2.6120),
        "BS14": (51.4110, -2.5660),
    },
}

#: Second languages (ISO 639-1 codes, app.languages) and how often they come up (English is
#: everyone's first here).
OTHER_LANGUAGES = (
    ("pl", 6),
    ("so", 5),
    ("ur", 4),
    ("ar", 4),
    ("ro", 3),
    ("pa", 2),
    ("bn", 2),
    ("es", 2),
    ("pt", 2),
    ("uk", 2),
    ("ti", 1),
    ("fa", 1),
)

TAGS = tuple(EXPERIENCE_TAGS)  # the one list parents and volunteers share

STAGES = ("pregnancy", "birth", "postnatal")
SLOTS = tuple(
    f"{day}-{part}"
    for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for part in ("am", "pm", "eve")
)
#: Codes as the check-in form stores them.
TOPICS = (
    "feeding",
    "sleep",
    "birth",
    "feelings",
    "relationships",
    "baby_development",
    "local_services",
    "practical",
)
REFERRAL_SOURCES = (
    ("Midwife", 10),
    ("Health visitor", 8),
    ("GP", 3),
    ("Children's centre", 2),
    ("Perinatal mental health team", 2),
    ("self-referral", 3),
)
#: Close reasons as the close-case form stores them (the last one for babies past two).
CLOSE_REASONS = (
    "parent_declined",
    "no_response",
    "moved_away",
    "referred_elsewhere",
    "support_completed",
)

#: Equality monitoring answers (app.equality codes) and how often they come up, roughly as in
#: Bristol's 2021 census; a parent who speaks another language is drawn from LANGUAGE_GROUPS.
ETHNIC_GROUPS = (
    ("white_british", 70),
    ("white_other", 6),
    ("white_irish", 1),
    ("white_gypsy_traveller", 1),
    ("black_african", 3),
    ("black_caribbean", 2),
    ("black_other", 1),
    ("asian_pakistani", 2),
    ("asian_indian", 2),
    ("asian_chinese", 1),
    ("asian_other", 1),
    ("mixed_white_black_caribbean", 3),
    ("mixed_white_asian", 1),
    ("mixed_white_black_african", 1),
    ("mixed_other", 1),
    ("other_any", 1),
)
LANGUAGE_GROUPS = {
    "pl": ("white_other",),
    "ro": ("white_other", "white_other", "white_roma"),
    "uk": ("white_other",),
    "pt": ("white_other", "black_african"),
    "es": ("white_other", "other_any"),
    "so": ("black_african",),
    "ti": ("black_african",),
    "ur": ("asian_pakistani",),
    "pa": ("asian_indian", "asian_pakistani"),
    "bn": ("asian_bangladeshi",),
    "ar": ("other_arab",),
    "fa": ("other_any", "asian_other"),
}
AGE_BANDS = (("under_20", 4), ("20_24", 14), ("25_34", 55), ("35_plus", 27))
#: A parent with nothing recorded (asked before the questions were, or never answered); for
#: the others each answer is left empty or "Prefer not to say" now and then.
EQUALITY_NONE_SHARE = 0.15
EQUALITY_EMPTY_SHARE = 0.06
EQUALITY_PREFER_NOT_SHARE = 0.05
