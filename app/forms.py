"""Shared form helpers, and the one place bad input is refused.

Every form of the app derives from ``CornerForm``. Its ``validate`` refuses, with a message
on the field, what no field may hold whatever its own validators say:

* control characters but tab, CR and LF (PostgreSQL cannot store a NUL byte in text, and
  none of them belongs in a name, a note or a postcode);
* whole numbers the database's integer columns cannot hold (ids, counts, thresholds).

``reject_unreadable_query`` (a ``before_request`` hook) refuses the same characters in a
query string with a 400, before any view reads ``request.args``. ``DB_INT_MAX`` also bounds
the ``int`` URL converter (``app.web.BoundedIntConverter``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.exceptions import BadRequest
from wtforms import Field
from wtforms.validators import StopValidation

from app.dates import date_problem, due_kind
from app.domain import DB_INT_MAX, DB_INT_MIN
from app.timeutil import local_date
from app.web import now

# C0 controls but tab (09), LF (0a) and CR (0d); DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = (
    "This contains a character that cannot be saved (such as a NUL byte or another "
    "control character). Remove it and try again."
)
NUMBER_MESSAGE = "Enter a smaller number."


def has_control_characters(value: str) -> bool:
    return CONTROL_CHARACTERS.search(value) is not None


class UnreadableInput(BadRequest):
    """A query string holding control characters (answered by ``app.errors``)."""

    description = (
        "The address contains a character Corner cannot read (such as a NUL byte). "
        "Check the address, or go back and try again."
    )


def reject_unreadable_query() -> None:
    """``before_request``: a query string with control characters is a 400."""
    for key, value in request.args.items(multi=True):
        if has_control_characters(key) or has_control_characters(value):
            raise UnreadableInput()


class CornerForm(FlaskForm):
    """The base of every form: its fields all refuse control characters and huge numbers.

    A field left out of a submitted form takes its default (its empty value), never the
    stored value passed as ``obj`` (a parent's list of languages is no text to parse).
    """

    def process(
        self, formdata: Any = None, obj: Any = None, data: Any = None, **kwargs: Any
    ) -> None:
        super().process(formdata, obj, data, **kwargs)
        submitted = self.meta.wrap_formdata(self, formdata)
        if not submitted:
            return
        csrf_name = getattr(self.meta, "csrf_field_name", "csrf_token")
        for field in self:
            if field.name not in submitted and field.name != csrf_name:
                field.process(submitted)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        for field in self:
            message = _unstorable(field)
            if message:
                field.errors = [*field.errors, message]
                ok = False
        return ok


def _unstorable(field: Field) -> str | None:
    """Why what was posted in ``field`` cannot be stored, if it cannot."""
    for raw in field.raw_data or ():
        if isinstance(raw, str) and has_control_characters(raw):
            return CONTROL_MESSAGE
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    for value in values:
        is_number = isinstance(value, int) and not isinstance(value, bool)
        if is_number and not DB_INT_MIN <= value <= DB_INT_MAX:
            return NUMBER_MESSAGE
    return None


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def error_list(form: Any) -> list[tuple[Field, str]]:
    """(field, message) pairs for the error summary at the top of a page."""
    errors: list[tuple[Field, str]] = []
    for field in form:
        for message in field.errors:
            errors.append((field, message))
    return errors


class PlausibleDate:
    """A WTForms validator: the field's date is plausible for ``kind`` (``app.dates``).

    "Today" is the request's instant (``app.web.now()``, which tests pin with
    ``CORNER_NOW``) as a date in the service time zone, never the wall clock. Works on
    date fields and on date-and-time fields (their calendar day in the service time zone).
    """

    def __init__(self, kind: str, birth_field: str | None = None) -> None:
        self.kind = kind
        #: for a due date: the form's birth-date field (a due date beside a birth is history)
        self.birth_field = birth_field

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if value is None:
            return
        if isinstance(value, datetime):
            value = value.date() if value.tzinfo is None else local_date(value)
        kind = self.kind
        if self.birth_field is not None:
            kind = due_kind(getattr(form, self.birth_field).data)
        problem = date_problem(kind, value, local_date(now()))
        if problem is not None:
            raise StopValidation(problem)
