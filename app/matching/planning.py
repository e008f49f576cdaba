"""The plan for the waiting list: the optimal proposal, and confirming the chosen pairs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select

from app.domain import CaseStatus, case_reference
from app.escalation.hooks import on_case_facts_changed
from app.extensions import SessionLike
from app.matching import notify, queries
from app.matching.arrays import Vocab, build_needs, build_pool
from app.matching.assignments import lock_for_assignment, start_assignment
from app.matching.gates import GATE_LABELS, GATES, PASSED, gate_matrix, why_unplaced
from app.matching.plan import PlanResult, greedy_plan, optimal_plan
from app.matching.pool_cache import volunteer_pool
from app.matching.scoring import evaluate
from app.matching.suggestions import load_weights, parent_facts
from app.models import Assignment, Case
from app.timeutil import local_date


@dataclass(frozen=True)
class ProposedPair:
    case_id: int
    case_ref: str
    parent_ref: str
    parent_name: str
    volunteer_id: int
    volunteer_name: str
    volunteer_email: str
    score: float

    @property
    def key(self) -> str:
        return f"{self.case_id}:{self.volunteer_id}"


@dataclass(frozen=True)
class UnplacedParent:
    case_id: int
    case_ref: str
    parent_ref: str
    parent_name: str
    reason: str  # in words
    gate: str | None  # the most common gate failed, when no volunteer passes


@dataclass(frozen=True)
class Proposal:
    pairs: list[ProposedPair]
    total: float
    greedy_total: float
    greedy_count: int
    waiting: int
    volunteers: int
    free_places: int
    unplaced: list[UnplacedParent] = field(default_factory=list)


def propose(
    session: SessionLike, now: datetime, where: Any = None, compare_greedy: bool = True
) -> Proposal:
    """The optimal plan for every waiting case (limited by ``where``), and greedy's total
    for comparison (0 for 0 pairs when ``compare_greedy`` is False)."""
    today = local_date(now)
    cases = queries.waiting_rows(session, where)
    pool, vocab = volunteer_pool(session)
    ids = queries.waiting_parent_ids(where)
    needs = build_needs(
        cases,
        pool,
        vocab,
        today,
        excluded_pairs=queries.exclusion_pairs(session, ids),
        previous_pairs=queries.previous_pairs(session, ids),
    )
    evaluation = evaluate(needs, pool, today, load_weights(session))
    capacity = np.clip(pool.max_caseload - pool.open_count, 0, None)
    capacity = np.where(pool.active, capacity, 0)
    best = optimal_plan(evaluation.total, evaluation.allowed, capacity)
    greedy = (
        greedy_plan(evaluation.total, evaluation.allowed, capacity)
        if compare_greedy
        else PlanResult([], 0.0)
    )
    names = queries.names_for(session, [int(pool.ids[col]) for _, col in best.pairs])
    pairs = []
    for row, col in best.pairs:
        case, vol = cases[row], pool.raw[col]
        name, email = names.get(int(vol.id), ("", ""))
        pairs.append(
            ProposedPair(
                case_id=case.case_id,
                case_ref=case_reference(case.case_id),
                parent_ref=case.ref,
                parent_name=_name(case),
                volunteer_id=int(vol.id),
                volunteer_name=name,
                volunteer_email=email,
                score=float(evaluation.total[row, col]),
            )
        )
    pairs.sort(key=lambda p: -p.score)
    placed = np.zeros(len(cases), dtype=np.bool_)
    placed[[row for row, _ in best.pairs]] = True
    left_out = np.flatnonzero(~placed)
    # The gates again for the parents left out only, the caseload aside: was there a
    # suitable volunteer without room, or does nobody pass (and which gate most often)?
    gates = gate_matrix(
        needs.take(left_out),
        pool,
        today,
        evaluation.km[left_out],
        evaluation.radius,
        ignore_capacity=True,
    )
    unplaced = [
        UnplacedParent(
            case_id=cases[row].case_id,
            case_ref=case_reference(cases[row].case_id),
            parent_ref=cases[row].ref,
            parent_name=_name(cases[row]),
            reason=why.words,
            gate=why.gate,
        )
        for row, why in zip(left_out.tolist(), why_unplaced(gates, capacity), strict=True)
    ]
    return Proposal(
        pairs=pairs,
        total=best.total,
        greedy_total=greedy.total,
        greedy_count=len(greedy.pairs),
        waiting=len(cases),
        volunteers=len(pool),
        free_places=int(capacity.sum()),
        unplaced=unplaced,
    )


def _name(row: Any) -> str:
    return f"{row.first_name} {row.last_name or ''}".strip()


@dataclass
class ConfirmResult:
    made: list[Assignment] = field(default_factory=list)
    not_made: list[tuple[int, int, str]] = field(default_factory=list)  # case, volunteer, why


def confirm_plan(
    session: SessionLike, now: datetime, pairs: Sequence[tuple[int, int]], by_id: int | None
) -> ConfirmResult:
    """Create the confirmed pairs in this transaction, re-checking every gate on fresh data.

    Pairs that are no longer possible (the case was assigned or closed meanwhile, the
    volunteer paused or filled up) are reported, not made; the others are made, and each
    volunteer given parents gets one email (however many parents), queued in one statement.
    """
    result = ConfirmResult()
    if not pairs:
        return result
    case_ids = [c for c, _ in pairs]
    volunteer_ids = [v for _, v in pairs]
    lock_for_assignment(session, case_ids, volunteer_ids)
    cases = {
        c.id: c
        for c in session.scalars(
            select(Case).where(Case.id.in_(case_ids)).execution_options(populate_existing=True)
        )
    }
    taken = set(
        session.scalars(
            select(Assignment.case_id).where(
                Assignment.case_id.in_(case_ids), Assignment.ended_at.is_(None)
            )
        )
    )
    rows = queries.volunteer_rows(session, volunteer_ids)
    today = local_date(now)
    vocab = Vocab()
    pool = build_pool(rows, vocab)
    free = {
        int(v): int(m - o)
        for v, m, o in zip(pool.ids, pool.max_caseload, pool.open_count, strict=True)
    }
    pool.open_count[:] = 0  # capacity is tracked below, pair by pair
    live_cases = [cases[c] for c in dict.fromkeys(case_ids) if c in cases]
    facts = parent_facts(
        session, [c.parent for c in live_cases], area_ids=[c.area_id for c in live_cases]
    )
    needs = build_needs(facts, pool, vocab, today)
    evaluation = evaluate(needs, pool, today, load_weights(session))
    row_of = {c.id: i for i, c in enumerate(live_cases)}
    col_of = {int(v): j for j, v in enumerate(pool.ids)}
    seen_cases: set[int] = set()
    for case_id, volunteer_id in pairs:
        case = cases.get(case_id)
        if case is None:
            result.not_made.append((case_id, volunteer_id, "the case no longer exists"))
            continue
        if case.status != CaseStatus.WAITING or case_id in taken or case_id in seen_cases:
            result.not_made.append((case_id, volunteer_id, "the case is no longer waiting"))
            continue
        col = col_of.get(volunteer_id)
        if col is None:
            result.not_made.append((case_id, volunteer_id, "no volunteer profile"))
            continue
        code = int(evaluation.gate[row_of[case_id], col])
        if code != PASSED:
            result.not_made.append((case_id, volunteer_id, GATE_LABELS[GATES[code]]))
            continue
        if free.get(volunteer_id, 0) <= 0:
            result.not_made.append((case_id, volunteer_id, GATE_LABELS["capacity"]))
            continue
        free[volunteer_id] -= 1
        seen_cases.add(case_id)
        result.made.append(start_assignment(session, now, case, volunteer_id, by_id))
    notify.queue_new_parents(session, now, result.made)  # one email per volunteer
    # one evaluation of the escalation rules for every case assigned, in this transaction
    on_case_facts_changed(session, now, [assignment.case_id for assignment in result.made])
    return result
