"""Shared form helpers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wtforms import Field
from wtforms.validators import StopValidation

from app.dates import date_problem
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

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if value is None:
            return
        if isinstance(value, datetime):
            value = value.date() if value.tzinfo is None else local_date(value)
        problem = date_problem(self.kind, value, local_date(now()))
        if problem is not None:
            raise StopValidation(problem)
