"""Codes used by matching profiles, with the words people see."""

from __future__ import annotations

from app.domain import AVAILABILITY_LABELS, EXPERIENCE_TAGS, SLOTS
from app.languages import language_name as language_label

# One tag list with the parents' forms and one set of availability words (app.domain);
# languages are one vocabulary (app.languages).
__all__ = ["EXPERIENCE_TAGS", "SLOTS", "language_label"]

SLOT_INDEX = {slot: i for i, slot in enumerate(SLOTS)}


def slot_label(slot: str) -> str:
    return AVAILABILITY_LABELS.get(slot, slot)


def tag_label(code: str) -> str:
    return EXPERIENCE_TAGS.get(code, code.replace("_", " ").capitalize())


def words_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
