"""Issue 10 item 2: matching keeps to the case's area ("works in another area")."""

from __future__ import annotations

import json
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.matching import assignments, planning, suggestions
from app.matching.arrays import ParentFacts, Vocab, VolunteerFacts, build_needs, build_pool
from app.matching.errors import MatchError
from app.matching.gates import GATE_LABELS, GATES, PASSED
from app.matching.scoring import Weights, evaluate
from tests.factories import NOW, make_area, make_case, make_parent, make_user, make_volunteer
from tests.helpers import login

NOW_ISO = NOW.isoformat()
TODAY = date(2026, 11, 2)


def _first_gates(parent: ParentFacts, volunteers: list[VolunteerFacts]) -> list[str | None]:
    vocab = Vocab()
    pool = build_pool(volunteers, vocab)
    needs = build_needs([parent], pool, vocab, TODAY)
    gate = evaluate(needs, pool, TODAY, Weights.default()).gate[0]
    return [None if int(g) == PASSED else GATES[int(g)] for g in gate]


def test_area_gate_without_database() -> None:
    parent = ParentFacts(id=1, due_date=date(2027, 2, 1), area_id=1)
    no_area = ParentFacts(id=2, due_date=date(2027, 2, 1), area_id=None)
    same = VolunteerFacts(id=10, area_id=1)
    other = VolunteerFacts(id=11, area_id=2)
    anywhere = VolunteerFacts(id=12, area_id=None)
    paused_other = VolunteerFacts(id=13, area_id=2, status="paused")
    assert _first_gates(parent, [same, other, anywhere, paused_other]) == [
        None,
        "area",
        None,
        "active",  # the first gate failed counts, so the counts add up
    ]
    # A case with no area is offered only volunteers who work anywhere.
    assert _first_gates(no_area, [same, anywhere]) == ["area", None]
    assert GATE_LABELS["area"] == "works in another area"


def test_suggestions_keep_to_the_case_area(session: SessionLike) -> None:
    north, south = make_area(session, "North"), make_area(session, "South")
    case = make_case(session, make_parent(session, area=north))
    here = make_volunteer(session, area=north)
    anywhere = make_volunteer(session)
    make_volunteer(session, area=south)
    make_volunteer(session, area=south)
    result = suggestions.suggest(session, NOW, case.parent, case=case)
    assert {s.volunteer_id for s in result.items} == {here.id, anywhere.id}
    assert result.excluded == {"area": 2}
    assert ("works in another area", 2) in result.excluded_in_words()


def test_suggestions_page_counts_other_area(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    north, south = make_area(session, "North"), make_area(session, "South")
    coordinator = make_user(session)
    case = make_case(session, make_parent(session, area=north))
    make_volunteer(session, area=north, user_kw={"first_name": "Nora"})
    make_volunteer(session, area=south, user_kw={"first_name": "Sid"})
    session.commit()
    login(client, coordinator.email)
    html = client.get(f"/cases/{case.id}/suggestions").get_data(as_text=True)
    assert "Nora" in html and "Sid" not in html
    assert "1 works in another area" in html


def test_suggest_json_counts_other_area(app: Flask, session: SessionLike) -> None:
    north, south = make_area(session, "North"), make_area(session, "South")
    parent = make_parent(session, ref="R-1", area=north)
    make_case(session, parent)
    make_volunteer(session, area=north, user_kw={"email": "north@example.org"})
    make_volunteer(session, area=south, user_kw={"email": "south@example.org"})
    session.commit()
    result = app.test_cli_runner().invoke(
        args=["matching", "suggest", "R-1", "--json", "--now", NOW_ISO]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [s["volunteer_email"] for s in doc["suggestions"]] == ["north@example.org"]
    assert doc["excluded"] == {"area": 1}


def test_assign_refuses_a_volunteer_of_another_area(session: SessionLike) -> None:
    north, south = make_area(session, "North"), make_area(session, "South")
    case = make_case(session, make_parent(session, area=north))
    other = make_volunteer(session, area=south)
    with pytest.raises(MatchError, match="cannot be assigned now: works in another area"):
        assignments.assign(session, NOW, case.id, other.id, None)
    anywhere = make_volunteer(session)
    assignments.assign(session, NOW, case.id, anywhere.id, None)


def test_plan_keeps_to_the_area_and_confirm_rechecks(session: SessionLike) -> None:
    north, south = make_area(session, "North"), make_area(session, "South")
    north_case = make_case(session, make_parent(session, area=north))
    south_case = make_case(session, make_parent(session, area=south))
    north_v = make_volunteer(session, area=north, max_caseload=1)
    south_v = make_volunteer(session, area=south, max_caseload=1)
    proposal = planning.propose(session, NOW)
    assert {(p.case_id, p.volunteer_id) for p in proposal.pairs} == {
        (north_case.id, north_v.id),
        (south_case.id, south_v.id),
    }
    done = planning.confirm_plan(session, NOW, [(north_case.id, south_v.id)], None)
    assert done.made == []
    assert done.not_made == [(north_case.id, south_v.id, "works in another area")]
