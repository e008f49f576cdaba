"""The volunteers' daily reminder email: at most one a day, once even from two processes,
none when nothing is due or when turned off, with no names or notes; the due rule is the
My parents page's."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.cases.queries import my_parents
from app.email import send_pending
from app.escalation.rules_thresholds import Thresholds
from app.extensions import SessionLike
from app.jobs import job_reminders
from app.models import OutboxEmail, User
from app.reminders import queue_reminders, volunteers_due
from app.timeutil import local_date
from tests.factories import (
    NOW,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_volunteer,
)
from tests.helpers import StatementCounter, login, post_form
from tests.smtp import SmtpServer

DAY = timedelta(days=1)
TODAY = local_date(NOW)
CANARIES = ["Zephyrine", "Quillfeather", "07999 123456", "ZZ9 9ZZ", "canary note", "Volunteerina"]
NOW_ISO = "2026-11-02T09:00"


def canary_parent(session: SessionLike) -> object:
    return make_parent(
        session, first_name="Zephyrine", last_name="Quillfeather", phone="07999 123456",
        postcode="ZZ9 9ZZ",
    )  # fmt: skip


def seed(session: SessionLike) -> dict[str, User]:
    """busy: a check-in overdue, a stale draft, a DBS check expiring in 10 days;
    fine: nothing due; off: overdue but reminders off; lapsed: training expired."""
    busy = make_volunteer(
        session, user_kw={"first_name": "Volunteerina"}, dbs_expires_on=TODAY + 10 * DAY
    )
    case = make_case(session, canary_parent(session))  # type: ignore[arg-type]
    make_assignment(session, case, busy, started_at=NOW - 30 * DAY)
    make_checkin(session, case, busy, occurred_at=NOW - 20 * DAY)
    make_checkin(
        session, case, busy, occurred_at=NOW - 5 * DAY, status="draft", submitted_at=None,
        updated_at=NOW - 4 * DAY, notes="canary note",
    )  # fmt: skip
    fine = make_volunteer(session)
    recent = make_case(session)
    make_assignment(session, recent, fine, started_at=NOW - 30 * DAY)
    make_checkin(session, recent, fine, occurred_at=NOW - 3 * DAY)
    off = make_volunteer(session, email_reminders=False)
    make_assignment(session, make_case(session), off, started_at=NOW - 30 * DAY)
    lapsed = make_volunteer(session, training_expires_on=TODAY - DAY)
    session.commit()
    return {"busy": busy, "fine": fine, "off": off, "lapsed": lapsed}


def outbox_count(session: SessionLike) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count(OutboxEmail.id))) or 0)


def test_reminders_once_a_day_to_whoever_has_something_due(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    people = seed(session)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["emails", "reminders", "--now", NOW_ISO])
    assert first.exit_code == 0, first.output
    assert "Queued 2 reminder emails (0 already" in first.output
    again = runner.invoke(args=["emails", "reminders", "--now", "2026-11-02T18:00"])
    assert "Queued 0 reminder emails (2 already" in again.output
    assert send_pending(app, NOW).sent == 2
    assert send_pending(app, NOW).sent == 0

    texts = {m.recipients[0]: m.text for m in smtp_server.handler.messages}
    assert set(texts) == {people["busy"].email, people["lapsed"].email}
    busy = texts[people["busy"].email]
    assert "1 check-in due or overdue" in busy
    assert "1 check-in draft not finished for 3 days or more" in busy
    assert "Your DBS check expires in 10 days" in busy
    assert "training" not in busy.split("Your DBS check")[0].split("today:")[-1]
    lapsed = texts[people["lapsed"].email]
    assert "Your training has expired" in lapsed and "check-in" not in lapsed.split("Open")[0]
    for text in texts.values():
        assert "http://corner.test/my/profile" in text  # where to turn them off
        assert not [c for c in CANARIES if c.lower() in text.lower()], text

    # the next day: reminded again (still due), once
    next_day = runner.invoke(args=["emails", "reminders", "--now", "2026-11-03T09:00"])
    assert "Queued 2 reminder emails" in next_day.output


def test_the_due_rule_is_the_my_parents_pages(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    cases = {
        "new": (make_case(session), NOW - 3 * DAY, None),
        "started long ago": (make_case(session), NOW - 15 * DAY, None),
        "contact 8 days ago": (make_case(session), NOW - 40 * DAY, NOW - 8 * DAY),
        "high risk, contact 8 days ago": (
            make_case(session, high_risk=True),
            NOW - 40 * DAY,
            NOW - 8 * DAY,
        ),
        "due exactly now": (make_case(session), NOW - 14 * DAY, None),
    }
    for case, started, contact in cases.values():
        make_assignment(session, case, volunteer, started_at=started)
        if contact is not None:
            make_checkin(session, case, volunteer, occurred_at=contact)
    make_checkin(  # an attempt that did not reach the parent is no contact
        session, cases["started long ago"][0], volunteer, occurred_at=NOW - DAY, successful=False
    )
    session.commit()
    page = [row for row in my_parents(session, volunteer, TODAY) if row.next_due <= NOW]
    [due] = volunteers_due(session, NOW, Thresholds())
    assert due.checkins_due == len(page) == 4  # "new": the first call is due after 3 days


def test_counting_is_one_statement_whatever_the_number_of_volunteers(
    app: Flask, session: SessionLike, count_statements: StatementCounter
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            volunteer = make_volunteer(session)
            make_assignment(session, make_case(session), volunteer, started_at=NOW - 30 * DAY)
        session.commit()

    add(2)
    with count_statements() as few:
        assert len(volunteers_due(session, NOW, Thresholds())) == 2
    add(10)
    with count_statements() as many:
        assert len(volunteers_due(session, NOW, Thresholds())) == 12
    assert len(few) == len(many) == 1
    with count_statements() as queueing:
        assert queue_reminders(session, NOW).queued == 12
    assert len(queueing) <= 3  # the thresholds, the count, one INSERT


@pytest.mark.parametrize("threads", [2, 4])
def test_reminder_jobs_at_once_queue_each_email_once(
    app: Flask, session: SessionLike, threads: int
) -> None:
    for _ in range(5):
        volunteer = make_volunteer(session)
        make_assignment(session, make_case(session), volunteer, started_at=NOW - 30 * DAY)
    session.commit()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []
    queued: list[int] = []

    def run() -> None:
        kwargs = {"connect_args": {"timeout": 30}} if uri.startswith("sqlite") else {}
        engine = sa.create_engine(uri, **kwargs)
        try:
            with app.app_context(), Session(engine) as own:
                own.execute(select(1))
                own.rollback()
                barrier.wait(timeout=30)
                queued.append(queue_reminders(own, NOW).queued)
                own.commit()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            engine.dispose()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert errors == []
    assert sum(queued) == 5
    assert outbox_count(session) == 5


def _reminders_subprocess(database_uri: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CORNER_ENV": "development",
        "CORNER_INSTANCE_DIR": str(tmp_path / "instance"),
        "SECRET_KEY": "subprocess-test-key",
        "DATABASE_URL": database_uri,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "emails", "reminders", "--now", NOW_ISO],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_two_reminder_processes_at_once_queue_each_email_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    people = seed(session)
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    processes = [_reminders_subprocess(uri, tmp_path) for _ in range(2)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert outbox_count(session) == 2
    assert send_pending(app, NOW).sent == 2
    received = sorted(r for m in smtp_server.handler.messages for r in m.recipients)
    assert received == sorted([people["busy"].email, people["lapsed"].email])


def test_the_job_waits_for_nine_then_catches_up(app: Flask, session: SessionLike) -> None:
    seed(session)
    assert job_reminders(app, NOW.replace(hour=7)) is None  # 07:00 in London: not yet
    assert outbox_count(session) == 0
    assert job_reminders(app, NOW.replace(hour=15)).queued == 2  # started late: catches up
    assert job_reminders(app, NOW.replace(hour=16)).queued == 0
    assert outbox_count(session) == 2


def test_a_volunteer_turns_reminders_off_on_my_availability(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    people = seed(session)
    busy = people["busy"]
    login(client, busy.email)
    page = client.get("/my/profile").get_data(as_text=True)
    assert "Email me a reminder when check-ins are due" in page
    [box] = re.findall(r"<input[^>]*name=\"email_reminders\"[^>]*>", page)
    assert " checked" in box  # on until turned off
    response = post_form(client, "/my/profile", {"availability": ["mon-am"]})
    assert response.status_code == 302
    session.expire_all()
    assert busy.volunteer_profile is not None and busy.volunteer_profile.email_reminders is False
    assert {d.volunteer_id for d in volunteers_due(session, NOW, Thresholds())} == {
        people["lapsed"].id
    }
    # and on again
    post_form(client, "/my/profile", {"availability": ["mon-am"], "email_reminders": "y"})
    session.expire_all()
    assert busy.volunteer_profile.email_reminders is True


def test_a_left_or_closed_account_gets_no_reminder(app: Flask, session: SessionLike) -> None:
    people = seed(session)
    people["busy"].active = False
    assert people["lapsed"].volunteer_profile is not None
    people["lapsed"].volunteer_profile.status = "left"
    session.commit()
    assert volunteers_due(session, NOW, Thresholds()) == []


def test_expiry_counts_only_within_thirty_days() -> None:
    from app.reminders import Due

    today = date(2026, 11, 2)
    due = Due(1, "v@example.org", 0, 0, today + timedelta(days=31), today + timedelta(days=30))
    assert due.expiring(today) == [("training", 30)]
    assert not Due(1, "v@example.org", 0, 0, None, None).anything(today)
