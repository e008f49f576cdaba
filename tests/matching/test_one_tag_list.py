"""Issue 10 item 4: experience tags are ONE list shared by parents and volunteers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.cases.forms import ParentEditForm, ReferralForm, SelfReferralForm
from app.demo.vocab import TAGS as DEMO_TAGS
from app.matching.arrays import ParentFacts, Vocab, VolunteerFacts, build_needs, build_pool
from app.matching.forms import ProfileForm
from app.matching.scoring import Weights, evaluate, explain
from app.matching.vocab import tag_label
from app.spreadsheets.columns import PARENTS, VOLUNTEERS

TODAY = date(2026, 11, 2)


def _codes(form: Any) -> list[str]:
    return [choice.value for choice in form.tags.kwargs["choices"]]


PARENT_CODES = sorted(set(_codes(ReferralForm)) | set(_codes(SelfReferralForm)))


def test_every_form_file_and_the_demo_use_the_one_list() -> None:
    from app.domain import EXPERIENCE_TAGS

    one = list(EXPERIENCE_TAGS)
    for form in (ReferralForm, ParentEditForm, SelfReferralForm, ProfileForm):
        assert _codes(form) == one, form.__name__
    assert list(PARENTS.column("tags").choices) == one
    assert list(VOLUNTEERS.column("tags").choices) == one
    assert list(DEMO_TAGS) == one
    # Each code has its own words, the same on both sides.
    assert len(set(EXPERIENCE_TAGS.values())) == len(one)
    assert all(tag_label(code) == EXPERIENCE_TAGS[code] for code in one)


@pytest.mark.parametrize("code", PARENT_CODES)
def test_a_parent_tagged_x_meets_a_volunteer_tagged_x(code: str) -> None:
    # The volunteer's profile form offers every tag a parent can be given...
    assert code in _codes(ProfileForm)
    # ...and the two then share that experience in the score.
    parent = ParentFacts(id=1, due_date=date(2027, 2, 1), tags=(code,))
    volunteer = VolunteerFacts(id=2, tags=(code,))
    vocab = Vocab()
    pool = build_pool([volunteer], vocab)
    needs = build_needs([parent], pool, vocab, TODAY)
    weights = Weights.default()
    evaluation = evaluate(needs, pool, TODAY, weights)
    parts = {p.name: p for p in explain(needs, pool, evaluation, weights, 0, 0)}
    assert parts["experience"].points == pytest.approx(parts["experience"].max_points)
    assert tag_label(code).lower() in parts["experience"].words.lower()


def test_the_spreadsheet_refuses_a_tag_outside_the_list() -> None:
    from app.spreadsheets.cells import CellProblem, parse_list

    column = PARENTS.column("tags")
    assert parse_list(column, "Twins; new_to_uk") == ["twins", "new_to_uk"]
    with pytest.raises(CellProblem, match='"new_to_moon" not allowed'):
        parse_list(column, "twins;new_to_moon")
