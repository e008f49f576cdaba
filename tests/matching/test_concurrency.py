"""Capacity is never overbooked: N threads, each with its own engine and session, race.

Runs on a SQLite FILE database and on PostgreSQL (the ``app`` fixture's database).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.extensions import SessionLike
from app.matching import assignments, planning
from app.matching.errors import MatchError
from app.models import Assignment, Case, CaseStatus
from tests.factories import NOW, make_assignment, make_case, make_volunteer

THREADS = 8


def race(app: Flask, attempts: list[Callable[[Session], object]]) -> list[str]:
    """Run each attempt in its own thread and engine, released together by a Barrier."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = [""] * len(attempts)

    def run(index: int, attempt: Callable[[Session], object]) -> None:
        kwargs = {"connect_args": {"timeout": 30}} if uri.startswith("sqlite") else {}
        engine = sa.create_engine(uri, **kwargs)
        try:
            # an app context as in a request: assigning queues an email (rendered templates)
            with app.app_context(), Session(engine) as session:
                session.execute(select(1))  # connect before the start line
                session.rollback()
                barrier.wait(timeout=30)
                try:
                    attempt(session)
                    session.commit()
                    outcomes[index] = "assigned"
                except MatchError as error:
                    session.rollback()
                    outcomes[index] = f"conflict: {error}"
        except Exception as error:
            outcomes[index] = f"error: {error!r}"
        finally:
            engine.dispose()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_last_free_place_goes_to_exactly_one(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session, max_caseload=2)
    make_assignment(session, make_case(session), volunteer)  # one of two places used
    cases = [make_case(session) for _ in range(THREADS)]
    session.commit()
    vid = volunteer.id

    def attempt(case_id: int) -> Callable[[Session], object]:
        return lambda s: assignments.assign(s, NOW, case_id, vid, None)

    outcomes = race(app, [attempt(c.id) for c in cases])

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("assigned") == 1, outcomes
    conflicts = [o for o in outcomes if o.startswith("conflict")]
    assert len(conflicts) == THREADS - 1
    assert all("last place" in c for c in conflicts), conflicts
    session.expire_all()
    open_count = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.volunteer_id == vid, Assignment.ended_at.is_(None))
    )
    assert open_count == 2
    active = session.scalar(
        select(func.count()).select_from(Case).where(Case.status == CaseStatus.ACTIVE)
    )
    assert active == 2


def test_two_coordinators_one_waiting_case(app: Flask, session: SessionLike) -> None:
    case = make_case(session)
    volunteers = [make_volunteer(session) for _ in range(THREADS)]
    session.commit()
    cid = case.id

    def attempt(volunteer_id: int) -> Callable[[Session], object]:
        return lambda s: assignments.assign(s, NOW, cid, volunteer_id, None)

    outcomes = race(app, [attempt(v.id) for v in volunteers])

    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert outcomes.count("assigned") == 1, outcomes
    assert all("Someone has just assigned" in o for o in outcomes if o != "assigned")
    session.expire_all()
    rows = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.case_id == cid)
    )
    assert rows == 1


def test_plan_confirms_racing_with_single_assigns(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session, max_caseload=1)
    cases = [make_case(session) for _ in range(4)]
    session.commit()
    vid = volunteer.id
    ids = [c.id for c in cases]

    attempts: list[Callable[[Session], object]] = [
        lambda s: planning.confirm_plan(s, NOW, [(ids[0], vid), (ids[1], vid)], None),
        lambda s: assignments.assign(s, NOW, ids[2], vid, None),
        lambda s: assignments.assign(s, NOW, ids[3], vid, None),
    ]
    outcomes = race(app, attempts)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    session.expire_all()
    made = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.volunteer_id == vid)
    )
    assert made == 1, outcomes
