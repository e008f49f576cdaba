"""The demo's parents have plausible equality monitoring answers, the same on every build."""

from __future__ import annotations

from collections import Counter

from flask import Flask
from sqlalchemy import select

from app.demo.build import DemoBuilder
from app.equality import FIELD_NAMES, PREFER_NOT, codes
from app.extensions import SessionLike
from app.models import Parent
from tests.demo.test_seed import NOW_ARG
from tests.factories import NOW


def _answers(session: SessionLike) -> dict[str, tuple[str | None, ...]]:
    session.expire_all()
    columns = [getattr(Parent, name) for name in FIELD_NAMES]
    return {ref: tuple(rest) for ref, *rest in session.execute(select(Parent.ref, *columns))}


def _seed(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", NOW_ARG])
    assert result.exit_code == 0, result.output


def test_demo_parents_answer_plausibly_and_deterministically(
    app: Flask, session: SessionLike
) -> None:
    _seed(app)
    answers = _answers(session)
    for index, name in enumerate(FIELD_NAMES):
        given = Counter(row[index] for row in answers.values())
        assert set(given) - {None} <= set(codes(name)), name
        assert given[None] >= 10, name  # some not recorded
        assert given[PREFER_NOT] >= 3, name  # some "Prefer not to say"
        assert len(set(given) - {None, PREFER_NOT}) >= 2, name  # real answers, more than one
    ethnic = Counter(row[0] for row in answers.values())
    assert ethnic.most_common(1)[0][0] == "white_british"
    assert len(ethnic) >= 10
    nothing = sum(set(row) == {None} for row in answers.values())
    assert 0.05 < nothing / len(answers) < 0.3
    young = [p for p in session.scalars(select(Parent)) if "young_parent" in p.tags]
    assert young and {p.age_band for p in young} <= {"under_20", "20_24", PREFER_NOT, None}


def test_the_answers_come_from_their_own_repeatable_stream(
    app: Flask, session: SessionLike
) -> None:
    """The same seed, the same answers; and drawing them leaves the main stream alone."""
    first, second = (DemoBuilder(session, NOW) for _ in range(2))
    before = first.rng.getstate()
    draws = [(["young_parent"], ["en"]), ([], ["so"]), ([], ["en", "pl"])] * 20
    assert [first._equality(*d) for d in draws] == [second._equality(*d) for d in draws]
    assert first.rng.getstate() == before
