"""Codes used by matching profiles, with the words people see."""

from __future__ import annotations

from app.domain import AVAILABILITY_LABELS, EXPERIENCE_TAGS, SLOTS

# one tag list with the parents' forms, one set of availability words: app.domain
__all__ = ["EXPERIENCE_TAGS", "SLOTS"]

SLOT_INDEX = {slot: i for i, slot in enumerate(SLOTS)}


def slot_label(slot: str) -> str:
    return AVAILABILITY_LABELS.get(slot, slot)


LANGUAGES = {
    "en": "English",
    "ar": "Arabic",
    "bn": "Bengali",
    "cy": "Welsh",
    "es": "Spanish",
    "fa": "Farsi",
    "fr": "French",
    "gu": "Gujarati",
    "pa": "Punjabi",
    "pl": "Polish",
    "ps": "Pashto",
    "pt": "Portuguese",
    "ro": "Romanian",
    "so": "Somali",
    "ti": "Tigrinya",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "zh": "Chinese",
}


def tag_label(code: str) -> str:
    return EXPERIENCE_TAGS.get(code, code.replace("_", " ").capitalize())


def language_label(code: str) -> str:
    return LANGUAGES.get(code, code)


def words_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
