"""The lists' duplicate marker (``parents_with_duplicates``, one statement for a page) agrees
with the case page's list (``duplicates_of``, one parent at a time) on random parents drawn
from a few shared emails, phones, names and dates, some set aside as copies, some erased."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from app.cases.duplicates import duplicates_of, is_set_aside_as_duplicate, parents_with_duplicates
from app.extensions import SessionLike
from app.models import Parent
from tests.factories import NOW, make_case, make_parent

# sparse enough that most parents share at most one thing with one other
EMAILS = [None, None, None, "", "ann@example.org", "ANN@Example.org", "bea@example.org"]
EMAILS += [f"other{n}@example.org" for n in range(8)]
PHONES = [None, None, None, "", "07700 900111", "+44 7700 900111", "0117 496 0000"]
PHONES += [f"07700 90{n:04d}" for n in range(8)]
FIRST = ["Ann", "ann", "Bea", "Cat", "Dee"]
LAST = ["", "Lee", "LEE", "Ray", "Fox", "Kay"]
DATES = [None, date(2027, 1, 1), date(2027, 2, 1), date(2026, 11, 1)]


def _random_parent(session: SessionLike, rng: random.Random) -> Parent:
    parent = make_parent(
        session,
        email=rng.choice(EMAILS),
        phone=rng.choice(PHONES),
        first_name=rng.choice(FIRST),
        last_name=rng.choice(LAST),
        due_date=rng.choice(DATES),
        birth_date=rng.choice(DATES),
    )
    closed: dict[str, Any] = {"status": "closed", "closed_at": NOW}
    for _ in range(rng.choice([0, 1, 1, 2])):
        kind = rng.random()
        if kind < 0.4:
            make_case(session, parent, close_reason="Duplicate referral", **closed)
        elif kind < 0.6:
            make_case(session, parent, close_reason="moved away", **closed)
        else:
            make_case(session, parent)
    if rng.random() < 0.1:
        parent.erased_at = NOW
    return parent


@pytest.mark.parametrize("seed", range(8))
def test_the_page_marker_agrees_with_the_case_page(session: SessionLike, seed: int) -> None:
    rng = random.Random(seed)
    parents = [_random_parent(session, rng) for _ in range(40)]
    session.commit()
    expected = {
        p.id
        for p in parents
        if p.erased_at is None and not is_set_aside_as_duplicate(p) and duplicates_of(session, p)
    }
    live = [p for p in parents if p.erased_at is None]
    assert parents_with_duplicates(session, live) == expected
    assert expected, "the draw should give some duplicates"
    assert set(p.id for p in live) - expected, "and some parents without one"
    # a page is any part of the list: the answer for each parent does not depend on the page
    half = live[: len(live) // 2]
    assert parents_with_duplicates(session, half) == expected & {p.id for p in half}
    assert parents_with_duplicates(session, []) == set()
