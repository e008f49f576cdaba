"""The equality monitoring questions of the parent forms (``app.equality`` has the words).

Each question is a select: an empty "—" (not recorded), every choice (ethnic groups under
their ONS headings, as optgroups) and "Prefer not to say". Never required; a value that is
not one of the choices is an error on the field. The coordinator's referral form and the
parent edit form ask about the parent; the public self-referral
form asks the parent herself (``ASKED_OF_PARENT``). The forms declare the fields after
their others, so that the error summary lists problems in the order of the page.
"""

from __future__ import annotations

from typing import Any

from wtforms import Field, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice

from app.equality import BY_NAME, PREFER_NOT, PREFER_NOT_LABEL, codes

NOT_RECORDED_CHOICE = "—"


def equality_choices(name: str) -> list[SelectChoice]:
    """The options of one question: "—", the choices (grouped where they have a group), and
    "Prefer not to say"."""
    grouped = [
        SelectChoice(choice.code, choice.label, optgroup=choice.group or None)
        for choice in BY_NAME[name].choices
    ]
    return [
        SelectChoice("", NOT_RECORDED_CHOICE),
        *grouped,
        SelectChoice(PREFER_NOT, PREFER_NOT_LABEL),
    ]


def _known(name: str) -> Any:
    allowed = set(codes(name))

    def check(form: Any, field: Field) -> None:
        if field.data is not None and field.data not in allowed:
            raise ValidationError("Choose one of the answers in the list.")

    return check


def _empty_to_none(value: Any) -> Any:
    return None if value in ("", None) else value


def equality_select(name: str, question: str | None = None) -> SelectField:
    """One question; ``question`` overrides the staff wording in ``app.equality``."""
    return SelectField(
        question or BY_NAME[name].question,
        choices=equality_choices(name),
        validate_choice=False,
        filters=[_empty_to_none],
        validators=[_known(name)],
    )
