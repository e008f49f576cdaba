"""Forms of the escalation area: resolve a flag, edit the thresholds."""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.domain import OUTCOMES
from app.escalation.rules_thresholds import THRESHOLD_FIELDS
from app.forms import CornerForm, strip_filter


class ResolveForm(CornerForm):
    outcome = RadioField(
        "What was done?",
        choices=[SelectChoice(code, label) for code, label in OUTCOMES],
        validators=[InputRequired("Choose what was done.")],
    )
    note = TextAreaField(
        "Note",
        description="A few words for the record: who you spoke to and what happens next.",
        filters=[strip_filter],
        validators=[
            DataRequired("Write a short note about what was done."),
            Length(max=2000, message="Keep the note to 2,000 characters or fewer."),
        ],
    )


def thresholds_form(values: dict[str, int], formdata: Any = None) -> CornerForm:
    """A form with one whole-number field per threshold, filled from the saved values."""

    class ThresholdsForm(CornerForm):
        pass

    for name, (label, hint, low, high) in THRESHOLD_FIELDS.items():
        field = IntegerField(
            label,
            description=hint or None,
            default=values[name],
            validators=[
                InputRequired(f"Enter a whole number for '{label}'."),
                NumberRange(low, high, f"'{label}' must be between {low} and {high}."),
            ],
        )
        setattr(ThresholdsForm, name, field)
    return ThresholdsForm(formdata=formdata) if formdata is not None else ThresholdsForm()
