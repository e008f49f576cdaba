"""The language picker of every form: tick boxes for the common languages, a box for others.

A form that asks for languages has two fields, ``languages`` (tick boxes, ``app.languages.
COMMON``) and ``other_languages`` (names typed, checked against the ISO 639-1 table), made
by ``language_boxes`` and ``other_languages_box``. ``picked_languages(form)`` is what the two
say, as codes; ``show_languages(form, codes)`` fills them from what is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from wtforms import SelectMultipleField, StringField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from app.languages import (
    common_choices,
    parse_languages,
    split_for_picker,
    split_typed,
    unknown_message,
)

OTHER_HINT = "Type its name in English, like Amharic or Vietnamese. Separate more with commas."


class LanguageBoxes(SelectMultipleField):
    """Tick boxes of the common languages (their codes are the values, names the labels)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def known_languages(form: Any, field: StringField) -> None:
    """A WTForms validator: every language typed in ``field`` is one we know."""
    unknown = parse_languages(split_typed(field.data)).unknown
    if unknown:
        raise ValidationError(
            f"{unknown_message(unknown)}. Check the spelling, and write its name in English."
        )


def language_boxes(
    label: str, description: str = "", default: Callable[[], list[str]] | None = None
) -> LanguageBoxes:
    return LanguageBoxes(
        label,
        description=description,
        choices=[SelectChoice(code, name) for code, name in common_choices()],
        default=default,
        invalid_choice_message="Choose languages from the list, or type another below.",
    )


def other_languages_box(label: str, description: str = OTHER_HINT) -> StringField:
    return StringField(
        label,
        description=description,
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional(), Length(max=200), known_languages],
    )


def picked_languages(form: Any) -> list[str]:
    """The codes ticked, then those typed (each once), from a validated form."""
    ticked = list(form.languages.data or [])
    typed = parse_languages(split_typed(form.other_languages.data)).codes
    return ticked + [code for code in typed if code not in ticked]


def show_languages(form: Any, codes: Iterable[str] | None) -> None:
    """Fill the two fields from stored codes (a stored word that is no code is typed out)."""
    ticked, others = split_for_picker(list(codes or ()))
    form.languages.data = ticked
    form.other_languages.data = others
