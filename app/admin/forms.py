"""Forms of the admin pages: the audit log's filters, an area."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, EmailField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from app.dates import DateKind
from app.forms import CornerForm, PlausibleDate, strip_filter


class AuditFilterForm(CornerForm):
    """GET filters for the audit log (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    actor = SelectField("Who", coerce=int, choices=[], validate_choice=False)
    person = StringField(
        "Or anyone by name or email",
        filters=[strip_filter],
        validators=[Optional(), Length(max=100)],
        description="For example a volunteer: part of their name or email address.",
    )
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


#: a UK or international phone number as people write it: digits, spaces, +, ( ) and -
PHONE_PATTERN = r"^\+?[0-9 ()\-]{6,30}$"


class AreaForm(CornerForm):
    name = StringField(
        "Name",
        description="What coordinators and volunteers call this local service.",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter the area's name."),
            Length(max=120, message="Keep the name to 120 characters or fewer."),
        ],
    )
    duty_email = EmailField(
        "Duty email address (optional)",
        description="Urgent flags and their reminders are emailed here.",
        filters=[strip_filter],
        validators=[
            Optional(),
            Email("Enter an email address in the correct format, like duty@example.org."),
            Length(max=254, message="Keep the email address to 254 characters or fewer."),
        ],
    )
    duty_phone = TelField(
        "Duty phone number (optional)",
        description="Shown to a volunteer who has just recorded an urgent concern.",
        filters=[strip_filter],
        validators=[
            Optional(),
            Regexp(
                PHONE_PATTERN,
                message="Enter a phone number using digits, spaces and + ( ) -,"
                " like 0117 496 0000.",
            ),
            Length(max=40, message="Keep the phone number to 40 characters or fewer."),
        ],
    )
