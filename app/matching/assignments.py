"""Assign, reassign, end and decline: who supports a parent, changed atomically.

Assigning and reassigning email the volunteers concerned (``notify``: queued in the same
transaction, sent after commit, no names).

Services take a session and ``now``, flush but never commit. Taking a volunteer's place is
made atomic by locking before reading (``lock_for_assignment``): on PostgreSQL the case
rows and the volunteers' profile rows are locked with ``SELECT … FOR UPDATE`` (cases first,
then volunteers, each in id order, so two transactions never wait on each other in a
circle); on SQLite the first statement is a no-op UPDATE, which takes the database's
single write lock, so the counts read afterwards cannot change until commit.

Each of them ends by evaluating the case's scheduled escalation rules again
(``escalation.hooks.on_case_facts_changed``), in the same transaction: "Waiting for a
volunteer" resolves when someone is assigned and comes back when the assignment ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.audit import record
from app.domain import CaseStatus, ExclusionReason
from app.escalation.hooks import on_case_facts_changed
from app.extensions import SessionLike
from app.matching import notify, queries
from app.matching.arrays import Vocab, build_needs, build_pool
from app.matching.errors import MatchError
from app.matching.gates import GATE_LABELS, GATES, PASSED
from app.matching.scoring import evaluate
from app.matching.suggestions import load_weights, parent_facts
from app.models import Assignment, Case, MatchExclusion, VolunteerProfile
from app.timeutil import local_date


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
    # SQLite: a write as the first statement takes the one write lock now, not at flush. It
    # changes nothing (updated_at included), so the pool cache stays valid.
    session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id.in_(volunteers or [-1]))
        .values(max_caseload=VolunteerProfile.max_caseload)
        .execution_options(synchronize_session=False)
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
    facts = parent_facts(session, [case.parent], area_ids=[case.area_id])
    needs = build_needs(facts, pool, vocab, today)
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


def start_assignment(
    session: SessionLike, now: datetime, case: Case, volunteer_id: int, by_id: int | None
) -> Assignment:
    """Start ``volunteer_id``'s support of ``case`` (the caller has locked and checked)."""
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
    assignment = start_assignment(session, now, case, volunteer_id, by_id)
    notify.queue_new_parents(session, now, [assignment])
    on_case_facts_changed(session, now, [case.id])
    return assignment


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
    assignment = start_assignment(session, now, case, volunteer_id, by_id)
    notify.queue_moved(session, now, current)
    notify.queue_new_parents(session, now, [assignment])
    on_case_facts_changed(session, now, [case.id])
    return assignment


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
    on_case_facts_changed(session, now, [case.id])
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
        on_case_facts_changed(session, now, [case.id])
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
