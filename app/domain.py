"""The domain's words: the enums that models, rules and scoring share, and the labels people read.

Nothing here imports Flask, SQLAlchemy or the models, so pure rules can use it. Every label a
page or an email shows for a code is defined here once.
"""

from __future__ import annotations

from enum import StrEnum


class ServiceError(Exception):
    """A request a service refuses in the current state; the message says why, plainly.

    Views let it propagate: ``app.errors`` flashes the message and sends the user back.
    """


#: The range of an INTEGER column (ids, counts): PostgreSQL refuses anything outside it.
DB_INT_MAX = 2**31 - 1
DB_INT_MIN = -(2**31)


# --------------------------------------------------------------------------- people and cases


class Role(StrEnum):
    ADMIN = "admin"
    COORDINATOR = "coordinator"
    VOLUNTEER = "volunteer"


#: Every demo account logs in with this published password (printed by `make run`), so no
#: real account may have it (``app.auth.passwords``). Kept here, where both can read it.
DEMO_PASSWORD = "corner-demo-1001"  # noqa: S105


class VolunteerStatus(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class CaseStatus(StrEnum):
    REFERRED = "referred"  # a self-referral not yet accepted
    WAITING = "waiting"
    ACTIVE = "active"  # has an open assignment
    CLOSED = "closed"


def case_reference(case_id: int) -> str:
    """A case's reference on screen, in emails and logs: ``C-00185`` (no personal data)."""
    return f"C-{case_id:05d}"


#: What people read for a case's status.
CASE_STATUS_LABELS: dict[str, str] = {
    CaseStatus.REFERRED: "New self-referral",
    CaseStatus.WAITING: "Waiting",
    CaseStatus.ACTIVE: "Active",
    CaseStatus.CLOSED: "Closed",
}

OPEN_CASE_STATUSES = (CaseStatus.REFERRED, CaseStatus.WAITING, CaseStatus.ACTIVE)


class ContactMode(StrEnum):
    PHONE = "phone"
    VIDEO = "video"
    IN_PERSON = "in_person"
    TEXT = "text"


class CheckInStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DELETED = "deleted"


class Concern(StrEnum):
    LOW_MOOD = "low_mood"
    ANXIETY = "anxiety"
    SELF_HARM = "self_harm"
    SAFEGUARDING = "safeguarding"
    DOMESTIC_ABUSE = "domestic_abuse"
    FEEDING = "feeding"
    MONEY_HOUSING = "money_housing"


#: How a parent's consent was given (code, label): the referral forms and the spreadsheets.
CONSENT_METHODS: list[tuple[str, str]] = [
    ("verbal", "Verbally (phone or in person)"),
    ("written", "In writing or by email"),
    ("online form", "Online self-referral form"),
]


class Severity(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class FlagStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class ChaseStep(StrEnum):
    """The steps of chasing an urgent flag nobody has acknowledged (each once per flag)."""

    LEADS = "leads"  # the duty address, the area's coordinators, the safeguarding leads
    ADMINS = "admins"


#: What the flag page says for each chase step taken.
CHASE_STEP_LABELS: dict[str, str] = {
    ChaseStep.LEADS: "Chased: the duty address, the area's coordinators and the safeguarding leads",
    ChaseStep.ADMINS: "Chased: the admins",
}


#: What people read for a flag's status.
FLAG_STATUS_LABELS: dict[str, str] = {
    FlagStatus.OPEN: "Open",
    FlagStatus.ACKNOWLEDGED: "Acknowledged",
    FlagStatus.RESOLVED: "Resolved",
}


class ExclusionReason(StrEnum):
    DECLINED = "declined"
    CONFLICT = "conflict"


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # gave up: a day of retries, a refusal, or a second unknown outcome


#: the Emails page's words for a status (``MAYBE_DELIVERED`` when an outcome was unknown)
EMAIL_STATUS_LABELS: dict[str, str] = {
    EmailStatus.QUEUED: "Waiting",
    EmailStatus.SENDING: "Sending",
    EmailStatus.SENT: "Sent",
    EmailStatus.FAILED: "Failed",
}
MAYBE_DELIVERED = "May have been delivered"


# --------------------------------------------------------------------------- stage


class Stage(StrEnum):
    PREGNANCY = "pregnancy"
    BIRTH = "birth"
    POSTNATAL = "postnatal"
    OVER = "over"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS: dict[str, str] = {
    Stage.PREGNANCY: "Pregnancy",
    Stage.BIRTH: "Birth",
    Stage.POSTNATAL: "Postnatal",
    Stage.OVER: "Past 1001 days",
    Stage.UNKNOWN: "Not known yet",
}

#: Stages a volunteer can be trained for.
TRAINABLE_STAGES = (Stage.PREGNANCY, Stage.BIRTH, Stage.POSTNATAL)


# --------------------------------------------------------------------------- escalation rules


class Rule(StrEnum):
    SAFEGUARDING = "SAFEGUARDING"
    SELF_HARM = "SELF_HARM"
    COORDINATOR_TODAY = "COORDINATOR_TODAY"
    LOW_MOOD = "LOW_MOOD"
    WELLBEING_LOW = "WELLBEING_LOW"
    WELLBEING_FALLING = "WELLBEING_FALLING"
    BONDING_LOW = "BONDING_LOW"
    NO_CONTACT = "NO_CONTACT"
    ATTEMPTS_FAILING = "ATTEMPTS_FAILING"
    BIRTH_SOON = "BIRTH_SOON"
    AFTER_BIRTH = "AFTER_BIRTH"
    BIRTH_OVERDUE = "BIRTH_OVERDUE"
    UNMATCHED = "UNMATCHED"
    VOLUNTEER_LAPSED = "VOLUNTEER_LAPSED"
    STALE_DRAFT = "STALE_DRAFT"
    PAST_1001_DAYS = "PAST_1001_DAYS"
    #: the scan could not evaluate this case (an impossible stored date, say): raised by the
    #: scan itself, resolved by the first later scan that can evaluate the case
    CHECK_FAILED = "CHECK_FAILED"


IMMEDIATE_RULES = (Rule.SAFEGUARDING, Rule.SELF_HARM, Rule.COORDINATOR_TODAY, Rule.LOW_MOOD)
SCHEDULED_RULES = tuple(rule for rule in Rule if rule not in IMMEDIATE_RULES)

#: What coordinators read on screen.
RULE_LABELS: dict[str, str] = {
    Rule.SAFEGUARDING: "Safeguarding or domestic abuse concern",
    Rule.SELF_HARM: "Thoughts of self-harm or suicide",
    Rule.COORDINATOR_TODAY: "Volunteer needs a coordinator today",
    Rule.LOW_MOOD: "Low mood or anxiety",
    Rule.WELLBEING_LOW: "Parent's wellbeing low",
    Rule.WELLBEING_FALLING: "Parent's wellbeing falling",
    Rule.BONDING_LOW: "Getting to know baby is hard",
    Rule.NO_CONTACT: "No contact for a while",
    Rule.ATTEMPTS_FAILING: "Volunteer cannot reach the parent",
    Rule.BIRTH_SOON: "Birth soon and no recent contact",
    Rule.AFTER_BIRTH: "No contact since the birth",
    Rule.BIRTH_OVERDUE: "Birth not recorded",
    Rule.UNMATCHED: "Waiting for a volunteer",
    Rule.VOLUNTEER_LAPSED: "Volunteer paused, left or DBS expired",
    Rule.STALE_DRAFT: "Check-in draft not finished",
    Rule.PAST_1001_DAYS: "Past the 1001 days, case still open",
    Rule.CHECK_FAILED: "Could not check this case",
}

#: What emails say: neutral words that reveal no health detail (email is not a secure channel).
RULE_EMAIL_LABELS: dict[str, str] = {
    Rule.SAFEGUARDING: "Urgent concern",
    Rule.SELF_HARM: "Urgent concern",
    Rule.COORDINATOR_TODAY: "Coordinator asked for today",
    Rule.LOW_MOOD: "Concern recorded at a check-in",
    Rule.WELLBEING_LOW: "Check-in needs a look",
    Rule.WELLBEING_FALLING: "Check-in needs a look",
    Rule.BONDING_LOW: "Check-in needs a look",
    Rule.NO_CONTACT: "Contact overdue",
    Rule.ATTEMPTS_FAILING: "Contact attempts not getting through",
    Rule.BIRTH_SOON: "Contact overdue",
    Rule.AFTER_BIRTH: "Contact overdue",
    Rule.BIRTH_OVERDUE: "Dates need updating",
    Rule.UNMATCHED: "Waiting for a volunteer",
    Rule.VOLUNTEER_LAPSED: "Volunteer needs review",
    Rule.STALE_DRAFT: "Unfinished check-in",
    Rule.PAST_1001_DAYS: "Case may be ready to close",
    Rule.CHECK_FAILED: "Could not check this case",
}

SEVERITY_LABELS: dict[str, str] = {
    Severity.URGENT: "Urgent",
    Severity.HIGH: "High",
    Severity.MEDIUM: "Medium",
    Severity.LOW: "Low",
}


# --------------------------------------------------------------------------- contact modes

#: How a parent prefers to be contacted (code, words): the referral forms' choices.
CONTACT_MODES = [
    (ContactMode.PHONE.value, "Phone"),
    (ContactMode.VIDEO.value, "Video call"),
    (ContactMode.IN_PERSON.value, "Face to face"),
]
CONTACT_MODE_LABELS = dict(CONTACT_MODES)

#: How a check-in happened (code, words).
CHECKIN_MODES = [
    (ContactMode.PHONE.value, "Phone"),
    (ContactMode.VIDEO.value, "Video"),
    (ContactMode.IN_PERSON.value, "In person"),
    (ContactMode.TEXT.value, "Text"),
]
CHECKIN_MODE_LABELS = dict(CHECKIN_MODES)


# --------------------------------------------------------------------------- reasons and outcomes

#: Why a case closes (code, words).
CLOSE_REASONS = [
    ("support_completed", "Support completed"),
    ("parent_declined", "Parent no longer wants support"),
    ("no_response", "Could not reach the parent"),
    ("moved_away", "Moved out of the area"),
    ("referred_elsewhere", "Referred to another service"),
    ("duplicate", "Duplicate referral"),
    ("not_eligible", "Not eligible for the service"),
    ("consent_withdrawn", "The parent withdrew consent"),
    ("other", "Other"),
]
CLOSE_REASON_LABELS = dict(CLOSE_REASONS)
#: A case closed for one of these reasons (compared in lower case; cases store the words,
#: an import may store the code) sets its parent aside as a copy of another parent.
DUPLICATE_CLOSE_REASONS = ("duplicate", CLOSE_REASON_LABELS["duplicate"].lower())

#: Why an assignment ends (code, words).
END_REASONS = [
    ("volunteer_stepped_back", "The volunteer stepped back or left"),
    ("parent_stopped", "The parent no longer wants support"),
    ("not_a_good_match", "Not a good match"),
    ("volunteer_unavailable", "The volunteer is unavailable for a while"),
    ("other", "Something else"),
]
END_REASON_LABELS = dict(END_REASONS)

#: Outcomes a coordinator chooses when resolving a flag (code, words).
OUTCOMES: list[tuple[str, str]] = [
    ("referred_gp", "Referred to GP"),
    ("referred_midwife", "Referred to midwife"),
    ("referred_health_visitor", "Referred to health visitor"),
    ("referred_perinatal_mh", "Referred to perinatal mental health team"),
    ("safeguarding_referral", "Safeguarding referral made"),
    ("emergency_services", "Emergency services contacted"),
    ("no_further_action", "No further action needed"),
]
OUTCOME_LABELS = dict(OUTCOMES)

#: Experience tags (code, words): ONE list for parents (needs and experience) and
#: volunteers (experience they can share), so a parent tagged X can meet a volunteer tagged X.
EXPERIENCE_TAG_CHOICES: list[tuple[str, str]] = [
    ("twins", "Twins or more"),
    ("nicu", "Baby in neonatal care (NICU)"),
    ("premature", "Premature baby"),
    ("baby_loss", "Baby loss"),
    ("young_parent", "Young parent"),
    ("single_parent", "Single parent"),
    ("feeding", "Feeding difficulties"),
    ("birth_trauma", "Difficult or traumatic birth"),
    ("ivf", "IVF or fertility treatment"),
    ("disability", "Disability or long-term condition (parent or baby)"),
    ("mental_health", "Perinatal mental health"),
    ("new_to_area", "New to the area"),
    ("new_to_uk", "New to the UK"),
]
EXPERIENCE_TAGS = dict(EXPERIENCE_TAG_CHOICES)


# --------------------------------------------------------------------------- check-in words

#: What a check-in talked about (code, words): the form and the spreadsheets.
TOPICS: list[tuple[str, str]] = [
    ("feeding", "Feeding"),
    ("sleep", "Sleep"),
    ("birth", "Birth and birth plans"),
    ("feelings", "Feelings and mood"),
    ("relationships", "Relationships and family"),
    ("baby_development", "Baby's development"),
    ("local_services", "Local groups and services"),
    ("practical", "Practical things (money, housing, benefits)"),
]
TOPIC_LABELS = dict(TOPICS)

#: Concerns a volunteer can record at a check-in (code, words).
CONCERNS: list[tuple[str, str]] = [
    (Concern.LOW_MOOD.value, "Low mood"),
    (Concern.ANXIETY.value, "Anxiety"),
    (Concern.SELF_HARM.value, "Thoughts of self-harm or suicide"),
    (Concern.SAFEGUARDING.value, "Safeguarding (a child or adult at risk)"),
    (Concern.DOMESTIC_ABUSE.value, "Domestic abuse"),
    (Concern.FEEDING.value, "Feeding"),
    (Concern.MONEY_HOUSING.value, "Housing or money"),
]
CONCERN_LABELS = dict(CONCERNS)


# --------------------------------------------------------------------------- availability

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
PERIODS = ("am", "pm", "eve")
PERIOD_LABELS = {"am": "morning", "pm": "afternoon", "eve": "evening"}

#: Every availability slot, weekday x part of day: "mon-am" … "sun-eve".
SLOTS = tuple(f"{day}-{period}" for day in WEEKDAYS for period in PERIODS)
#: "mon-eve" → "Monday evening"
AVAILABILITY_LABELS: dict[str, str] = {
    f"{day}-{period}": f"{WEEKDAY_LABELS[day]} {PERIOD_LABELS[period]}"
    for day in WEEKDAYS
    for period in PERIODS
}


#: Template filters: ``{{ flag.severity|severity_label }}`` and so on (``create_app`` adds them).
LABEL_FILTERS: dict[str, dict[str, str]] = {
    "case_status_label": CASE_STATUS_LABELS,
    "stage_label": STAGE_LABELS,
    "severity_label": SEVERITY_LABELS,
    "flag_status_label": FLAG_STATUS_LABELS,
    "chase_step_label": CHASE_STEP_LABELS,
    "rule_label": RULE_LABELS,
    "contact_mode_label": CONTACT_MODE_LABELS,
    "checkin_mode_label": CHECKIN_MODE_LABELS,
    "close_reason_label": CLOSE_REASON_LABELS,
    "end_reason_label": END_REASON_LABELS,
    "outcome_label": OUTCOME_LABELS,
    "tag_label": EXPERIENCE_TAGS,
    "topic_label": TOPIC_LABELS,
    "concern_label": CONCERN_LABELS,
    "availability_label": AVAILABILITY_LABELS,
}
