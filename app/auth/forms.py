"""Forms for logging in, setting passwords and managing accounts."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.auth.passwords import password_problem
from app.forms import CornerForm, strip_filter
from app.models import User


class LoginForm(CornerForm):
    email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[DataRequired("Enter your email address.")],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])
    next = HiddenField()


class ForgotPasswordForm(CornerForm):
    email = EmailField(
        "Email address",
        description="The address you log in with.",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter your email address."),
            Email("Enter an email address in the correct format, like name@example.org."),
            Length(max=254),
        ],
    )


def _good_password(form: SetPasswordForm, field: PasswordField) -> None:
    person = form.person
    names = (person.first_name or "", person.last_name or "") if person else ()
    problem = password_problem(field.data or "", email=person.email if person else "", names=names)
    if problem:
        raise ValidationError(problem)


class SetPasswordForm(CornerForm):
    """Every form that sets a password is one of these, told whose password it is."""

    def __init__(self, *args: Any, person: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person

    password = PasswordField(
        "New password",
        description=(
            "At least 10 characters, nothing common and nothing of your own (your name or "
            "email address). A few unrelated words make a strong password."
        ),
        validators=[DataRequired("Enter a new password."), _good_password],
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password.")]
    )


class InviteForm(CornerForm):
    email = EmailField(
        "Email address",
        filters=[strip_filter],
        validators=[
            DataRequired("Enter their email address."),
            Email("Enter an email address in the correct format, like name@example.org."),
            Length(max=254),
        ],
    )
    first_name = StringField(
        "First name",
        filters=[strip_filter],
        validators=[DataRequired("Enter their first name."), Length(max=100)],
    )
    last_name = StringField(
        "Last name",
        filters=[strip_filter],
        validators=[DataRequired("Enter their last name."), Length(max=100)],
    )
    role = SelectField(
        "Role",
        choices=[
            SelectChoice("volunteer", "Volunteer (peer supporter)"),
            SelectChoice("coordinator", "Coordinator"),
            SelectChoice("admin", "Admin"),
        ],
    )
    area = SelectField("Area", coerce=int, choices=[])


class ConfirmForm(CornerForm):
    """A form with only the CSRF token, for buttons that change state."""


class CodeForm(CornerForm):
    """A two-factor code: 6 digits from the app, or (signing in) a recovery code."""

    code = StringField(
        "Code",
        filters=[strip_filter],
        validators=[DataRequired("Enter the code."), Length(max=40)],
    )


class SignInSettingsForm(CornerForm):
    require_two_factor = BooleanField(
        "Require two-factor sign-in for admins and coordinators",
        description=(
            "From their next sign-in, an admin or coordinator without it is asked to set it "
            "up before they can do anything else. Volunteers are never asked."
        ),
    )
