"""The command line: escalation scan/list, emails weekly/send."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import OutboxEmail, WeeklyDigest
from tests.factories import (
    NOW,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.smtp import SmtpServer

DAY = timedelta(days=1)


def seed(session: SessionLike) -> None:
    make_user(session, "coordinator")
    volunteer = make_volunteer(session)
    case = make_case(session, make_parent(session, ref="REF-1"))
    make_assignment(session, case, volunteer, started_at=NOW - 40 * DAY)
    make_checkin(session, case, volunteer, occurred_at=NOW - 20 * DAY)
    make_case(session, make_parent(session, ref="REF-2"), referred_at=NOW - 12 * DAY)
    session.commit()


def test_scan_then_list(app: Flask, session: SessionLike) -> None:
    seed(session)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["escalation", "scan", "--now", "2026-11-02T06:00"])
    assert first.exit_code == 0, first.output
    assert "raised 2 flags, resolved 0" in first.output
    second = runner.invoke(args=["escalation", "scan", "--now", "2026-11-02T07:00"])
    assert "raised 0 flags" in second.output
    listed = runner.invoke(args=["escalation", "list", "--json", "--status", "open"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert {(r["parent_ref"], r["rule"], r["severity"], r["status"]) for r in rows} == {
        ("REF-1", "NO_CONTACT", "medium", "open"),
        ("REF-2", "UNMATCHED", "medium", "open"),
    }
    assert all(set(r) == {"parent_ref", "rule", "severity", "status", "raised_at"} for r in rows)
    assert rows[0]["raised_at"].startswith("2026-11-02T06:00:00")
    resolved = runner.invoke(args=["escalation", "list", "--json", "--status", "resolved"])
    assert json.loads(resolved.output) == []
    plain = runner.invoke(args=["escalation", "list"])
    assert "REF-1" in plain.output and "NO_CONTACT" in plain.output


def test_bad_now_is_a_clear_error(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["escalation", "scan", "--now", "next tuesday"])
    assert result.exit_code == 2
    assert "is not an ISO time" in result.output
    bad_status = app.test_cli_runner().invoke(args=["escalation", "list", "--status", "nope"])
    assert bad_status.exit_code == 2


def test_weekly_never_twice_then_send(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    seed(session)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["emails", "weekly", "--now", "2026-11-04T12:00"])
    assert "Queued 1 weekly emails" in first.output, first.output
    again = runner.invoke(args=["emails", "weekly", "--now", "2026-11-08T23:00"])
    assert "Queued 0 weekly emails (1 already" in again.output
    session.expire_all()
    assert session.scalar(select(func.count(WeeklyDigest.id))) == 1
    sent = runner.invoke(args=["emails", "send"])
    assert "Sent 1" in sent.output, sent.output
    assert len(smtp_server.messages) == 1
    assert session.scalar(select(func.count(OutboxEmail.id))) == 1
