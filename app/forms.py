"""Shared form helpers."""

from __future__ import annotations

from typing import Any

from wtforms import Field


def strip_filter(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def error_list(form: Any) -> list[tuple[Field, str]]:
    """(field, message) pairs for the error summary at the top of a page."""
    errors: list[tuple[Field, str]] = []
    for field in form:
        for message in field.errors:
            errors.append((field, message))
    return errors
