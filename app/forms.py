"""Shared form helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wtforms import Field
from wtforms.validators import StopValidation

from app.dates import date_problem, due_kind
from app.timeutil import local_date
from app.web import now


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
