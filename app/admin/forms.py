"""Forms of the admin pages: the audit log's filters."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, SelectField
from wtforms.validators import Optional

from app.dates import DateKind
from app.forms import CornerForm, PlausibleDate


class AuditFilterForm(CornerForm):
    """GET filters for the audit log (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    actor = SelectField("Who", coerce=int, choices=[], validate_choice=False)
    action = SelectField("Action", choices=[], validate_choice=False)
    object_type = SelectField("Object", choices=[], validate_choice=False)
    date_from = DateField("From", validators=[Optional(), PlausibleDate(DateKind.ANY)])
    date_to = DateField("To", validators=[Optional(), PlausibleDate(DateKind.ANY)])

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.date_from.data and self.date_to.data and self.date_from.data > self.date_to.data:
            self.date_from.errors = [
                *self.date_from.errors,
                "“From” must be the same day as “To” or before it.",
            ]
            return False
        return True
