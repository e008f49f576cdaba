"""Two submits, or two scans, at the same moment: one flag, no error (both databases)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from app.escalation.hooks import on_checkin_submitted
from app.extensions import SessionLike, db
from app.jobs import job_scan
from app.models import CheckIn, EscalationFlag, OutboxEmail
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)
from tests.helpers import together

DAY = timedelta(days=1)


def test_two_safeguarding_submits_at_once_make_one_flag_and_two_alerts(
    app: Flask, session: SessionLike
) -> None:
    area = make_area(session, duty_email="duty@charity.example")
    coordinator = make_user(session, "coordinator", areas=[area])
    volunteers = [make_volunteer(session, area=area) for _ in range(2)]
    case = make_case(session, area=area, owner=coordinator)
    make_assignment(session, case, volunteers[0])
    drafts = [
        make_checkin(
            session,
            case,
            volunteers[i],
            status="draft",
            concerns=["safeguarding"],
            occurred_at=NOW - timedelta(hours=i + 1),
        )
        for i in range(2)
    ]
    session.commit()
    ids = [d.id for d in drafts]

    def submit(i: int) -> None:
        with app.app_context():
            try:
                checkin = db.session.get(CheckIn, ids[i])
                assert checkin is not None
                checkin.status = "submitted"
                checkin.submitted_at = NOW
                on_checkin_submitted(db.session, checkin, NOW)
                db.session.commit()
            finally:
                db.session.remove()

    assert together(2, submit) == []
    session.expire_all()
    flags = session.scalars(select(EscalationFlag)).all()
    assert [f.rule for f in flags] == ["SAFEGUARDING"]
    assert "Earlier:" in flags[0].evidence  # the second submit's evidence was added
    assert session.scalar(select(func.count(OutboxEmail.id))) == 2


def test_two_scans_at_once_raise_each_flag_once(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session, max_caseload=50)
    for _ in range(20):
        case = make_case(session)
        make_assignment(session, case, volunteer, started_at=NOW - 40 * DAY)
        make_checkin(session, case, volunteer, occurred_at=NOW - 20 * DAY)
    session.commit()
    assert together(2, lambda i: job_scan(app, NOW)) == []
    session.expire_all()
    assert session.scalar(select(func.count(EscalationFlag.id))) == 20
    # and a third, later, still raises nothing new
    assert job_scan(app, NOW + DAY).raised == 0
