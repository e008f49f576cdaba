"""The spreadsheet files and their columns: one spec that parsing, export and help share."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain import (
    CONSENT_METHODS,
    EXPERIENCE_TAGS,
    TOPICS,
    Concern,
    ContactMode,
)
from app.equality import BY_NAME, FIELDS, PREFER_NOT, PREFER_NOT_LABEL, codes
from app.models import (
    CheckInStatus,
    VolunteerStatus,
)
from app.stage import TRAINABLE_STAGES


class Kind(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    POSTCODE = "postcode"
    DATE = "date"
    INSTANT = "instant"
    BOOL = "bool"
    INT = "int"
    FLOAT = "float"
    CHOICE = "choice"
    LIST = "list"
    LANGUAGES = "languages"  # a list of names or ISO 639-1 codes, stored as codes
    EQUALITY = "equality"  # an equality monitoring answer (``app.equality``): code or words


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_PARTS = ("am", "pm", "eve")
AVAILABILITY = tuple(f"{day}-{part}" for day in WEEKDAYS for part in DAY_PARTS)
TAG_CODES = tuple(EXPERIENCE_TAGS)
TAGS_HELP = "experience tags (one list for parents and volunteers): " + ";".join(TAG_CODES)
AVAILABILITY_HELP = "mon to sun, then -am, -pm or -eve, like mon-am;fri-eve"
LANGUAGES_HELP = "names or ISO 639-1 codes, any case, like English;Polish or en;pl (export: en;pl)"


def _equality_help(name: str) -> str:
    example = BY_NAME[name].choices[0]
    listed = ", ".join(code for code in codes(name) if code != PREFER_NOT)
    return (
        f"{BY_NAME[name].question.lower()}: {listed} or their words, any case, like "
        f'"{example.label}"; {PREFER_NOT} or "{PREFER_NOT_LABEL}"; empty: not recorded '
        "(export: the code)"
    )


@dataclass(frozen=True)
class Column:
    """One column: how its cells are read and written.

    A ``required`` column must be in the file and give a value on every row; any other
    column may be left out of the file (then it is not known for every row, and a row that
    updates something already in Corner leaves that field as it is)."""

    name: str
    kind: Kind
    required: bool = False  # the file must have the column and every row a value
    max_len: int = 0  # for text, email, postcode and list items (0 = no limit)
    choices: tuple[str, ...] = ()  # allowed values (CHOICE) or list items (LIST)
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    @property
    def optional(self) -> bool:
        """The column may be missing from the file."""
        return not self.required


@dataclass(frozen=True)
class FileSpec:
    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)

    def position(self, name: str) -> int:
        names = self.column_names
        return names.index(name) if name in names else len(names)


def _choices(values: object) -> tuple[str, ...]:
    return tuple(str(value) for value in values)  # type: ignore[attr-defined]


VOLUNTEERS = FileSpec(
    "volunteers.csv",
    "Volunteers",
    (
        Column("email", Kind.EMAIL, required=True, max_len=254, help="their login; the key"),
        Column("first_name", Kind.TEXT, required=True, max_len=100),
        Column("last_name", Kind.TEXT, max_len=100),
        Column("postcode", Kind.POSTCODE, max_len=10),
        Column("latitude", Kind.FLOAT, minimum=-90, maximum=90),
        Column("longitude", Kind.FLOAT, minimum=-180, maximum=180),
        Column("languages", Kind.LANGUAGES, help=LANGUAGES_HELP),
        Column(
            "stages",
            Kind.LIST,
            choices=_choices(TRAINABLE_STAGES),
            help="stages trained for: pregnancy;birth;postnatal",
        ),
        Column("tags", Kind.LIST, choices=TAG_CODES, help=TAGS_HELP),
        Column("max_caseload", Kind.INT, minimum=0, maximum=100, help="empty means 3"),
        Column("availability", Kind.LIST, choices=AVAILABILITY, help=AVAILABILITY_HELP),
        Column("travel_km", Kind.FLOAT, minimum=0, maximum=1000),
        Column("remote_only", Kind.BOOL, help="empty means no"),
        Column("training_completed_on", Kind.DATE),
        Column("training_expires_on", Kind.DATE, help="empty means it does not expire"),
        Column("dbs_checked_on", Kind.DATE),
        Column("dbs_expires_on", Kind.DATE),
        Column(
            "status",
            Kind.CHOICE,
            choices=_choices(VolunteerStatus),
            help="active, paused or left; empty means active",
        ),
        Column("area", Kind.TEXT, max_len=120, help="created if new"),
    ),
)

PARENTS = FileSpec(
    "parents.csv",
    "Parents",
    (
        Column("ref", Kind.TEXT, required=True, max_len=40, help="your own reference; the key"),
        Column("first_name", Kind.TEXT, required=True, max_len=100),
        Column("last_name", Kind.TEXT, max_len=100),
        Column("email", Kind.EMAIL, max_len=254),
        Column("phone", Kind.TEXT, max_len=40),
        Column("postcode", Kind.POSTCODE, max_len=10),
        Column("latitude", Kind.FLOAT, minimum=-90, maximum=90),
        Column("longitude", Kind.FLOAT, minimum=-180, maximum=180),
        Column("languages", Kind.LANGUAGES, help=LANGUAGES_HELP),
        Column("due_date", Kind.DATE),
        Column("birth_date", Kind.DATE),
        Column("tags", Kind.LIST, choices=TAG_CODES, help=TAGS_HELP),
        Column(
            "contact_mode",
            Kind.CHOICE,
            choices=(ContactMode.PHONE, ContactMode.VIDEO, ContactMode.IN_PERSON),
            help="phone, video or in_person",
        ),
        Column("availability", Kind.LIST, choices=AVAILABILITY, help=AVAILABILITY_HELP),
        Column("referral_source", Kind.TEXT, max_len=120),
        Column("referred_on", Kind.DATE, help="empty or left out: the day of the import"),
        Column("consent_on", Kind.DATE),
        Column(
            "consent_method",
            Kind.CHOICE,
            choices=tuple(code for code, _label in CONSENT_METHODS),
            help="how consent was given: " + ", ".join(code for code, _ in CONSENT_METHODS),
        ),
        Column("consent_scope", Kind.TEXT, max_len=255, help="what the parent agreed to"),
        Column("high_risk", Kind.BOOL, help="empty means no"),
        Column("closed_on", Kind.DATE, help="a date closes the case"),
        Column("close_reason", Kind.TEXT, max_len=120),
        Column("area", Kind.TEXT, max_len=120, help="created if new"),
        Column(
            "coordinator_email",
            Kind.EMAIL,
            max_len=254,
            help="an existing coordinator account",
        ),
        *(
            Column(
                field.name,
                Kind.EQUALITY,
                choices=codes(field.name),
                help=_equality_help(field.name),
            )
            for field in FIELDS
        ),
    ),
)

ASSIGNMENTS = FileSpec(
    "assignments.csv",
    "Assignments",
    (
        Column("parent_ref", Kind.TEXT, required=True, max_len=40),
        Column("volunteer_email", Kind.EMAIL, required=True, max_len=254),
        Column("started_on", Kind.DATE, required=True),
        Column("ended_on", Kind.DATE, help="empty while the volunteer still supports the parent"),
        Column("end_reason", Kind.TEXT, max_len=120),
    ),
)

CHECKINS = FileSpec(
    "checkins.csv",
    "Check-ins",
    (
        Column("parent_ref", Kind.TEXT, required=True, max_len=40),
        Column("volunteer_email", Kind.EMAIL, required=True, max_len=254),
        Column("occurred_at", Kind.INSTANT, required=True, help="like 2026-11-02T14:30"),
        Column(
            "mode",
            Kind.CHOICE,
            required=True,
            choices=_choices(ContactMode),
            help="phone, video, in_person or text",
        ),
        Column("duration_min", Kind.INT, minimum=0, maximum=1440),
        Column("successful", Kind.BOOL, required=True, help="yes if it reached the parent"),
        Column("wellbeing", Kind.INT, minimum=1, maximum=5, help="1 to 5"),
        Column("bonding", Kind.INT, minimum=1, maximum=5, help="getting to know baby, 1 to 5"),
        Column(
            "whooley_down",
            Kind.BOOL,
            help="often felt down, depressed or hopeless in the past month; empty: not asked",
        ),
        Column(
            "whooley_interest",
            Kind.BOOL,
            help="often little interest or pleasure in doing things; empty: not asked",
        ),
        Column(
            "topics",
            Kind.LIST,
            choices=tuple(code for code, _label in TOPICS),
            help="talked about: " + ", ".join(code for code, _ in TOPICS),
        ),
        Column(
            "concerns",
            Kind.LIST,
            choices=_choices(Concern),
            help="any of " + ", ".join(_choices(Concern)),
        ),
        Column("coordinator_today", Kind.BOOL, help="empty means no"),
        Column("notes", Kind.TEXT),
        Column(
            "status",
            Kind.CHOICE,
            required=True,
            choices=_choices(CheckInStatus),
            help="draft, submitted or deleted",
        ),
    ),
)

FILES: tuple[FileSpec, ...] = (VOLUNTEERS, PARENTS, ASSIGNMENTS, CHECKINS)
FILE_NAMES = tuple(spec.name for spec in FILES)
SPECS = {spec.name: spec for spec in FILES}
