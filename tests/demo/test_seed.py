"""`flask seed demo`: a believable, consistent service, loaded once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.demo.vocab import DEMO_LOGINS, DEMO_PASSWORD, VOLUNTEER_EMAIL
from app.escalation.date_check import implausible_dates
from app.extensions import SessionLike
from app.languages import ISO_639_1
from app.models import (
    Area,
    Assignment,
    Case,
    CaseStatus,
    CheckIn,
    CheckInStatus,
    Parent,
    User,
    VolunteerProfile,
)
from app.stage_sql import stage_sql
from tests.factories import NOW
from tests.helpers import login

NOW_ARG = "2026-11-02T10:00:00+00:00"
TODAY = date(2026, 11, 2)


@pytest.fixture
def seeded(app: Flask) -> str:
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", NOW_ARG])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    return result.output


def _counts(session: SessionLike) -> dict[str, int]:
    return {
        model.__name__: int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (User, Area, Parent, Case, Assignment, CheckIn, VolunteerProfile)
    }


def test_demo_is_a_believable_service(seeded: str, session: SessionLike) -> None:
    roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert roles["admin"] == 1 and roles["coordinator"] == 2 and roles["volunteer"] >= 31
    assert [a.name for a in session.scalars(select(Area).order_by(Area.name))] == [
        "Bristol North",
        "Bristol South",
    ]
    assert all(a.duty_email and a.duty_phone for a in session.scalars(select(Area)))
    assert _counts(session)["Parent"] >= 200

    statuses = dict(session.execute(select(Case.status, func.count()).group_by(Case.status)).all())
    assert statuses["referred"] >= 3
    assert statuses["waiting"] >= 15
    assert statuses["active"] >= 120
    assert statuses["closed"] >= 20

    stage = stage_sql(Parent.due_date, Parent.birth_date, TODAY)
    spread = dict(
        session.execute(
            select(stage, func.count())
            .join(Case, Case.parent_id == Parent.id)
            .where(Case.status != CaseStatus.CLOSED)
            .group_by(stage)
        ).all()
    )
    assert spread["pregnancy"] >= 40 and spread["birth"] >= 15 and spread["postnatal"] >= 60
    waiting_stages = dict(
        session.execute(
            select(stage, func.count())
            .join(Case, Case.parent_id == Parent.id)
            .where(Case.status == CaseStatus.WAITING)
            .group_by(stage)
        ).all()
    )
    assert len(waiting_stages) >= 2  # the waiting list holds pregnant and postnatal parents

    profiles = list(session.scalars(select(VolunteerProfile)))
    assert Counter(p.status for p in profiles)["paused"] >= 2
    assert Counter(p.status for p in profiles)["left"] >= 1
    assert any(
        p.dbs_expires_on and TODAY < p.dbs_expires_on <= TODAY + timedelta(30) for p in profiles
    )
    assert len({lang for p in profiles for lang in p.languages}) >= 5
    # Languages are ISO 639-1 codes on both sides, so the demo's parents can be matched.
    parent_languages = {lang for p in session.scalars(select(Parent)) for lang in p.languages}
    assert {lang for p in profiles for lang in p.languages} | parent_languages <= set(ISO_639_1)
    assert len({tuple(p.stages) for p in profiles}) >= 3
    assert len({p.max_caseload for p in profiles}) >= 3

    checkins = list(session.scalars(select(CheckIn)))
    by_status = Counter(c.status for c in checkins)
    assert by_status["submitted"] >= 800 and by_status["draft"] >= 3 and by_status["deleted"] >= 2
    submitted = [c for c in checkins if c.status == CheckInStatus.SUBMITTED]
    attempts = sum(not c.successful for c in submitted)
    assert 0.05 < attempts / len(submitted) < 0.3  # mostly successful, some attempts
    oldest = min(c.occurred_at for c in checkins)
    assert NOW - timedelta(days=93) <= oldest <= NOW - timedelta(days=80)  # three months
    assert all(c.occurred_at < NOW for c in checkins)
    concerns = Counter(x for c in submitted for x in c.concerns)
    assert concerns["low_mood"] >= 3
    assert 1 <= concerns["safeguarding"] + concerns["domestic_abuse"] <= 3
    assert {c.wellbeing for c in submitted if c.successful} <= {1, 2, 3, 4, 5}
    assert any(c.bonding for c in submitted)

    closed = list(session.scalars(select(Case).where(Case.status == CaseStatus.CLOSED)))
    assert all(c.closed_at and c.close_reason for c in closed)
    ended = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_not(None))
    )
    assert ended is not None and ended >= 40


def test_demo_keeps_the_rules_of_the_model(seeded: str, session: SessionLike) -> None:
    cases = list(session.scalars(select(Case)))
    assignments = list(session.scalars(select(Assignment)))
    open_by_case = Counter(a.case_id for a in assignments if a.ended_at is None)
    for case in cases:
        assert case.referred_at <= NOW and case.parent.created_at <= NOW, "referred in the future"
        expected = 1 if case.status == CaseStatus.ACTIVE else 0
        assert open_by_case[case.id] == expected, (case.id, case.status)
        assert case.owner_id is not None and case.area_id == case.parent.area_id

    open_by_volunteer = Counter(a.volunteer_id for a in assignments if a.ended_at is None)
    profiles = {p.user_id: p for p in session.scalars(select(VolunteerProfile))}
    for volunteer_id, n in open_by_volunteer.items():
        assert n <= profiles[volunteer_id].max_caseload

    periods: dict[tuple[int, int], list[Assignment]] = {}
    for a in assignments:
        assert a.ended_at is None or a.started_at < a.ended_at
        assert a.started_at < NOW
        periods.setdefault((a.case_id, a.volunteer_id), []).append(a)
    for c in session.scalars(select(CheckIn)):
        assert c.occurred_at <= NOW and c.updated_at <= NOW, f"check-in {c.id} in the future"
        spans = periods.get((c.case_id, c.volunteer_id), [])
        assert any(
            a.started_at <= c.occurred_at and (a.ended_at is None or c.occurred_at <= a.ended_at)
            for a in spans
        ), f"check-in {c.id} outside its volunteer's assignment"
        if c.status == CheckInStatus.SUBMITTED:
            assert c.submitted_at is not None and c.submitted_at >= c.occurred_at
        if c.status == CheckInStatus.DELETED:
            assert c.deleted_at is not None and c.deleted_by_id == c.volunteer_id
        if not c.successful:
            assert c.wellbeing is None and c.concerns == []

    # every stored date is one the forms would accept (no DBS check dated in the future)
    assert implausible_dates(session, NOW.date()) == []
    for profile in profiles.values():
        assert profile.dbs_checked_on is None or profile.dbs_checked_on < NOW.date()


def test_second_run_changes_nothing(seeded: str, app: Flask, session: SessionLike) -> None:
    before = _counts(session)
    session.rollback()
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", NOW_ARG])
    assert result.exit_code == 0, result.output
    assert "already loaded; nothing changed" in result.output
    assert _counts(session) == before


def test_bad_now_is_refused_with_a_reason(app: Flask, session: SessionLike) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", "next tuesday"])
    assert result.exit_code != 0
    assert "is not an ISO time" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_logins_work(seeded: str, app: Flask, session: SessionLike) -> None:
    for email, role, _ in DEMO_LOGINS:
        assert email in seeded and DEMO_PASSWORD in seeded
        client = app.test_client()
        response = login(client, email, DEMO_PASSWORD)
        assert response.status_code == 302, email
        home = client.get("/")
        assert home.status_code == 200
        assert f"({role})" in home.get_data(as_text=True)
    volunteer = session.scalar(select(User).where(User.email == VOLUNTEER_EMAIL))
    assert volunteer is not None
    mine = session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.volunteer_id == volunteer.id, Assignment.ended_at.is_(None))
    )
    assert mine is not None and mine >= 3
    drafts = session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.volunteer_id == volunteer.id, CheckIn.status == CheckInStatus.DRAFT)
    )
    assert drafts == 1
    client = app.test_client()
    login(client, VOLUNTEER_EMAIL, DEMO_PASSWORD)
    assert f'<span class="big">{mine}</span> parents you support' in client.get("/").get_data(
        as_text=True
    )


def test_a_scaled_demo_has_that_many_times_the_people(app: Flask, session: SessionLike) -> None:
    """``--scale 2`` (bench/web.py builds x10 and x50): twice the parents and volunteers, the
    same staff, and still the model's rules (an active case has one open assignment)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", NOW_ARG, "--scale", "2"])
    assert result.exit_code == 0, result.output
    counts = _counts(session)
    assert counts["Parent"] == counts["Case"] == 2 * 226
    assert counts["VolunteerProfile"] == 1 + 2 * 39
    assert counts["Area"] == 2
    open_per_case = Counter(
        session.scalars(select(Assignment.case_id).where(Assignment.ended_at.is_(None)))
    )
    active = session.scalars(select(Case.id).where(Case.status == CaseStatus.ACTIVE.value))
    assert all(open_per_case[case_id] == 1 for case_id in active)
