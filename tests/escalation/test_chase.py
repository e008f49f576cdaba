"""The chase over real SMTP: an urgent flag nobody acknowledges is emailed again to the duty
address, the area's coordinators and the safeguarding leads, then to the admins; each step
once per flag, however often and by however many processes it runs; acknowledging stops it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from app.email import send_pending
from app.escalation.chase import run_chase
from app.escalation.hooks import on_checkin_submitted
from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, SETTINGS_KEY
from app.escalation.service import acknowledge
from app.extensions import SessionLike
from app.jobs import job_chase
from app.models import EscalationFlag, FlagChase, OutboxEmail
from app.settings import save_settings
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import login, together
from tests.smtp import SmtpServer

MINUTE = timedelta(minutes=1)
CANARIES = ("Canaryname", "Zetaperson", "07700 900999", "12 Canary Row", "CANARY-NOTE-4410")


def world(session: SessionLike, *, flags: int = 1) -> dict[str, Any]:
    """An area with a duty address and two coordinators, a coordinator elsewhere, a
    safeguarding lead, an admin, and ``flags`` urgent flags raised at NOW."""
    area = make_area(
        session, "Bristol", duty_email="duty@bristol.example", duty_phone="0117 496 0000"
    )
    elsewhere = make_area(session, "Bath", duty_email="duty@bath.example")
    coordinators = [
        make_user(session, "coordinator", areas=[area], email=f"coord{i}@bristol.example")
        for i in range(2)
    ]
    make_user(session, "coordinator", areas=[elsewhere], email="coord@bath.example")
    make_user(session, "coordinator", areas=[area], email="gone@bristol.example", active=False)
    lead = make_user(
        session,
        "coordinator",
        areas=[elsewhere],
        email="lead@charity.example",
        safeguarding_lead=True,
    )
    admin = make_user(session, "admin", email="admin@charity.example")
    volunteer = make_volunteer(session, area=area, max_caseload=50)
    add_flags(session, area, volunteer, coordinators[0], flags)
    session.commit()
    return {
        "area": area,
        "coordinators": coordinators,
        "lead": lead,
        "admin": admin,
        "volunteer": volunteer,
    }


def add_flags(session: SessionLike, area: Any, volunteer: Any, owner: Any, flags: int) -> None:
    """``flags`` cases, each with an urgent flag raised at NOW by a safeguarding check-in."""
    for _ in range(flags):
        parent = make_parent(
            session,
            area=area,
            first_name="Canaryname",
            last_name="Zetaperson",
            phone="07700 900999",
            postcode="BS1 4DJ",
        )
        case = make_case(session, parent, owner=owner)
        make_assignment(session, case, volunteer)
        checkin = make_checkin(
            session,
            case,
            volunteer,
            concerns=["safeguarding"],
            notes="CANARY-NOTE-4410 at 12 Canary Row",
        )
        on_checkin_submitted(session, checkin, NOW)


def chase_emails(session: SessionLike) -> list[OutboxEmail]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxEmail).where(OutboxEmail.kind == "urgent_chase").order_by(OutboxEmail.id)
        )
    )


def assert_no_canary(smtp_server: SmtpServer) -> None:
    for message in smtp_server.messages:
        for canary in CANARIES:
            assert canary not in message.text, canary


def test_ladder_each_step_once_to_the_right_people(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    people = world(session)
    assert send_pending(app, NOW).sent == 1  # the urgent alert itself
    smtp_server.messages.clear()

    # not yet: 59 minutes
    assert job_chase(app, NOW + 59 * MINUTE).leads == 0
    assert chase_emails(session) == []

    # 60 minutes: the duty address, the area's active coordinators, the safeguarding lead
    first = job_chase(app, NOW + 60 * MINUTE)
    assert (first.leads, first.admins, first.emails) == (1, 0, 1)
    assert send_pending(app, NOW + 61 * MINUTE).sent == 1
    [message] = smtp_server.messages
    assert sorted(message.recipients) == [
        "coord0@bristol.example",
        "coord1@bristol.example",
        "duty@bristol.example",
        "lead@charity.example",
    ]
    flag = session.scalars(select(EscalationFlag)).one()
    assert f"/flags/{flag.id}" in message.text
    assert "Not yet acknowledged" in message.message["Subject"]

    # run again, and again later: nothing more for that step
    for minutes in (61, 65, 90):
        assert job_chase(app, NOW + minutes * MINUTE).emails == 0
    assert send_pending(app, NOW + 100 * MINUTE).sent == 0
    assert len(smtp_server.messages) == 1

    # 120 minutes: the admins, once
    second = job_chase(app, NOW + 120 * MINUTE)
    assert (second.leads, second.admins, second.emails) == (0, 1, 1)
    assert job_chase(app, NOW + 125 * MINUTE).emails == 0
    assert job_chase(app, NOW + 600 * MINUTE).emails == 0
    assert send_pending(app, NOW + 601 * MINUTE).sent == 1
    assert [m.recipients for m in smtp_server.messages[1:]] == [[people["admin"].email]]
    assert len(chase_emails(session)) == 2
    assert_no_canary(smtp_server)


def test_acknowledging_stops_the_ladder(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    people = world(session, flags=2)
    first, second = session.scalars(select(EscalationFlag).order_by(EscalationFlag.id)).all()
    acknowledge(session, NOW + 30 * MINUTE, first, people["coordinators"][1])
    session.commit()
    assert job_chase(app, NOW + 60 * MINUTE).flag_ids["leads"] == [second.id]
    # acknowledged after the first step: no admins' step
    acknowledge(
        session, NOW + 70 * MINUTE, session.get_one(EscalationFlag, second.id), people["lead"]
    )
    session.commit()
    assert job_chase(app, NOW + 180 * MINUTE).emails == 0
    session.expire_all()
    assert [(c.flag_id, c.step) for c in session.scalars(select(FlagChase))] == [
        (second.id, "leads")
    ]
    send_pending(app, NOW + 181 * MINUTE)
    chased = [m for m in smtp_server.messages if "Not yet acknowledged" in m.message["Subject"]]
    assert len(chased) == 1 and f"/flags/{first.id}" not in chased[0].text
    assert_no_canary(smtp_server)


def test_the_setting_changes_the_wait(app: Flask, session: SessionLike) -> None:
    world(session)
    save_settings(
        session, NOW, SETTINGS_KEY, {**DEFAULT_THRESHOLDS, "urgent_ack_minutes": 15}, None
    )
    session.commit()
    assert job_chase(app, NOW + 14 * MINUTE).leads == 0
    assert job_chase(app, NOW + 15 * MINUTE).leads == 1
    assert job_chase(app, NOW + 30 * MINUTE).admins == 1


def test_resolved_and_closed_are_not_chased(app: Flask, session: SessionLike) -> None:
    world(session, flags=2)
    first, second = session.scalars(select(EscalationFlag).order_by(EscalationFlag.id)).all()
    first.status = "resolved"
    second.case.status = "closed"
    session.commit()
    assert job_chase(app, NOW + 200 * MINUTE).emails == 0


def test_many_flags_one_email_per_area_and_a_fixed_number_of_statements(
    app: Flask, session: SessionLike, count_statements: Any
) -> None:
    people = world(session, flags=1)
    with count_statements() as one:
        run_chase(session, NOW + 60 * MINUTE)
    session.rollback()
    add_flags(session, people["area"], people["volunteer"], people["coordinators"][0], 9)
    session.commit()
    with count_statements() as many:
        result = run_chase(session, NOW + 60 * MINUTE)
    session.commit()
    assert result.leads == 10 and result.emails == 1
    assert len(many) == len(one)
    [email] = chase_emails(session)
    assert email.subject == "Not yet acknowledged: 10 urgent flags"


def test_two_runs_at_once_take_each_step_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    world(session, flags=3)
    send_pending(app, NOW)
    smtp_server.messages.clear()
    assert together(2, lambda i: job_chase(app, NOW + 60 * MINUTE)) == []
    assert together(3, lambda i: job_chase(app, NOW + 121 * MINUTE)) == []
    session.expire_all()
    assert session.scalar(select(func.count(FlagChase.id))) == 6
    assert len(chase_emails(session)) == 2
    send_pending(app, NOW + 122 * MINUTE)
    assert len(smtp_server.messages) == 2
    assert_no_canary(smtp_server)


def test_command_line_runs_it_and_is_idempotent(app: Flask, session: SessionLike) -> None:
    world(session)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["escalation", "chase", "--now", "2026-11-02T11:00"])
    assert first.exit_code == 0, first.output
    assert "Chased 1 urgent flag(s)" in first.output and "1 email(s) queued" in first.output
    again = runner.invoke(args=["escalation", "chase", "--now", "2026-11-02T11:00"])
    assert "Chased 0 urgent flag(s)" in again.output and "0 email(s) queued" in again.output


def test_flag_page_shows_each_step_and_when(app: Flask, session: SessionLike) -> None:
    people = world(session)
    job_chase(app, NOW + 60 * MINUTE)
    job_chase(app, NOW + 120 * MINUTE)
    flag = session.scalars(select(EscalationFlag)).one()
    client = app.test_client()
    login(client, people["coordinators"][0].email)
    html = client.get(f"/flags/{flag.id}").get_data(as_text=True)
    assert (
        "Chased: the duty address, the area&#39;s coordinators and the safeguarding leads" in html
    )
    assert "Chased: the admins" in html
    assert html.index("Chased: the duty") < html.index("Chased: the admins")


def test_processes_at_once_take_each_step_once(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    """Three ``flask escalation chase`` processes started together (as a second scheduler, or
    cron beside the scheduler, would), when both steps are due: each once, each email once."""
    world(session, flags=2)
    send_pending(app, NOW)
    smtp_server.messages.clear()
    env = {
        **os.environ,
        "CORNER_ENV": "testing",
        "DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
    }
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "flask", "--app", "app", "escalation", "chase"]
    processes = [
        subprocess.Popen(
            [*command, "--now", "2026-11-02T12:00"],  # 120 minutes: both steps are due
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0] * 3, outputs
    assert sorted(output.split("; ")[-1].strip() for output in outputs) == [
        "0 email(s) queued.",
        "0 email(s) queued.",
        "2 email(s) queued.",
    ], outputs
    session.expire_all()
    assert session.scalar(select(func.count(FlagChase.id))) == 4
    assert len(chase_emails(session)) == 2
    send_pending(app, NOW + 121 * MINUTE)
    assert len(smtp_server.messages) == 2
    assert_no_canary(smtp_server)
