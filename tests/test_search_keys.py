"""The search's folded keys and how a query is read (pure: no database)."""

from __future__ import annotations

import pytest

from app.search_keys import (
    MIN_PHONE_DIGITS,
    compact,
    fold,
    like_inside,
    parent_search_key,
    parse_query,
    phone_digits,
)


def test_fold_drops_accents_and_case() -> None:
    assert fold("Zoë ŁUKASZ Øyvind Ægir Straße") == "zoe lukasz oyvind aegir strasse"


def test_compact_drops_spaces_hyphens_apostrophes_and_the_separator() -> None:
    assert compact("  O\u2019Brien-Hall | Jr. ") == "obrienhalljr"


@pytest.mark.parametrize(
    "phone",
    ["07700 900123", "+447700900123", "+44 (0)7700 900-123", "0044 7700 900123", "447700900123"],
)
def test_every_way_of_writing_a_uk_number_gives_the_same_digits(phone: str) -> None:
    assert phone_digits(phone) == "7700900123"


def test_no_phone_no_digits() -> None:
    assert phone_digits(None) is None and phone_digits("") is None and phone_digits("-") is None


def test_parent_key_keeps_fields_apart() -> None:
    key = parent_search_key("Zoë", "Reynolds", "zoe@example.org", "SW1A 1AA", "BR-0185")
    assert key == "zoereynolds|zoe@exampleorg|sw1a1aa|br0185"
    # a query never holds the separator, so it never matches across two fields
    assert "|" not in parse_query("reynolds | zoe").key


@pytest.mark.parametrize(
    ("query", "case_id"),
    [("C-00185", 185), ("c185", 185), ("185", 185), (" C 00185 ", 185), ("C-0", None)],
)
def test_case_references_are_read(query: str, case_id: int | None) -> None:
    assert parse_query(query).case_id == case_id


def test_a_phone_shaped_query_gives_digits_a_name_does_not() -> None:
    assert parse_query("07700 900123").digits == "7700900123"
    assert parse_query("+44 7700 900123").digits == "7700900123"
    assert parse_query("Reyn").digits is None
    assert parse_query("0" + "1" * (MIN_PHONE_DIGITS - 1)).digits is None  # too short to say


def test_query_is_trimmed_and_bounded() -> None:
    terms = parse_query("  zoe    reyn  " + "x" * 200)
    assert terms.text.startswith("zoe reyn") and len(terms.text) == 100
    assert parse_query("--").empty and parse_query("--").text == "--"


def test_like_pattern_escapes_wildcards() -> None:
    assert like_inside("50%_a/b") == "%50/%/_a//b%"
