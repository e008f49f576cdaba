"""The equality monitoring vocabulary (pure): codes, words, parsing a spreadsheet cell."""

from __future__ import annotations

import pytest

from app import equality
from app.equality import FIELDS, PREFER_NOT, answers, codes, label, parse


def test_every_field_offers_prefer_not_to_say_last_and_codes_are_unique() -> None:
    for field in FIELDS:
        field_codes = codes(field.name)
        assert field_codes[-1] == PREFER_NOT
        assert len(set(field_codes)) == len(field_codes)
        words = [label(field.name, code).casefold() for code in field_codes]
        assert len(set(words)) == len(words), field.name


def test_labels() -> None:
    assert label("ethnic_group", None) == "Not recorded"
    assert label("ethnic_group", "not_recorded") == "Not recorded"
    assert label("age_band", PREFER_NOT) == "Prefer not to say"
    assert label("ethnic_group", "white_irish") == "Irish"
    assert label("age_band", "35_plus") == "35 or over"
    assert label("interpreter_needed", "yes") == "Yes"
    assert label("age_band", "retired_code") == "retired_code"  # shown, not a failure


def test_every_code_and_every_label_parses_back_to_its_code() -> None:
    for field in FIELDS:
        for code in codes(field.name):
            words = label(field.name, code)
            assert parse(field.name, code) == code
            assert parse(field.name, code.upper()) == code
            assert parse(field.name, words) == code
            assert parse(field.name, f"  {words.upper()}  ") == code
            assert parse(field.name, words.replace(" ", "  ")) == code


def test_age_bands_as_spreadsheets_write_them() -> None:
    assert parse("age_band", "20-24") == "20_24"
    assert parse("age_band", "25 \u2013 34") == "25_34"  # an en dash
    assert parse("age_band", "35+") == "35_plus"


def test_empty_and_not_recorded_are_none() -> None:
    for text in ("", "   ", "Not recorded", "NOT_RECORDED", "not recorded"):
        assert parse("disability", text) is None


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("age_band", "40", "is not one of: under_20, 20_24, 25_34, 35_plus, prefer_not"),
        ("first_time_parent", "y", "is not one of: yes, no, prefer_not"),
        ("ethnic_group", "British", "is not one of the ethnic group choices"),
        ("ethnic_group", "white", "write a code, such as asian_bangladeshi"),
    ],
)
def test_anything_else_is_refused_in_plain_words(name: str, text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(name, text)


def test_ethnic_groups_are_the_ons_2021_headings_in_order() -> None:
    groups = list(dict.fromkeys(choice.group for choice in equality.ETHNIC_GROUPS))
    assert groups == [
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed or Multiple ethnic groups",
        "White",
        "Other ethnic group",
    ]
    assert len(equality.ETHNIC_GROUPS) == 19


def test_answers_gives_every_question_in_order_with_words() -> None:
    assert answers({"ethnic_group": "other_arab", "disability": PREFER_NOT}) == [
        ("Ethnic group", "Arab"),
        ("Age at referral", "Not recorded"),
        ("First-time parent", "Not recorded"),
        ("Disability or long-term health condition", "Prefer not to say"),
        ("Needs an interpreter", "Not recorded"),
    ]


def test_every_field_asks_the_parent_too() -> None:
    assert set(equality.ASKED_OF_PARENT) == set(equality.FIELD_NAMES)
    assert all(question.endswith("?") for question in equality.ASKED_OF_PARENT.values())
