"""The incremental scan (``run_scan(since=last scan)``) raises and resolves exactly the flags
the full scan does, on random histories: after every step (some facts written, time moved on
by a random amount, often across thresholds, an incremental scan) a full scan at the same
``now`` finds nothing left to raise, resolve or re-grade."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain import Rule
from app.escalation import scan
from app.escalation.rules_thresholds import Thresholds
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


@pytest.mark.parametrize(("seed", "few_cases"), [(11, 1000), (12, 1000), (13, 0), (14, 1000)])
def test_incremental_scan_matches_the_full_scan_on_random_histories(
    session: SessionLike, monkeypatch: pytest.MonkeyPatch, seed: int, few_cases: int
) -> None:
    """(``few_cases`` 0: every unresolved flag is read, not only those of the cases
    evaluated, ``scan.FEW_CASES``.)"""
    monkeypatch.setattr(scan, "FEW_CASES", few_cases)
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


# --------------------------------------------------------------------------- narrowed terms


def build_time_sensitive(session: SessionLike, rnd: random.Random, cases: int) -> list[User]:
    """Cases whose flags time alone resolves or re-grades, with thresholds a few minutes to a
    few days either side of NOW: due dates about to pass (birth soon), last contacts close to
    the severe "no contact" threshold, volunteers paused, left, closed or with a DBS check
    expiring around NOW. Returns the volunteers."""
    volunteers = []
    for _ in range(6):
        volunteer = make_volunteer(
            session,
            status=rnd.choice(["active", "active", "paused", "left"]),
            dbs_expires_on=rnd.choice([date(2028, 1, 5), (NOW + DAY * rnd.randint(-3, 6)).date()]),
        )
        volunteer.active = rnd.random() < 0.8
        volunteers.append(volunteer)
    # one whose DBS check expires in two days, and one whose account is closed (the test
    # reopens it: no write time is kept)
    volunteers.append(make_volunteer(session, dbs_expires_on=(NOW + DAY * 2).date()))
    closed = make_volunteer(session, dbs_expires_on=date(2028, 1, 5))
    closed.active = False
    volunteers.append(closed)
    t = Thresholds()
    for _ in range(cases):
        case = make_case(session, high_risk=rnd.random() < 0.3, referred_at=NOW - DAY * 90)
        case.parent.due_date = (NOW + DAY * rnd.randint(-2, 10)).date()
        volunteer = rnd.choice(volunteers)
        make_assignment(session, case, volunteer, started_at=NOW - DAY * rnd.randint(20, 60))
        # the latest contact: the severe threshold a few minutes to a few days from NOW
        last = NOW - DAY * t.no_contact_severe_days + timedelta(minutes=rnd.randint(-1000, 6000))
        make_checkin(session, case, volunteer, occurred_at=last, wellbeing=4)
    for _ in range(cases // 8):  # waiting for a volunteer: ten days on in the next five
        waited = DAY * t.unmatched_days - timedelta(minutes=rnd.randint(0, 7200))
        make_case(session, referred_at=NOW - waited)
    session.flush()
    return volunteers


def quiet_step(
    session: SessionLike, rnd: random.Random, volunteers: list[User], last: datetime, at: datetime
) -> None:
    """Mostly nothing; now and then an account closed or reopened (no write time kept) or a
    volunteer paused, left or back (their profile stamped as the service stamps it)."""
    roll = rnd.random()
    volunteer = rnd.choice(volunteers)
    if roll < 0.25:
        volunteer.active = not volunteer.active
    elif roll < 0.4:
        profile = session.scalars(
            select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id)
        ).one()
        profile.status = rnd.choice(["active", "paused", "left"])
        profile.updated_at = last + (at - last) * rnd.random()
    session.flush()


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_incremental_scan_follows_time_alone_on_flags_and_volunteers(
    session: SessionLike, seed: int
) -> None:
    """The narrowed terms: open "birth soon", medium "no contact" and "volunteer lapsed" flags
    whose thresholds do or do not fall between the last scan and now (steps of minutes to
    days), and volunteers paused, left or closed with and without a lapsed flag (accounts
    closed and reopened leave no write time). After each incremental scan a full scan at the
    same instant finds nothing to raise, resolve or re-grade."""
    rnd = random.Random(seed)
    volunteers = build_time_sensitive(session, rnd, 80)
    now = NOW + timedelta(hours=1)  # after the rows were written
    run_scan(session, now)
    changed = {"resolved": 0, "severity_changed": 0, "raised": 0}
    for step in range(14):
        last = now
        now = now + rnd.choice(
            [
                timedelta(minutes=rnd.randint(5, 50)),
                timedelta(hours=rnd.randint(1, 23)),
                DAY * rnd.randint(1, 2),
            ]
        )
        quiet_step(session, rnd, volunteers, last, now)
        if step == 4:
            volunteers[-1].active = True  # the closed account reopened
            session.flush()
        result = run_scan(session, now, since=last)
        for name in changed:
            changed[name] += getattr(result, name)
        after_incremental = flag_table(session)
        check = run_scan(session, now)  # the full scan at the same instant
        assert (check.raised, check.resolved, check.severity_changed, check.closed_resolved) == (
            0,
            0,
            0,
            0,
        ), f"step {step}: the incremental scan missed something the full scan does"
        assert flag_table(session) == after_incremental
    # time alone did resolve, re-grade and raise flags along the way
    assert all(changed.values()), changed


def test_a_scan_ten_minutes_after_a_full_scan_evaluates_only_the_cases_due(
    session: SessionLike,
) -> None:
    """Nothing written since the full scan: of cases with open "birth soon", medium "no
    contact" and "volunteer lapsed" flags (paused, closed account, DBS expired) whose
    thresholds are days away, none is evaluated; the two whose threshold falls in those
    ten minutes are, and their flags are raised."""
    t = Thresholds()
    full = NOW + timedelta(hours=1)
    then = full + timedelta(minutes=10)
    due = full + timedelta(minutes=5)  # a threshold crossed between the two scans
    active = make_volunteer(session, dbs_expires_on=date(2028, 1, 5))
    paused = make_volunteer(session, status="paused", dbs_expires_on=date(2028, 1, 5))
    closed = make_volunteer(session, dbs_expires_on=date(2028, 1, 5))
    closed.active = False
    expired = make_volunteer(session, dbs_expires_on=date(2026, 9, 1))

    def active_case(volunteer: User, contact: datetime, due_date: date) -> Case:
        case = make_case(session, referred_at=full - DAY * 80)
        case.parent.due_date = due_date
        make_assignment(session, case, volunteer, started_at=full - DAY * 60)
        make_checkin(session, case, volunteer, occurred_at=contact)
        return case

    far = date(2027, 3, 1)
    active_case(active, full - DAY * 2, far)  # healthy
    active_case(active, full - DAY * 20, (full + DAY * 10).date())  # birth soon, no contact
    active_case(active, full - DAY * 20, far)  # no contact, medium for ten more days
    for volunteer in (paused, closed, expired):  # volunteer lapsed
        active_case(volunteer, full - DAY * 2, far)
    make_case(session, status="waiting", referred_at=due - DAY * t.unmatched_days)  # due
    active_case(active, due - DAY * t.no_contact_days, far)  # due: no contact
    session.flush()

    first = run_scheduled_scan(session, full, full=True)
    assert (first.cases, first.raised) == (8, 6)
    assert {rule for _case, rule, _severity, _open in flag_table(session)} == {
        Rule.BIRTH_SOON,
        Rule.NO_CONTACT,
        Rule.VOLUNTEER_LAPSED,
    }
    second = run_scheduled_scan(session, then)
    assert (second.cases, second.evaluated, second.raised, second.resolved) == (8, 2, 2, 0)
    check = run_scan(session, then)
    assert (check.raised, check.resolved, check.severity_changed) == (0, 0, 0)
