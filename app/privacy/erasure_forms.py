"""The forms of erasure, consent withdrawn and the privacy settings."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from app.forms import CornerForm, strip_filter
from app.privacy.anonymise import ERASURE_REASONS
from app.privacy.settings import MAX_RETENTION_MONTHS, MIN_RETENTION_MONTHS


class EraseForm(CornerForm):
    reason = SelectField(
        "Why are her details being erased?",
        choices=[
            SelectChoice(v, label) for v, label in [("", "Choose a reason"), *ERASURE_REASONS]
        ],
        validators=[DataRequired("Choose why her details are being erased.")],
    )
    confirm = StringField(
        "Type the parent's reference to confirm",
        filters=[strip_filter],
        validators=[InputRequired("Type the parent's reference."), Length(max=40)],
    )

    def confirmed(self, ref: str) -> bool:
        """The typed reference is hers (ignoring case); if not, say so on the field."""
        if (self.confirm.data or "").casefold() == ref.casefold():
            return True
        self.confirm.errors = [
            *self.confirm.errors,
            f"That is not her reference. Type {ref} exactly to confirm.",
        ]
        return False


class ConsentWithdrawnForm(CornerForm):
    withdrawn_on = DateField(
        "When did she withdraw consent?",
        validators=[InputRequired("Enter the day she withdrew consent.")],
    )


class PrivacySettingsForm(CornerForm):
    retention_months = IntegerField(
        "Anonymise a parent this many months after her last case closed",
        description="72 months is six years. Audit log entries older than this lose their "
        "internet address too.",
        validators=[
            InputRequired("Enter a whole number of months."),
            NumberRange(
                MIN_RETENTION_MONTHS,
                MAX_RETENTION_MONTHS,
                f"Enter a number from {MIN_RETENTION_MONTHS} to {MAX_RETENTION_MONTHS:,}.",
            ),
        ],
    )
    refuse_unresolved_safeguarding = BooleanField(
        "Refuse erasure while a safeguarding flag is unresolved",
        description="An urgent flag no coordinator has resolved (one closed only because the "
        "case closed counts as unresolved). Retention then reports her instead.",
    )

    def values(self) -> dict[str, Any]:
        return {
            "retention_months": int(self.retention_months.data or 0),
            "refuse_unresolved_safeguarding": bool(self.refuse_unresolved_safeguarding.data),
        }
