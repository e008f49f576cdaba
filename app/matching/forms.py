"""Forms of the matching area: profiles, availability, ending and declining, settings."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.dates import DateKind
from app.domain import END_REASON_LABELS, END_REASONS, TRAINABLE_STAGES, VolunteerStatus
from app.forms import CornerForm, PlausibleDate, strip_filter
from app.language_fields import language_boxes, other_languages_box, picked_languages
from app.matching.distance import normalise_postcode
from app.matching.profiles import ProfileFields
from app.matching.scoring import PART_LABELS, PARTS
from app.matching.vocab import EXPERIENCE_TAGS, SLOTS, slot_label


def _choices(pairs: Any) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class EndForm(CornerForm):
    reason = RadioField(
        "Why is this assignment ending?",
        choices=_choices(END_REASONS),
        validators=[InputRequired("Choose why this assignment is ending.")],
    )
    detail = StringField(
        "Anything to add (optional)",
        description="A few words, no health details. Needed if you chose 'Something else'.",
        filters=[strip_filter],
        validators=[Optional(), Length(max=80)],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.reason.data == "other" and not self.detail.data:
            self.detail.errors = [
                *self.detail.errors,
                "Say in a few words why this assignment is ending.",
            ]
            ok = False
        return ok

    def reason_text(self) -> str:
        label = END_REASON_LABELS.get(self.reason.data or "", "Other")
        if self.reason.data == "other":
            return (self.detail.data or "Other")[:120]
        return f"{label}: {self.detail.data}"[:120] if self.detail.data else label


class DeclineForm(CornerForm):
    who = RadioField(
        "Why will they not be paired?",
        choices=_choices(
            [
                ("parent", "The parent declined"),
                ("volunteer", "The volunteer declined"),
                ("conflict", "A conflict of interest (for example, they know each other)"),
            ]
        ),
        validators=[InputRequired("Choose why they will not be paired.")],
    )


def _postcode(form: Any, field: StringField) -> None:
    if field.data:
        norm = normalise_postcode(field.data)
        if norm is None or len(norm) > 8:
            raise ValidationError("Enter a UK postcode, like BS1 4DJ.")
        field.data = norm


class ProfileForm(CornerForm):
    status = RadioField(
        "Status",
        choices=_choices(
            [
                (VolunteerStatus.ACTIVE.value, "Active: can be offered to parents"),
                (VolunteerStatus.PAUSED.value, "Paused: taking a break"),
                (VolunteerStatus.LEFT.value, "Left the service"),
            ]
        ),
        validators=[InputRequired("Choose a status.")],
    )
    area = SelectField("Area", coerce=int, choices=[])
    phone = StringField(
        "Phone number", filters=[strip_filter], validators=[Optional(), Length(max=40)]
    )
    postcode = StringField("Postcode", filters=[strip_filter], validators=[Optional(), _postcode])
    latitude = DecimalField(
        "Latitude (optional)",
        places=None,
        validators=[Optional(), NumberRange(-90, 90, "Latitude is between -90 and 90.")],
    )
    longitude = DecimalField(
        "Longitude (optional)",
        places=None,
        validators=[Optional(), NumberRange(-180, 180, "Longitude is between -180 and 180.")],
    )
    languages = language_boxes("Languages they speak")
    other_languages = other_languages_box("Other languages (optional)")
    stages = MultiCheckboxField(
        "Stages they are trained for", choices=_choices((str(s), s.label) for s in TRAINABLE_STAGES)
    )
    tags = MultiCheckboxField(
        "Experience they can share", choices=_choices(EXPERIENCE_TAGS.items())
    )
    availability = MultiCheckboxField(
        "When they are usually free", choices=_choices((s, slot_label(s)) for s in SLOTS)
    )
    max_caseload = IntegerField(
        "Most parents at once",
        validators=[
            InputRequired("Enter how many parents they can support at once."),
            NumberRange(0, 30, "Enter a number between 0 and 30."),
        ],
    )
    travel_km = DecimalField(
        "How far they can travel, in km (optional)",
        description="Leave empty to use the service's default.",
        places=None,
        validators=[Optional(), NumberRange(0, 500, "Enter a distance between 0 and 500 km.")],
    )
    remote_only = BooleanField("Supports by phone or video only")
    training_completed_on = DateField(
        "Training completed on", validators=[Optional(), PlausibleDate(DateKind.VOLUNTEER_PAST)]
    )
    training_expires_on = DateField(
        "Training needs renewing on (optional)",
        description="Leave empty if the training does not expire.",
        validators=[Optional(), PlausibleDate(DateKind.DBS_EXPIRY)],
    )
    dbs_checked_on = DateField(
        "DBS check done on", validators=[Optional(), PlausibleDate(DateKind.VOLUNTEER_PAST)]
    )
    dbs_expires_on = DateField(
        "DBS check expires on", validators=[Optional(), PlausibleDate(DateKind.DBS_EXPIRY)]
    )

    def validate_dbs_expires_on(self, field: DateField) -> None:
        if field.data and self.dbs_checked_on.data and field.data < self.dbs_checked_on.data:
            raise ValidationError("The DBS expiry date must be after the check date.")

    def validate_training_expires_on(self, field: DateField) -> None:
        done = self.training_completed_on.data
        if field.data and done and field.data < done:
            raise ValidationError("The training renewal date must be after it was completed.")

    def profile_fields(self) -> ProfileFields:
        """What was entered, as the profile service takes it."""
        return ProfileFields(
            status=self.status.data or VolunteerStatus.ACTIVE.value,
            area_id=self.area.data or None,
            phone=self.phone.data or None,
            postcode=self.postcode.data or None,
            latitude=_float(self.latitude.data),
            longitude=_float(self.longitude.data),
            languages=tuple(picked_languages(self)),
            stages=tuple(self.stages.data or ()),
            tags=tuple(self.tags.data or ()),
            availability=tuple(self.availability.data or ()),
            max_caseload=int(self.max_caseload.data or 0),
            travel_km=_float(self.travel_km.data),
            remote_only=bool(self.remote_only.data),
            training_completed_on=self.training_completed_on.data,
            training_expires_on=self.training_expires_on.data,
            dbs_checked_on=self.dbs_checked_on.data,
            dbs_expires_on=self.dbs_expires_on.data,
        )


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


class AvailabilityForm(CornerForm):
    availability = MultiCheckboxField(
        "When are you usually free?", choices=_choices((s, slot_label(s)) for s in SLOTS)
    )
    email_reminders = BooleanField("Email me a reminder when check-ins are due")


def _weight(part: str) -> IntegerField:
    return IntegerField(
        PART_LABELS[part],
        validators=[
            InputRequired(f"Enter a weight for {PART_LABELS[part].lower()}."),
            NumberRange(0, 100, "Enter a whole number from 0 to 100."),
        ],
    )


class SettingsForm(CornerForm):
    weight_stage = _weight("stage")
    weight_distance = _weight("distance")
    weight_availability = _weight("availability")
    weight_experience = _weight("experience")
    weight_continuity = _weight("continuity")
    weight_workload = _weight("workload")
    default_travel_km = DecimalField(
        "Default travel distance, in km",
        description="Used for volunteers who have not said how far they can travel.",
        places=None,
        validators=[
            InputRequired("Enter a default travel distance."),
            NumberRange(0, 500, "Enter a distance between 0 and 500 km."),
        ],
    )

    def validate_weight_workload(self, field: IntegerField) -> None:
        total = sum(getattr(self, f"weight_{p}").data or 0 for p in PARTS)
        if total <= 0:
            raise ValidationError("At least one weight must be more than 0.")


class PostcodeUploadForm(CornerForm):
    file = FileField(
        "Postcode file (CSV)",
        description="Columns: postcode, latitude, longitude, with a header row.",
        validators=[FileRequired("Choose a CSV file to upload.")],
    )


__all__ = ["DataRequired"]
