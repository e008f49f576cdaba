"""Matching services: suggestions, assign / reassign / end / decline, the plan.

Services take a session and ``now``, flush but never commit. Taking a volunteer's place is
made atomic by locking before reading (``lock_for_assignment``): on PostgreSQL the case
rows and the volunteers' profile rows are locked with ``SELECT … FOR UPDATE`` (cases first,
then volunteers, each in id order, so two transactions never wait on each other in a
circle); on SQLite the first statement is a no-op UPDATE, which takes the database's
single write lock, so the counts read afterwards cannot change until commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, select, update

from app.audit import record
from app.domain import (
    ExclusionReason,
    ServiceError,
)
from app.extensions import SessionLike
from app.matching import queries
from app.matching.arrays import ParentFacts, Vocab, build_needs, build_pool
from app.matching.freshness import KEEP_UPDATED_AT
from app.matching.gates import GATE_LABELS, GATES, PASSED, count_excluded
from app.matching.plan import PlanResult, greedy_plan, optimal_plan
from app.matching.pool_cache import volunteer_pool
from app.matching.scoring import (
    SETTINGS_DEFAULTS,
    SETTINGS_KEY,
    PartExplained,
    Weights,
    evaluate,
    explain,
    shared_languages,
)
from app.models import (
    Assignment,
    Case,
    CaseStatus,
    MatchExclusion,
    Parent,
    VolunteerProfile,
)
from app.settings import get_settings
from app.stage import Stage, stage_on
from app.timeutil import local_date


class MatchError(ServiceError):
    """A request that cannot be done, with a message for the coordinator."""


def load_weights(session: SessionLike) -> Weights:
    return Weights.from_settings(get_settings(session, SETTINGS_KEY, SETTINGS_DEFAULTS))


def parent_facts(
    session: SessionLike, parents: Sequence[Any], ids_query: Select[Any] | None = None
) -> list[ParentFacts]:
    """Parents (models or rows with the same names) with their exclusions and previous
    volunteers (two queries in all). ``ids_query`` may select the same parents' ids, which
    is better than binding thousands of ids."""
    ids: list[int] | Select[Any] = ids_query if ids_query is not None else [p.id for p in parents]
    excluded = queries.exclusions_for(session, ids)
    previous = queries.previous_volunteers_for(session, ids)
    return [
        ParentFacts(
            id=p.id,
            due_date=p.due_date,
            birth_date=p.birth_date,
            languages=tuple(p.languages or ()),
            tags=tuple(p.tags or ()),
            availability=tuple(p.availability or ()),
            postcode=p.postcode,
            latitude=p.latitude,
            longitude=p.longitude,
            contact_mode=p.contact_mode,
            excluded=frozenset(excluded.get(p.id, ())),
            previous=frozenset(previous.get(p.id, ())) - frozenset(excluded.get(p.id, ())),
        )
        for p in parents
    ]


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: int
    name: str
    email: str
    score: float
    parts: list[PartExplained]
    languages: str


@dataclass(frozen=True)
class Suggestions:
    parent_id: int
    stage: Stage
    items: list[Suggestion]
    excluded: dict[str, int]
    considered: int

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    def excluded_in_words(self) -> list[tuple[str, int]]:
        return [(GATE_LABELS[g], n) for g, n in self.excluded.items()]


def suggest(
    session: SessionLike,
    now: datetime,
    parent: Parent,
    limit: int = 10,
    current_volunteer_id: int | None = None,
) -> Suggestions:
    """The best ``limit`` volunteers for ``parent``, explained, and who was excluded why.

    The volunteer supporting the parent now (``current_volunteer_id``) is left out: they
    are neither suggested nor counted.
    """
    today = local_date(now)
    weights = load_weights(session)
    pool, vocab = volunteer_pool(session)
    needs = build_needs(parent_facts(session, [parent]), pool, vocab, today)
    evaluation = evaluate(needs, pool, today, weights)
    keep = pool.ids != (current_volunteer_id if current_volunteer_id is not None else -1)
    allowed = np.flatnonzero(evaluation.allowed[0] & keep)
    totals = evaluation.total[0, allowed]
    # Best score first; ties by fewer open assignments, then id, so the order is stable.
    order = np.lexsort((pool.ids[allowed], pool.open_count[allowed], -np.round(totals, 6)))
    shown = [int(allowed[k]) for k in order[:limit]]
    names = queries.names_for(session, [int(pool.ids[col]) for col in shown])
    items = []
    for col in shown:
        row = pool.raw[col]
        name, email = names.get(int(row.id), ("", ""))
        items.append(
            Suggestion(
                volunteer_id=int(row.id),
                name=name,
                email=email,
                score=float(evaluation.total[0, col]),
                parts=explain(needs, pool, evaluation, weights, 0, col),
                languages=shared_languages(needs.raw[0], row),
            )
        )
    return Suggestions(
        parent_id=parent.id,
        stage=stage_on(parent.due_date, parent.birth_date, today),
        items=items,
        excluded=count_excluded(evaluation.gate[0][keep]),
        considered=int(keep.sum()),
    )


# --------------------------------------------------------------------------- locking


def lock_for_assignment(
    session: SessionLike, case_ids: Iterable[int], volunteer_ids: Iterable[int]
) -> None:
    """Serialise everyone taking places on these cases/volunteers until this transaction ends."""
    cases = sorted(set(case_ids))
    volunteers = sorted(set(volunteer_ids))
    if session.get_bind().dialect.name == "postgresql":
        if cases:
            session.execute(
                select(Case.id).where(Case.id.in_(cases)).order_by(Case.id).with_for_update()
            ).all()
        if volunteers:
            session.execute(
                select(VolunteerProfile.id)
                .where(VolunteerProfile.user_id.in_(volunteers))
                .order_by(VolunteerProfile.user_id)
                .with_for_update()
            ).all()
        return
    # SQLite: a write as the first statement takes the one write lock now, not at flush.
    session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id.in_(volunteers or [-1]))
        .values(max_caseload=VolunteerProfile.max_caseload)
        .execution_options(synchronize_session=False, **{KEEP_UPDATED_AT: True})
    )


def _fresh_case(session: SessionLike, case_id: int) -> Case:
    found = session.scalar(
        select(Case).where(Case.id == case_id).execution_options(populate_existing=True)
    )
    if found is None:
        raise MatchError("This case no longer exists.")
    return found


def _volunteer_name(row: Any) -> str:
    return f"{row.first_name} {row.last_name}".strip()


def _gate_problem(session: SessionLike, now: datetime, case: Case, volunteer_id: int) -> str | None:
    """Why this volunteer cannot take this case now (fresh data), or None."""
    rows = queries.volunteer_rows(session, [volunteer_id])
    if not rows:
        return "This person has no volunteer profile."
    today = local_date(now)
    vocab = Vocab()
    pool = build_pool(rows, vocab)
    needs = build_needs(parent_facts(session, [case.parent]), pool, vocab, today)
    evaluation = evaluate(needs, pool, today, load_weights(session))
    code = int(evaluation.gate[0, 0])
    if code == PASSED:
        return None
    name = _volunteer_name(rows[0])
    if GATES[code] == "capacity":
        return (
            f"{name} has just had their last place taken "
            f"({rows[0].open_count} of {rows[0].max_caseload}). Choose someone else."
        )
    return f"{name} cannot be assigned now: {GATE_LABELS[GATES[code]]}."


def _start(
    session: SessionLike, now: datetime, case: Case, volunteer_id: int, by_id: int | None
) -> Assignment:
    assignment = Assignment(
        case_id=case.id, volunteer_id=volunteer_id, assigned_by_id=by_id, started_at=now
    )
    session.add(assignment)
    case.status = CaseStatus.ACTIVE.value
    case.updated_at = now
    session.flush()
    record(
        session,
        now,
        "assignment.started",
        actor_id=by_id,
        object_type="case",
        object_id=case.id,
        detail=f"volunteer {volunteer_id}",
    )
    return assignment


def _end(
    session: SessionLike,
    now: datetime,
    case: Case,
    current: Assignment,
    reason: str,
    by_id: int | None,
) -> None:
    current.ended_at = now
    current.end_reason = reason[:120]
    if case.status != CaseStatus.CLOSED:
        case.status = CaseStatus.WAITING.value
    case.updated_at = now
    session.flush()
    record(
        session,
        now,
        "assignment.ended",
        actor_id=by_id,
        object_type="case",
        object_id=case.id,
        detail=f"volunteer {current.volunteer_id}: {reason}"[:255],
    )


def _check_assignable(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise MatchError("This case is closed, so nobody can be assigned.")
    if case.status == CaseStatus.REFERRED:
        raise MatchError("Accept the referral first: the case is not on the waiting list yet.")


def assign(
    session: SessionLike, now: datetime, case_id: int, volunteer_id: int, by_id: int | None
) -> Assignment:
    """Assign a volunteer to a waiting case, atomically; MatchError says why not."""
    lock_for_assignment(session, [case_id], [volunteer_id])
    case = _fresh_case(session, case_id)
    _check_assignable(case)
    current = queries.open_assignment(session, case_id)
    if current is not None:
        if current.volunteer_id == volunteer_id:
            raise MatchError("This volunteer is already supporting this parent.")
        raise MatchError(
            "Someone has just assigned a volunteer to this case. "
            "Reassign if you want to change who supports this parent."
        )
    problem = _gate_problem(session, now, case, volunteer_id)
    if problem:
        raise MatchError(problem)
    return _start(session, now, case, volunteer_id, by_id)


def reassign(
    session: SessionLike,
    now: datetime,
    case_id: int,
    volunteer_id: int,
    reason: str,
    by_id: int | None,
) -> Assignment:
    """End the current assignment with ``reason`` and start one with another volunteer."""
    lock_for_assignment(session, [case_id], [volunteer_id])
    case = _fresh_case(session, case_id)
    _check_assignable(case)
    current = queries.open_assignment(session, case_id)
    if current is None:
        raise MatchError("This case has no volunteer at the moment: assign one instead.")
    if current.volunteer_id == volunteer_id:
        raise MatchError("This volunteer is already supporting this parent.")
    problem = _gate_problem(session, now, case, volunteer_id)
    if problem:
        raise MatchError(problem)
    _end(session, now, case, current, reason, by_id)
    return _start(session, now, case, volunteer_id, by_id)


def end_assignment(
    session: SessionLike, now: datetime, case_id: int, reason: str, by_id: int | None
) -> Assignment:
    """End the case's current assignment; the case goes back to the waiting list."""
    lock_for_assignment(session, [case_id], [])
    case = _fresh_case(session, case_id)
    current = queries.open_assignment(session, case_id)
    if current is None:
        raise MatchError("This case has no volunteer at the moment.")
    _end(session, now, case, current, reason, by_id)
    return current


def decline(
    session: SessionLike,
    now: datetime,
    case_id: int,
    volunteer_id: int,
    who: str,
    by_id: int | None,
) -> MatchExclusion:
    """The parent or the volunteer declined this pairing (``who`` = "parent" or
    "volunteer"), or there is a conflict of interest (``who`` = "conflict"): never suggest
    the pair again. If the volunteer is currently assigned, that assignment ends.
    """
    reason = ExclusionReason.CONFLICT if who == "conflict" else ExclusionReason.DECLINED
    ended_because = "Conflict of interest" if who == "conflict" else f"Declined by the {who}"
    lock_for_assignment(session, [case_id], [volunteer_id])
    case = _fresh_case(session, case_id)
    exclusion = session.scalar(
        select(MatchExclusion).where(
            MatchExclusion.parent_id == case.parent_id, MatchExclusion.volunteer_id == volunteer_id
        )
    )
    if exclusion is None:
        exclusion = MatchExclusion(
            parent_id=case.parent_id,
            volunteer_id=volunteer_id,
            reason=reason.value,
            created_by_id=by_id,
            created_at=now,
        )
        session.add(exclusion)
    current = queries.open_assignment(session, case_id)
    if current is not None and current.volunteer_id == volunteer_id:
        _end(session, now, case, current, ended_because, by_id)
    session.flush()
    record(
        session,
        now,
        "match.declined",
        actor_id=by_id,
        object_type="case",
        object_id=case.id,
        detail=f"volunteer {volunteer_id}: {ended_because.lower()}",
    )
    return exclusion


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class ProposedPair:
    case_id: int
    case_ref: str
    parent_ref: str
    volunteer_id: int
    volunteer_name: str
    volunteer_email: str
    score: float

    @property
    def key(self) -> str:
        return f"{self.case_id}:{self.volunteer_id}"


@dataclass(frozen=True)
class Proposal:
    pairs: list[ProposedPair]
    total: float
    greedy_total: float
    greedy_count: int
    waiting: int
    volunteers: int
    free_places: int


def waiting_parent_ids(where: Any = None) -> Select[Any]:
    """SELECT of the parent ids of the waiting cases (limited by ``where``)."""
    query = select(Case.parent_id).where(Case.status == CaseStatus.WAITING.value)
    return query.where(where) if where is not None else query


def waiting_rows(session: SessionLike, where: Any = None) -> list[Any]:
    """Waiting cases (oldest referral first) with what matching needs of their parents:
    one Core query returning plain rows (``id`` is the parent's, ``case_id`` the case's)."""
    query = (
        select(
            Case.id.label("case_id"),
            Parent.id,
            Parent.ref,
            Parent.due_date,
            Parent.birth_date,
            Parent.languages,
            Parent.tags,
            Parent.availability,
            Parent.postcode,
            Parent.latitude,
            Parent.longitude,
            Parent.contact_mode,
        )
        .join(Parent, Parent.id == Case.parent_id)
        .where(Case.status == CaseStatus.WAITING.value)
        .order_by(Case.referred_at, Case.id)
    )
    if where is not None:
        query = query.where(where)
    return list(session.execute(query).all())


def case_reference(case_id: int) -> str:
    """The same reference as ``Case.reference``, from an id."""
    return f"C-{case_id:05d}"


def propose(
    session: SessionLike, now: datetime, where: Any = None, compare_greedy: bool = True
) -> Proposal:
    """The optimal plan for every waiting case (limited by ``where``), and greedy's total
    for comparison (0 for 0 pairs when ``compare_greedy`` is False)."""
    today = local_date(now)
    cases = waiting_rows(session, where)
    pool, vocab = volunteer_pool(session)
    ids = waiting_parent_ids(where)
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
                volunteer_id=int(vol.id),
                volunteer_name=name,
                volunteer_email=email,
                score=float(evaluation.total[row, col]),
            )
        )
    pairs.sort(key=lambda p: -p.score)
    return Proposal(
        pairs=pairs,
        total=best.total,
        greedy_total=greedy.total,
        greedy_count=len(greedy.pairs),
        waiting=len(cases),
        volunteers=len(pool),
        free_places=int(capacity.sum()),
    )


@dataclass
class ConfirmResult:
    made: list[Assignment] = field(default_factory=list)
    not_made: list[tuple[int, int, str]] = field(default_factory=list)  # case, volunteer, why


def confirm_plan(
    session: SessionLike, now: datetime, pairs: Sequence[tuple[int, int]], by_id: int | None
) -> ConfirmResult:
    """Create the confirmed pairs in this transaction, re-checking every gate on fresh data.

    Pairs that are no longer possible (the case was assigned or closed meanwhile, the
    volunteer paused or filled up) are reported, not made; the others are made.
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
    needs = build_needs(parent_facts(session, [c.parent for c in live_cases]), pool, vocab, today)
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
        result.made.append(_start(session, now, case, volunteer_id, by_id))
    return result
