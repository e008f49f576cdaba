"""The incremental scan (``run_scan(since=last scan)``) raises and resolves exactly the flags
the full scan does, on random histories: after every step (some facts written, time moved on
by a random amount, often across thresholds, an incremental scan) a full scan at the same
``now`` finds nothing left to raise, resolve or re-grade."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.escalation.scan import full_scan_due, run_scan, run_scheduled_scan
from app.escalation.scan_runs import last_completed_scan
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, EscalationFlag, Parent, User, VolunteerProfile
from tests.escalation.test_scan_equivalence import build_random
from tests.factories import NOW, make_assignment, make_case, make_checkin, make_volunteer

DAY = timedelta(days=1)


def build_healthy(session: SessionLike, rnd: random.Random, cases: int) -> None:
    """Cases no rule holds for yet (recent contact, dates far off), to cross thresholds later."""
    volunteers = [make_volunteer(session, dbs_expires_on=date(2028, 1, 5)) for _ in range(3)]
    for _ in range(cases):
        case = make_case(
            session, status="waiting", high_risk=rnd.random() < 0.3, referred_at=NOW - DAY * 3
        )
        if rnd.random() < 0.5:
            case.parent.due_date = (NOW + DAY * rnd.randint(10, 60)).date()
        else:
            case.parent.birth_date = (NOW - DAY * rnd.randint(1, 729)).date()
            case.referred_at = NOW - DAY * rnd.randint(0, 700)
        volunteer = rnd.choice(volunteers)
        if rnd.random() < 0.85:
            make_assignment(session, case, volunteer, started_at=NOW - DAY * rnd.randint(2, 8))
            make_checkin(
                session,
                case,
                volunteer,
                occurred_at=NOW - DAY * rnd.randint(0, 1),
                wellbeing=rnd.choice([3, 4, 5]),
            )
        else:
            case.referred_at = NOW - DAY * rnd.randint(0, 9)
    session.flush()


def flag_table(session: SessionLike) -> set[tuple[object, ...]]:
    return set(
        session.execute(
            select(
                EscalationFlag.case_id,
                EscalationFlag.rule,
                EscalationFlag.severity,
                EscalationFlag.resolved_at.is_(None),
            )
        ).all()
    )


def write_some_facts(
    session: SessionLike, rnd: random.Random, last: datetime, at: datetime
) -> None:
    """Random writes between the last scan and ``at``, stamped as the services stamp them."""

    def when() -> datetime:
        return last + (at - last) * rnd.random()

    cases = list(session.scalars(select(Case).order_by(Case.id)))
    volunteers = list(session.scalars(select(User).join(VolunteerProfile).order_by(User.id)))
    for case in rnd.sample(cases, k=min(len(cases), rnd.randint(5, 30))):
        stamp = when()
        kind = rnd.choice([0, 0, 0, 1, 2, 3, 4, 5, 6])
        if kind == 0:
            make_checkin(
                session,
                case,
                rnd.choice(volunteers),
                occurred_at=stamp - timedelta(days=rnd.randint(0, 3)),
                successful=rnd.random() < 0.8,
                wellbeing=rnd.choice([None, 1, 2, 3, 4, 5, 1]),
                bonding=rnd.choice([None, 1, 2, 5]),
                status=rnd.choice(["submitted", "submitted", "draft"]),
                created_at=stamp,
                updated_at=stamp,
                submitted_at=stamp,
            )
        elif kind == 1:
            checkin = session.scalars(
                select(CheckIn).where(CheckIn.case_id == case.id, CheckIn.status == "submitted")
            ).first()
            if checkin is not None:
                checkin.status = "deleted"
                checkin.deleted_at = stamp
                checkin.updated_at = stamp
        elif kind == 2 and case.status != "closed":
            case.status = "closed"
            case.closed_at = stamp
            case.updated_at = stamp
        elif kind == 3:
            open_one = session.scalars(
                select(Assignment).where(
                    Assignment.case_id == case.id, Assignment.ended_at.is_(None)
                )
            ).first()
            if open_one is not None:
                open_one.ended_at = stamp
                case.status = "waiting"
                case.updated_at = stamp
            elif case.status != "closed":
                make_assignment(session, case, rnd.choice(volunteers), started_at=stamp)
                case.updated_at = stamp
        elif kind == 4:
            parent = session.get(Parent, case.parent_id)
            assert parent is not None
            parent.birth_date = rnd.choice(
                [None, (stamp - timedelta(days=rnd.randint(0, 40))).date()]
            )
            parent.updated_at = stamp
        elif kind == 5:
            case.high_risk = not case.high_risk
            case.updated_at = stamp
        else:  # a coordinator resolves one of its flags by hand
            flag = session.scalars(
                select(EscalationFlag).where(
                    EscalationFlag.case_id == case.id, EscalationFlag.resolved_at.is_(None)
                )
            ).first()
            if flag is not None:
                flag.status = "resolved"
                flag.resolved_at = stamp
    for profile in rnd.sample(list(session.scalars(select(VolunteerProfile))), k=rnd.randint(0, 1)):
        profile.status = rnd.choice(["active", "paused", "left"])
        profile.dbs_expires_on = rnd.choice(
            [date(2028, 1, 5), (at + DAY * rnd.randint(-3, 20)).date()]
        )
        profile.updated_at = when()
    session.flush()


@pytest.mark.parametrize("seed", [11, 12, 13, 14])
def test_incremental_scan_matches_the_full_scan_on_random_histories(
    session: SessionLike, seed: int
) -> None:
    rnd = random.Random(seed)
    build_random(session, rnd, 40)
    build_healthy(session, rnd, 120)
    now = NOW
    run_scheduled_scan(session, now, full=True)
    flagged = 0
    for _step in range(10):
        last = last_completed_scan(session)
        assert last == now
        now = now + rnd.choice(
            [timedelta(hours=rnd.randint(1, 23)), DAY * rnd.randint(1, 3), DAY * rnd.randint(4, 9)]
        )
        write_some_facts(session, rnd, last, now)
        run_scan(session, now, since=last)
        after_incremental = flag_table(session)
        check = run_scan(session, now)  # the full scan at the same instant
        assert (check.raised, check.resolved, check.severity_changed, check.closed_resolved) == (
            0,
            0,
            0,
            0,
        ), f"step {_step}: the incremental scan missed something the full scan does"
        assert flag_table(session) == after_incremental
        run_scheduled_scan(session, now, full=True)  # recorded: the next step starts here
        flagged += sum(1 for row in after_incremental if row[3])
    assert flagged > 0  # the histories do raise flags


def test_a_full_scan_is_due_weekly_and_after_a_replay() -> None:
    wednesday = datetime(2026, 12, 2, 6, 0, tzinfo=NOW.tzinfo)
    assert full_scan_due(None, wednesday)
    assert not full_scan_due(wednesday - DAY, wednesday)  # Tuesday's scan: incremental
    assert full_scan_due(wednesday - 3 * DAY, wednesday)  # Sunday's scan: a new week
    assert full_scan_due(wednesday + DAY, wednesday)  # a scan as of a later time
