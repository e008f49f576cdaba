"""The language gate with what the forms store (pure: no database)."""

from __future__ import annotations

from dataclasses import replace

from app.languages import parse_languages, split_typed
from app.matching.scoring import shared_languages
from tests.matching.test_scoring import GOOD, PREGNANT, first_gate


def test_a_parent_naming_polish_shares_a_language_with_a_pl_volunteer() -> None:
    """What the self-referral used to store ("polish") met the volunteers' "pl" nowhere."""
    typed = parse_languages(split_typed("Polish")).codes
    parent = replace(PREGNANT, languages=tuple(typed))
    volunteer = replace(GOOD, languages=("pl",))
    assert first_gate(parent, volunteer) is None
    assert shared_languages(parent, volunteer) == "Polish"
    assert first_gate(replace(PREGNANT, languages=("polish",)), volunteer) == "language"
