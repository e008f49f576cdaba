"""Forms for logging in, setting passwords and managing accounts."""

from __future__ import annotations

from wtforms import (
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


def _good_password(form: CornerForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SetPasswordForm(CornerForm):
    password = PasswordField(
        "New password",
        description="At least 10 characters. A few unrelated words make a strong password.",
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
