"""Equality monitoring: the optional fields asked "to help us show funders who we reach".

Each field is stored on the parent as a short code (``None``: not recorded). Every field
offers "Prefer not to say" (``PREFER_NOT``). Staff see the labels; volunteers never see
these fields. Ethnic groups are the ONS 2021 Census categories for England and Wales.
Pure: no Flask, no SQLAlchemy, no models.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"
NOT_RECORDED = "not_recorded"
NOT_RECORDED_LABEL = "Not recorded"

#: Why we ask, said wherever the questions are asked.
WHY_WE_ASK = (
    "These questions are optional. Your answers help us show funders who we reach; "
    "your peer supporter does not see them."
)


class Choice(NamedTuple):
    code: str
    label: str
    group: str = ""  # the ONS heading an ethnic group belongs to


_ASIAN = "Asian, Asian British or Asian Welsh"
_BLACK = "Black, Black British, Black Welsh, Caribbean or African"
_MIXED = "Mixed or Multiple ethnic groups"
_WHITE = "White"
_OTHER = "Other ethnic group"

ETHNIC_GROUPS: tuple[Choice, ...] = (
    Choice("asian_bangladeshi", "Bangladeshi", _ASIAN),
    Choice("asian_chinese", "Chinese", _ASIAN),
    Choice("asian_indian", "Indian", _ASIAN),
    Choice("asian_pakistani", "Pakistani", _ASIAN),
    Choice("asian_other", "Any other Asian background", _ASIAN),
    Choice("black_african", "African", _BLACK),
    Choice("black_caribbean", "Caribbean", _BLACK),
    Choice("black_other", "Any other Black, Black British or Caribbean background", _BLACK),
    Choice("mixed_white_asian", "White and Asian", _MIXED),
    Choice("mixed_white_black_african", "White and Black African", _MIXED),
    Choice("mixed_white_black_caribbean", "White and Black Caribbean", _MIXED),
    Choice("mixed_other", "Any other Mixed or Multiple ethnic background", _MIXED),
    Choice("white_british", "English, Welsh, Scottish, Northern Irish or British", _WHITE),
    Choice("white_irish", "Irish", _WHITE),
    Choice("white_gypsy_traveller", "Gypsy or Irish Traveller", _WHITE),
    Choice("white_roma", "Roma", _WHITE),
    Choice("white_other", "Any other White background", _WHITE),
    Choice("other_arab", "Arab", _OTHER),
    Choice("other_any", "Any other ethnic group", _OTHER),
)

AGE_BANDS: tuple[Choice, ...] = (
    Choice("under_20", "Under 20"),
    Choice("20_24", "20 to 24"),
    Choice("25_34", "25 to 34"),
    Choice("35_plus", "35 or over"),
)

YES_NO: tuple[Choice, ...] = (Choice("yes", "Yes"), Choice("no", "No"))


class Field(NamedTuple):
    name: str  # the Parent attribute, the CSV column and the ``equality.<name>`` report key
    question: str
    choices: tuple[Choice, ...]  # without "Prefer not to say", which every field adds


FIELDS: tuple[Field, ...] = (
    Field("ethnic_group", "Ethnic group", ETHNIC_GROUPS),
    Field("age_band", "Age at referral", AGE_BANDS),
    Field("first_time_parent", "First-time parent", YES_NO),
    Field("disability", "Disability or long-term health condition", YES_NO),
    Field("interpreter_needed", "Needs an interpreter", YES_NO),
)
FIELD_NAMES: tuple[str, ...] = tuple(field.name for field in FIELDS)
BY_NAME: dict[str, Field] = {field.name: field for field in FIELDS}

#: The same questions as the public self-referral form asks them, of the parent herself.
ASKED_OF_PARENT: dict[str, str] = {
    "ethnic_group": "What is your ethnic group?",
    "age_band": "How old are you?",
    "first_time_parent": "Are you a first-time parent?",
    "disability": "Do you have a disability or a long-term health condition?",
    "interpreter_needed": "Would you like an interpreter?",
}


def codes(name: str) -> tuple[str, ...]:
    """Every code a field may hold, "Prefer not to say" last."""
    return (*(choice.code for choice in BY_NAME[name].choices), PREFER_NOT)


def label(name: str, code: str | None) -> str:
    """The words shown for a stored code (``None``: "Not recorded")."""
    if code is None or code == NOT_RECORDED:
        return NOT_RECORDED_LABEL
    if code == PREFER_NOT:
        return PREFER_NOT_LABEL
    for choice in BY_NAME[name].choices:
        if choice.code == code:
            return choice.label
    return code


def answers(values: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """(question, answer in words) for every field, in order; a missing one is not recorded."""
    return [(field.question, label(field.name, values.get(field.name))) for field in FIELDS]


#: "20-24" (a hyphen, an en dash or an em dash) as a spreadsheet may write an age band
_RANGE = re.compile(r"(\d)\s*[-\u2013\u2014]\s*(\d)")


def parse(name: str, text: str) -> str | None:
    """A code from a spreadsheet cell: a code or a label, any case ("20-24" and "35+" too);
    "" (or "Not recorded") is not recorded.

    Raises ``ValueError`` with a plain message for anything else.
    """
    cleaned = " ".join(text.split()).casefold()
    cleaned = _RANGE.sub(r"\1 to \2", cleaned).replace("35+", "35 or over")  # 20-24, 35+
    if not cleaned or cleaned in (NOT_RECORDED, NOT_RECORDED_LABEL.casefold()):
        return None
    for code in codes(name):
        if cleaned in (code.casefold(), label(name, code).casefold()):
            return code
    allowed = codes(name)
    if len(allowed) > 8:
        first = BY_NAME[name].choices[0]
        raise ValueError(
            f"is not one of the {BY_NAME[name].question.lower()} choices: write a code, such "
            f'as {first.code}, or its words, such as "{first.label}" (see the help)'
        )
    raise ValueError(f"is not one of: {', '.join(allowed)} (or their words, in any case)")
