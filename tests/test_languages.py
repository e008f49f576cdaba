"""Languages are one vocabulary (app.languages): pure, no database."""

from __future__ import annotations

import pytest

from app.languages import (
    COMMON,
    ISO_639_1,
    OTHER_NAMES,
    common_choices,
    language_code,
    language_name,
    parse_languages,
    split_for_picker,
    split_typed,
    unknown_message,
)


def test_the_table_is_the_whole_of_iso_639_1() -> None:
    assert len(ISO_639_1) == 183
    assert all(len(code) == 2 and code.isalpha() and code.islower() for code in ISO_639_1)
    assert set(COMMON) <= set(ISO_639_1) and len(set(COMMON)) == len(COMMON)
    assert set(OTHER_NAMES.values()) <= set(ISO_639_1)
    names = [name.lower() for name in ISO_639_1.values()]
    assert len(names) == len(set(names)), "two codes share a name"
    assert not set(OTHER_NAMES) & set(names), "another name that is also a main name"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Polish", "pl"),
        ("polish", "pl"),
        ("POLISH", "pl"),
        (" pl ", "pl"),
        ("PL", "pl"),
        ("English", "en"),
        ("Persian", "fa"),
        ("Farsi", "fa"),
        ("Panjabi", "pa"),
        ("Māori", "mi"),
        ("maori", "mi"),
        ("Norwegian  Bokmål", "nb"),
        ("Scottish Gaelic", "gd"),
        ("Klingon", None),
        ("xx", None),
        ("", None),
    ],
)
def test_a_name_or_a_code_in_any_case_gives_the_code(typed: str, code: str | None) -> None:
    assert language_code(typed) == code


def test_names_for_codes_and_an_unknown_word_as_itself() -> None:
    assert language_name("pl") == "Polish"
    assert language_name("en") == "English"
    assert language_name("klingon") == "klingon"  # an old stored word is never hidden


def test_parsing_a_list_keeps_order_drops_repeats_and_lists_the_unknown() -> None:
    parsed = parse_languages(["English", "pl", "", "polish", "Klingon", "klingon ", "Klingon"])
    assert parsed.codes == ["en", "pl"]
    assert parsed.unknown == ["Klingon", "klingon"]
    assert split_typed("Tamil, Amharic and Thai; Tigrinya / Somali & Urdu") == [
        "Tamil",
        "Amharic",
        "Thai",
        "Tigrinya",
        "Somali",
        "Urdu",
    ]
    assert split_typed(None) == [] and split_typed(" , ") == []


def test_the_unknown_message() -> None:
    assert unknown_message(["Klingon"]) == '"Klingon" is not a language we know'
    assert unknown_message(["Klingon", "Elvish"]) == (
        '"Klingon" and "Elvish" are not languages we know'
    )


def test_pickers_show_english_first_then_the_common_ones_by_name() -> None:
    choices = common_choices()
    assert choices[0] == ("en", "English")
    names = [name for _, name in choices[1:]]
    assert names == sorted(names)
    assert ("pl", "Polish") in choices and ("ur", "Urdu") in choices
    assert split_for_picker(["en", "am", "pl", "klingon"]) == (["en", "pl"], "Amharic, klingon")
