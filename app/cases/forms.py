"""Forms of the cases area: referrals, parent details, closing a case, check-ins."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from app.cases.equality_fields import equality_select
from app.cases.service import normalise_postcode
from app.dates import DateKind
from app.domain import (
    CHECKIN_MODES,
    CLOSE_REASON_LABELS,
    CLOSE_REASONS,
    CONCERNS,
    CONSENT_METHODS,
    CONTACT_MODES,
    EXPERIENCE_TAG_CHOICES,
    TOPICS,
)
from app.equality import ASKED_OF_PARENT, WHY_WE_ASK
from app.forms import CornerForm, PlausibleDate, strip_filter
from app.language_fields import language_boxes, other_languages_box

PARENT_TAGS = EXPERIENCE_TAG_CHOICES  # one list with the volunteers' (app.domain)
DAYS = [("mon", "Mon"), ("tue", "Tue"), ("wed", "Wed"), ("thu", "Thu"), ("fri", "Fri")]
DAYS += [("sat", "Sat"), ("sun", "Sun")]
PARTS = [("am", "morning"), ("pm", "afternoon"), ("eve", "evening")]
TIMES = [(f"{d}-{p}", f"{dl} {pl}") for d, dl in DAYS for p, pl in PARTS]
WELLBEING = [
    ("1", "1 - Very low"),
    ("2", "2 - Low"),
    ("3", "3 - Okay"),
    ("4", "4 - Good"),
    ("5", "5 - Very good"),
]
BONDING = [
    ("1", "1 - Struggling"),
    ("2", "2 - Finding it hard"),
    ("3", "3 - Getting there"),
    ("4", "4 - Going well"),
    ("5", "5 - Really well"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]
SELF_REFERRAL_CONSENT = (
    "I agree that the charity can keep the details I give here, contact me about peer "
    "support, and share them with the trained volunteer who supports me. I can ask to see "
    "everything the charity holds about me, or for it to be deleted, at any time."
)
SELF_REFERRAL_CONSENT_SCOPE = "contact about peer support; share with assigned volunteer"


def opts(pairs: list[tuple[Any, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes; the value is a list of codes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _empty_to_none(value: Any) -> Any:
    return None if value in ("", None) else value


def _postcode_fits(form: Any, field: Field) -> None:
    """Stored with a space before the last three characters, it must still fit in 10."""
    stored = normalise_postcode(field.data)
    if stored and len(stored) > 10:
        raise ValidationError("Enter a UK postcode, like BS1 4DJ.")


class ParentFieldsMixin:
    """Fields shared by the coordinator's referral form and the parent edit form."""

    first_name = StringField(
        "First name",
        filters=[strip_filter],
        validators=[DataRequired("Enter the parent's first name."), Length(max=100)],
    )
    last_name = StringField("Last name", filters=[strip_filter], validators=[Length(max=100)])
    email = EmailField(
        "Email address",
        filters=[strip_filter, _empty_to_none],
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.org."),
            Length(max=254),
        ],
    )
    phone = TelField(
        "Phone number",
        filters=[strip_filter, _empty_to_none],
        validators=[Optional(), Length(max=40)],
    )
    postcode = StringField(
        "Postcode",
        filters=[strip_filter, _empty_to_none],
        validators=[
            Optional(),
            Length(max=10, message="A postcode is at most 10 characters."),
            _postcode_fits,
        ],
    )
    languages = language_boxes("Languages the parent speaks", default=lambda: ["en"])
    other_languages = other_languages_box("Other languages (optional)")
    due_date = DateField(
        "Due date",
        validators=[Optional(), PlausibleDate(DateKind.DUE, birth_field="birth_date")],
    )
    birth_date = DateField(
        "Baby's date of birth", validators=[Optional(), PlausibleDate(DateKind.BIRTH)]
    )
    tags = MultiCheckboxField("Needs and experience", choices=opts(PARENT_TAGS))
    contact_mode = RadioField(
        "Preferred way to be contacted",
        choices=opts(CONTACT_MODES),
        validate_choice=False,
        filters=[_empty_to_none],
    )
    availability = MultiCheckboxField("Good times to contact", choices=opts(TIMES))
    referral_source = StringField(
        "Referred by",
        description="For example: midwife, health visitor, GP, self",
        filters=[strip_filter, _empty_to_none],
        validators=[Optional(), Length(max=120)],
    )
    consent_on = DateField(
        "Date consent was given", validators=[Optional(), PlausibleDate(DateKind.CONSENT)]
    )
    consent_method = SelectField("How consent was given", choices=opts(CONSENT_METHODS))
    consent_scope = StringField(
        "What the parent agreed to",
        default=SELF_REFERRAL_CONSENT_SCOPE,
        filters=[strip_filter],
        validators=[Length(max=255)],
    )
    equality_hint = WHY_WE_ASK  # the hint of the equality monitoring fieldset
    ethnic_group = equality_select("ethnic_group")
    age_band = equality_select("age_band")
    first_time_parent = equality_select("first_time_parent")
    disability = equality_select("disability")
    interpreter_needed = equality_select("interpreter_needed")

    def validate_contact_mode(self, field: Field) -> None:
        if field.data and field.data not in dict(CONTACT_MODES):
            raise ValidationError("Choose how the parent would like to be contacted.")

    def validate_phone(self, field: Field) -> None:
        if field.data and len(normalise_digits(field.data)) < 6:
            raise ValidationError("Enter a phone number, like 07700 900 982.")


def normalise_digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


class ReferralForm(ParentFieldsMixin, CornerForm):
    """A coordinator's referral: the parent and their new case."""

    area = SelectField("Area", coerce=int, choices=[], validate_choice=False)
    owner = SelectField("Owning coordinator", coerce=int, choices=[])
    high_risk = BooleanField("High risk: check in every 7 days instead of 14")

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not self.email.data and not self.phone.data:
            self.phone.errors = [*self.phone.errors, "Enter a phone number or an email address."]
            ok = False
        if not self.consent_on.data:
            self.consent_on.errors = [
                *self.consent_on.errors,
                "Enter the date the parent agreed to be referred.",
            ]
            ok = False
        return ok


class ParentEditForm(ParentFieldsMixin, CornerForm):
    """Editing the parent's details (recording the birth moves the stage)."""


class SelfReferralForm(CornerForm):
    """The public form a parent fills in to refer themselves."""

    first_name = StringField(
        "Your first name",
        filters=[strip_filter],
        validators=[DataRequired("Enter your first name."), Length(max=100)],
    )
    last_name = StringField(
        "Your last name (optional)", filters=[strip_filter], validators=[Length(max=100)]
    )
    phone = TelField(
        "Phone number",
        filters=[strip_filter, _empty_to_none],
        validators=[Optional(), Length(max=40)],
    )
    email = EmailField(
        "Email address",
        filters=[strip_filter, _empty_to_none],
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like name@example.org."),
            Length(max=254),
        ],
    )
    postcode = StringField(
        "Postcode (optional)",
        description="So we can find support near you.",
        filters=[strip_filter, _empty_to_none],
        validators=[
            Optional(),
            Length(max=10, message="A postcode is at most 10 characters."),
            _postcode_fits,
        ],
    )
    area = SelectField("Where do you live?", coerce=int, choices=[], validate_choice=False)
    due_date = DateField(
        "When is your baby due?",
        description="Leave empty if your baby is born.",
        validators=[Optional(), PlausibleDate(DateKind.DUE, birth_field="birth_date")],
    )
    birth_date = DateField(
        "When was your baby born?",
        description="Leave empty if you are pregnant.",
        validators=[Optional(), PlausibleDate(DateKind.BIRTH)],
    )
    languages = language_boxes(
        "Which languages do you speak? (optional)", description="Tick all that you speak."
    )
    other_languages = other_languages_box(
        "Another language (optional)",
        description="If yours is not listed, type its name, like Amharic or Vietnamese.",
    )
    contact_mode = RadioField(
        "How would you like us to contact you? (optional)",
        choices=opts(CONTACT_MODES),
        validate_choice=False,
        filters=[_empty_to_none],
    )
    tags = MultiCheckboxField(
        "Is any of this true for you? (optional)",
        description="It helps us find a volunteer who understands.",
        choices=opts(PARENT_TAGS),
    )
    equality_hint = WHY_WE_ASK
    ethnic_group = equality_select("ethnic_group", ASKED_OF_PARENT["ethnic_group"])
    age_band = equality_select("age_band", ASKED_OF_PARENT["age_band"])
    first_time_parent = equality_select("first_time_parent", ASKED_OF_PARENT["first_time_parent"])
    disability = equality_select("disability", ASKED_OF_PARENT["disability"])
    interpreter_needed = equality_select(
        "interpreter_needed", ASKED_OF_PARENT["interpreter_needed"]
    )
    consent = BooleanField(
        SELF_REFERRAL_CONSENT,
        validators=[DataRequired("Tick the box to say you agree, so we can contact you.")],
    )
    # Honeypot: hidden from people, filled in by bots. Named to look tempting.
    website = StringField("Leave this empty", filters=[strip_filter])

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if not self.email.data and not self.phone.data:
            self.phone.errors = [
                *self.phone.errors,
                "Give us a phone number or an email address so we can contact you.",
            ]
            ok = False
        if self.phone.data and len(normalise_digits(self.phone.data)) < 6:
            self.phone.errors = [*self.phone.errors, "Enter a phone number, like 07700 900 982."]
            ok = False
        if self.contact_mode.data and self.contact_mode.data not in dict(CONTACT_MODES):
            self.contact_mode.errors = [*self.contact_mode.errors, "Choose one of the options."]
            ok = False
        return ok


class CloseCaseForm(CornerForm):
    reason = SelectField(
        "Why is the case closing?",
        # consent withdrawn has its own action on the case page (it records the date)
        choices=opts(
            [("", "Choose a reason"), *(r for r in CLOSE_REASONS if r[0] != "consent_withdrawn")]
        ),
        validators=[DataRequired("Choose why the case is closing.")],
    )
    other = StringField(
        "If other, why?",
        description="A few words, no health details. Needed if you chose 'Other'.",
        filters=[strip_filter],
        validators=[Optional(), Length(max=100, message="Keep it under 100 characters.")],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.reason.data == "other" and not self.other.data:
            self.other.errors = [*self.other.errors, "Say in a few words why the case is closing."]
            ok = False
        return ok

    def reason_text(self) -> str:
        """What the case stores: the reason's words, and the few words given for 'Other'."""
        label = CLOSE_REASON_LABELS.get(self.reason.data or "", "Other")
        return f"{label}: {self.other.data}"[:120] if self.reason.data == "other" else label


class CheckInForm(CornerForm):
    """A check-in, made for a phone. The button pressed says draft or submit."""

    mode = RadioField(
        "How did you contact the parent?",
        choices=opts(CHECKIN_MODES),
        default="phone",
        validators=[InputRequired("Choose how you contacted the parent.")],
    )
    occurred_at = DateTimeLocalField(
        "When?",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[
            InputRequired("Enter when the contact happened."),
            PlausibleDate(DateKind.CHECKIN),
        ],
    )
    duration_min = IntegerField(
        "How long, in minutes? (optional)",
        validators=[
            Optional(),
            NumberRange(0, 600, "Enter a number of minutes between 0 and 600."),
        ],
    )
    successful = RadioField(
        "Did you speak to the parent?",
        choices=opts([("yes", "Yes, we spoke"), ("no", "No, I only tried to reach them")]),
        default="yes",
        validators=[InputRequired("Say whether you spoke to the parent.")],
    )
    wellbeing = RadioField(
        "How was the parent feeling?",
        choices=opts(WELLBEING),
        validate_choice=False,
        filters=[_empty_to_none],
    )
    bonding = RadioField(
        "How is the parent getting to know their baby? (optional)",
        choices=opts(BONDING),
        validate_choice=False,
        filters=[_empty_to_none],
    )
    whooley_down = RadioField(
        "In the past month, has the parent often felt down, depressed or hopeless? (optional)",
        choices=opts(YES_NO),
        validate_choice=False,
        filters=[_empty_to_none],
    )
    whooley_interest = RadioField(
        "In the past month, has the parent often had little interest or pleasure in doing "
        "things? (optional)",
        choices=opts(YES_NO),
        validate_choice=False,
        filters=[_empty_to_none],
    )
    topics = MultiCheckboxField("What did you talk about?", choices=opts(TOPICS))
    concerns = MultiCheckboxField(
        "Are you worried about any of these?",
        description="Tick all that apply. A coordinator will see these.",
        choices=opts(CONCERNS),
    )
    coordinator_today = BooleanField("I need a coordinator to contact me today")
    notes = TextAreaField(
        "Notes (optional)",
        description="Only coordinators and you can read these. Keep them short and factual.",
        validators=[Length(max=5000)],
    )

    def check_choices(self) -> bool:
        ok = True
        for field, allowed in (
            (self.wellbeing, WELLBEING),
            (self.bonding, BONDING),
            (self.whooley_down, YES_NO),
            (self.whooley_interest, YES_NO),
        ):
            if field.data is not None and field.data not in dict(allowed):
                field.errors = [*field.errors, "Choose one of the options."]
                ok = False
        return ok
