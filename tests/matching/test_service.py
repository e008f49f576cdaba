"""The matching service on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.matching import assignments, planning, suggestions
from app.matching.errors import MatchError
from app.models import Assignment, AuditEvent, CaseStatus, MatchExclusion
from app.settings import save_settings
from tests.factories import NOW, make_assignment, make_case, make_parent, make_user, make_volunteer
from tests.helpers import StatementCounter


def test_suggestions_rank_explain_and_count_exclusions(session: SessionLike) -> None:
    parent = make_parent(session, tags=["twins"], availability=["mon-am"])
    best = make_volunteer(session, tags=["twins"], availability=["mon-am"])
    ok = make_volunteer(session)
    make_volunteer(session, status="paused")
    make_volunteer(session, languages=["pl"])
    make_volunteer(session, dbs_expires_on=date(2026, 10, 1))
    result = suggestions.suggest(session, NOW, parent)
    assert [s.volunteer_id for s in result.items] == [best.id, ok.id]
    assert result.items[0].score > result.items[1].score
    assert result.excluded == {"active": 1, "checks": 1, "language": 1}
    assert result.considered == 5
    words = {p.name: p.words for p in result.items[0].parts}
    assert words["experience"] == "Shares experience of twins or more"


def test_suggestion_statement_count_does_not_grow(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    parent = make_parent(session)
    for _ in range(3):
        make_volunteer(session)
    with count_statements() as small:
        suggestions.suggest(session, NOW, parent)
    for _ in range(20):
        v = make_volunteer(session)
        case = make_case(session, make_parent(session))
        make_assignment(session, case, v)
    with count_statements() as large:
        suggestions.suggest(session, NOW, parent)
    assert len(large) == len(small)


def test_assign_end_and_previous_volunteer_bonus(session: SessionLike) -> None:
    coordinator = make_user(session)
    case = make_case(session)
    first, second = make_volunteer(session), make_volunteer(session)
    assignments.assign(session, NOW, case.id, first.id, coordinator.id)
    assert case.status == CaseStatus.ACTIVE
    with pytest.raises(MatchError, match="Someone has just assigned"):
        assignments.assign(session, NOW, case.id, second.id, coordinator.id)
    assignments.end_assignment(session, NOW, case.id, "Volunteer moved away", coordinator.id)
    assert case.status == CaseStatus.WAITING
    ended = session.scalar(select(Assignment).where(Assignment.case_id == case.id))
    assert ended is not None and ended.end_reason == "Volunteer moved away"
    result = suggestions.suggest(session, NOW, case.parent)
    by_id = {s.volunteer_id: s for s in result.items}
    continuity = {p.name: p.points for p in by_id[first.id].parts}["continuity"]
    assert continuity == pytest.approx(10)
    assert {p.name: p.points for p in by_id[second.id].parts}["continuity"] == 0
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"assignment.started", "assignment.ended"} <= actions


def test_reassign_ends_current_and_starts_new(session: SessionLike) -> None:
    case = make_case(session)
    first, second = make_volunteer(session), make_volunteer(session)
    assignments.assign(session, NOW, case.id, first.id, None)
    new = assignments.reassign(session, NOW, case.id, second.id, "Not a good fit", None)
    rows = list(session.scalars(select(Assignment).where(Assignment.case_id == case.id)))
    assert len(rows) == 2
    assert rows[0].ended_at == NOW and rows[0].end_reason == "Not a good fit"
    assert new.volunteer_id == second.id and new.ended_at is None
    assert case.status == CaseStatus.ACTIVE


def test_decline_excludes_the_pair_from_later_suggestions(session: SessionLike) -> None:
    case = make_case(session)
    vol = make_volunteer(session)
    assignments.assign(session, NOW, case.id, vol.id, None)
    assignments.decline(session, NOW, case.id, vol.id, "parent", None)
    assert case.status == CaseStatus.WAITING
    assert session.scalar(select(func.count()).select_from(MatchExclusion)) == 1
    result = suggestions.suggest(session, NOW, case.parent)
    assert result.items == [] and result.excluded == {"excluded": 1}
    with pytest.raises(MatchError, match="declined before"):
        assignments.assign(session, NOW, case.id, vol.id, None)


def test_full_volunteer_cannot_be_assigned(session: SessionLike) -> None:
    vol = make_volunteer(session, max_caseload=1)
    make_assignment(session, make_case(session), vol)
    with pytest.raises(MatchError, match="last place"):
        assignments.assign(session, NOW, make_case(session).id, vol.id, None)


def test_closed_and_referred_cases_cannot_be_assigned(session: SessionLike) -> None:
    vol = make_volunteer(session)
    with pytest.raises(MatchError, match="closed"):
        assignments.assign(session, NOW, make_case(session, status="closed").id, vol.id, None)
    with pytest.raises(MatchError, match="referral"):
        assignments.assign(session, NOW, make_case(session, status="referred").id, vol.id, None)


def test_weights_from_admin_settings(session: SessionLike) -> None:
    parent = make_parent(session, tags=["twins"])
    vol = make_volunteer(session, tags=["twins"])
    save_settings(
        session,
        NOW,
        "matching",
        {"weight_experience": 100, "weight_stage": 0, "weight_distance": 0,
         "weight_availability": 0, "weight_continuity": 0, "weight_workload": 0},
        None,
    )  # fmt: skip
    item = suggestions.suggest(session, NOW, parent).items[0]
    assert item.volunteer_id == vol.id
    assert item.score == pytest.approx(100)


def test_plan_is_optimal_and_confirm_rechecks(session: SessionLike) -> None:
    # Two waiting parents; one volunteer with one place each.
    twins = make_case(session, make_parent(session, tags=["twins"]))
    other = make_case(session, make_parent(session))
    a = make_volunteer(session, max_caseload=1, tags=["twins"])
    b = make_volunteer(session, max_caseload=1, languages=["en"], stages=["pregnancy"])
    proposal = planning.propose(session, NOW)
    assert proposal.waiting == 2 and len(proposal.pairs) == 2
    assert {(p.case_id, p.volunteer_id) for p in proposal.pairs} == {
        (twins.id, a.id),
        (other.id, b.id),
    }
    assert {p.case_ref for p in proposal.pairs} == {twins.reference, other.reference}
    assert {p.parent_ref for p in proposal.pairs} == {twins.parent.ref, other.parent.ref}
    assert proposal.total == pytest.approx(sum(p.score for p in proposal.pairs))
    assert proposal.total >= proposal.greedy_total - 1e-9
    # Meanwhile b pauses: the confirm makes one pair and reports the other.
    b.volunteer_profile.status = "paused"  # type: ignore[union-attr]
    session.flush()
    result = planning.confirm_plan(session, NOW, [(twins.id, a.id), (other.id, b.id)], None)
    assert [x.case_id for x in result.made] == [twins.id]
    assert result.not_made == [(other.id, b.id, "paused or left")]
    assert twins.status == CaseStatus.ACTIVE and other.status == CaseStatus.WAITING


def test_confirm_respects_capacity_used_meanwhile(session: SessionLike) -> None:
    c1, c2 = make_case(session), make_case(session)
    vol = make_volunteer(session, max_caseload=1)
    result = planning.confirm_plan(session, NOW, [(c1.id, vol.id), (c2.id, vol.id)], None)
    assert len(result.made) == 1
    assert result.not_made == [(c2.id, vol.id, "no space in their caseload")]


def test_current_volunteer_is_not_suggested_again(session: SessionLike) -> None:
    case = make_case(session)
    current, other = make_volunteer(session), make_volunteer(session, status="paused")
    make_volunteer(session)
    assignments.assign(session, NOW, case.id, current.id, None)
    result = suggestions.suggest(session, NOW, case.parent, current_volunteer_id=current.id)
    assert current.id not in [s.volunteer_id for s in result.items]
    assert result.considered == 2 and result.excluded == {"active": 1}
    assert other.id not in [s.volunteer_id for s in result.items]


def test_conflict_of_interest_is_recorded_as_such(session: SessionLike) -> None:
    case = make_case(session)
    vol = make_volunteer(session)
    exclusion = assignments.decline(session, NOW, case.id, vol.id, "conflict", None)
    assert exclusion.reason == "conflict"
    assert suggestions.suggest(session, NOW, case.parent).excluded == {"excluded": 1}


def test_plan_statement_count_does_not_grow_with_waiting_cases(
    session: SessionLike, count_statements: StatementCounter
) -> None:
    for _ in range(3):
        make_volunteer(session)
    make_case(session)
    with count_statements() as small:
        planning.propose(session, NOW)
    for _ in range(15):
        parent = make_parent(session)
        make_case(session, parent)
        session.add(
            MatchExclusion(parent_id=parent.id, volunteer_id=make_volunteer(session).id,
                           reason="declined", created_at=NOW)
        )  # fmt: skip
    session.flush()
    session.expire_all()
    with count_statements() as large:
        planning.propose(session, NOW)
    assert len(large) == len(small)
