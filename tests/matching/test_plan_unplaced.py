"""Issue 10 item 8: the plan names the waiting parents it could not place, and why."""

from __future__ import annotations

import json

import numpy as np
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.matching import planning
from app.matching.gates import GATES, PASSED, why_unplaced
from tests.factories import NOW, make_assignment, make_case, make_parent, make_user, make_volunteer
from tests.helpers import StatementCounter, login

NOW_ISO = "2026-11-02T10:00"
LANGUAGE, TRAVEL, ACTIVE = GATES.index("language"), GATES.index("travel"), GATES.index("active")


# The pure rule, no database.


def test_nobody_passes_names_the_most_common_gate() -> None:
    gates = np.array([[LANGUAGE, LANGUAGE, TRAVEL], [ACTIVE, TRAVEL, TRAVEL]], dtype=np.int8)
    first, second = why_unplaced(gates, np.array([1, 1, 1]))
    assert (first.reason, first.gate, first.count, first.total) == ("gate", "language", 2, 3)
    assert (
        first.words
        == "no volunteer passes the matching rules; most often: no shared language (2 of 3)"
    )
    assert (second.reason, second.gate) == ("gate", "travel")


def test_suitable_but_full_or_taken() -> None:
    gates = np.array([[PASSED, LANGUAGE], [LANGUAGE, PASSED]], dtype=np.int8)
    full, taken = why_unplaced(gates, np.array([0, 2]))
    assert (full.reason, full.gate) == ("full", None)
    assert full.words == "every suitable volunteer is already full"
    assert (taken.reason, taken.gate) == ("taken", None)
    assert "go to other parents in this plan" in taken.words


def test_no_volunteers_and_no_parents() -> None:
    assert why_unplaced(np.zeros((0, 3), dtype=np.int8), np.zeros(3, dtype=np.int64)) == []
    (nobody,) = why_unplaced(np.zeros((1, 0), dtype=np.int8), np.zeros(0, dtype=np.int64))
    assert nobody.reason == "nobody"


# Through the service, the page and the CLI.


def _world(session: SessionLike) -> None:
    """P-A placed; P-B only Polish (nobody speaks it); P-C waits for the full volunteer."""
    placed = make_volunteer(session, max_caseload=1, user_kw={"email": "free@example.org"})
    full = make_volunteer(session, max_caseload=1, languages=["fr"])
    make_assignment(session, make_case(session), full)
    make_case(session, make_parent(session, ref="P-A", languages=["en"]))
    make_case(session, make_parent(session, ref="P-B", languages=["pl"]))
    make_case(session, make_parent(session, ref="P-C", languages=["fr"]))
    assert placed  # the English speaker's only volunteer


def test_plan_json_lists_the_unplaced(app: Flask, session: SessionLike) -> None:
    _world(session)
    session.commit()
    result = app.test_cli_runner().invoke(args=["matching", "plan", "--json", "--now", NOW_ISO])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert {"pairs", "total", "unplaced"} <= set(doc)
    assert [p["parent_ref"] for p in doc["pairs"]] == ["P-A"]
    by_ref = {u["parent_ref"]: u for u in doc["unplaced"]}
    assert set(by_ref) == {"P-B", "P-C"}
    assert by_ref["P-B"]["gate"] == "language"
    assert "no shared language" in by_ref["P-B"]["reason"]
    assert by_ref["P-C"] == {
        "parent_ref": "P-C",
        "reason": "every suitable volunteer is already full",
        "gate": None,
    }


def test_plan_page_lists_the_unplaced(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    coordinator = make_user(session)
    _world(session)
    session.commit()
    login(client, coordinator.email)
    html = client.get("/plan").get_data(as_text=True)
    assert "Not placed by this plan" in html
    assert '<ul class="plan-unplaced">' in html
    assert (
        "Parent ref P-B</span>: no volunteer passes the matching rules; most often: no shared "
        "language" in html
    )
    assert "Parent ref P-C</span>: every suitable volunteer is already full." in html
    assert "Parent ref P-A</span>:" not in html


def test_unplaced_adds_no_statement_per_parent(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    _world(session)
    session.flush()
    planning.propose(session, NOW)  # warm the volunteer pool cache for both counts
    with count_statements() as small:
        few = planning.propose(session, NOW)
    for _ in range(12):
        make_case(session, make_parent(session, languages=["pl"]))
    session.flush()
    session.expire_all()
    with count_statements() as large:
        many = planning.propose(session, NOW)
    assert len(few.unplaced) == 2 and len(many.unplaced) == 14
    assert len(large) == len(small)
