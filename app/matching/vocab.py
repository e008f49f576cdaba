"""Codes used by matching profiles, with the words people see."""

from __future__ import annotations

from app.domain import EXPERIENCE_TAGS
from app.languages import language_name as language_label

# One list with the parents' forms (app.domain); languages are one vocabulary (app.languages).
__all__ = ["EXPERIENCE_TAGS", "language_label"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}
PERIODS = ("am", "pm", "eve")
PERIOD_LABELS = {"am": "morning", "pm": "afternoon", "eve": "evening"}

#: Every availability slot, weekday x part of day: "mon-am" … "sun-eve".
SLOTS = tuple(f"{day}-{period}" for day in WEEKDAYS for period in PERIODS)
SLOT_INDEX = {slot: i for i, slot in enumerate(SLOTS)}


def slot_label(slot: str) -> str:
    day, _, period = slot.partition("-")
    return f"{WEEKDAY_LABELS.get(day, day)} {PERIOD_LABELS.get(period, period)}"


def tag_label(code: str) -> str:
    return EXPERIENCE_TAGS.get(code, code.replace("_", " ").capitalize())


def words_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]
