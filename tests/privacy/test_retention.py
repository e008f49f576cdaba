"""Retention: exactly the parents past the period are anonymised (one day either side), the
safeguarding refusal is reported, old audit events lose their IP; the CLI and the job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.jobs import job_retention
from app.models import AuditEvent, EscalationFlag, Parent
from app.privacy.retention import run_retention, upcoming
from tests.factories import NOW, make_case, make_parent

# NOW is Mon 2 Nov 2026 10:00 UTC (GMT in London): 72 months back is 2 Nov 2020.


def _closed_parent(session: SessionLike, ref: str, closed: datetime) -> Parent:
    parent = make_parent(session, ref=ref, last_name=f"Surname{ref}")
    make_case(
        session,
        parent,
        status="closed",
        closed_at=closed,
        close_reason="Support completed",
        referred_at=datetime(2019, 1, 10, tzinfo=UTC),
    )
    return parent


@pytest.fixture
def parents(session: SessionLike) -> dict[str, Parent]:
    made = {
        "day_before": _closed_parent(session, "R-1", datetime(2020, 11, 1, 23, 0, tzinfo=UTC)),
        "that_day": _closed_parent(session, "R-2", datetime(2020, 11, 2, 23, 59, tzinfo=UTC)),
        "day_after": _closed_parent(session, "R-3", datetime(2020, 11, 3, 0, 0, tzinfo=UTC)),
        "flagged": _closed_parent(session, "R-4", datetime(2019, 5, 1, tzinfo=UTC)),
    }
    reopened = _closed_parent(session, "R-5", datetime(2019, 5, 1, tzinfo=UTC))
    make_case(session, reopened, status="waiting")  # a newer case is open: never due
    made["open"] = reopened
    flagged_case = made["flagged"].cases[0]
    session.add(
        EscalationFlag(
            case_id=flagged_case.id,
            rule="SELF_HARM",
            severity="urgent",
            raised_at=datetime(2019, 4, 30, tzinfo=UTC),
            status="resolved",
            resolved_at=datetime(2019, 5, 1, tzinfo=UTC),
            resolution_note="Resolved automatically: the case was closed.",
        )
    )
    for at, ip in (
        (datetime(2020, 11, 2, 23, 59, tzinfo=UTC), "192.0.2.1"),
        (datetime(2020, 11, 3, 0, 0, tzinfo=UTC), "192.0.2.2"),
    ):
        session.add(AuditEvent(at=at, action="auth.login", ip=ip))
    session.commit()
    return made


def _erased(session: SessionLike) -> list[str]:
    return list(
        session.scalars(
            select(Parent.ref).where(Parent.erased_at.is_not(None)).order_by(Parent.ref)
        )
    )


def test_exactly_the_parents_past_the_period(
    session: SessionLike, parents: dict[str, Parent]
) -> None:
    dry = run_retention(session, NOW, dry_run=True)
    assert [p.ref for p in dry.due] == ["R-4", "R-1", "R-2"]
    assert dry.refused == ["R-4"]
    assert dry.ips_cleared == 1
    session.rollback()
    assert _erased(session) == []  # the dry run changed nothing

    result = run_retention(session, NOW)
    session.commit()
    assert result.erased == ["R-1", "R-2"]
    assert _erased(session) == ["R-1", "R-2"]
    ips = dict(
        session.execute(
            select(AuditEvent.at, AuditEvent.ip).where(AuditEvent.action == "auth.login")
        ).all()
    )
    assert ips == {
        datetime(2020, 11, 2, 23, 59, tzinfo=UTC): None,
        datetime(2020, 11, 3, tzinfo=UTC): "192.0.2.2",
    }
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("privacy.%")))
    assert sorted(events) == ["privacy.erased", "privacy.erased", "privacy.retention_run"]

    again = run_retention(session, NOW)  # idempotent
    assert again.erased == [] and again.refused == ["R-4"]

    tomorrow = run_retention(session, datetime(2026, 11, 3, 10, 0, tzinfo=UTC))
    assert tomorrow.erased == ["R-3"]


def test_upcoming_lists_refs_and_due_dates(
    session: SessionLike, parents: dict[str, Parent]
) -> None:
    rows = upcoming(session, NOW)
    assert [(p.ref, p.due_on.isoformat(), p.refused) for p in rows] == [
        ("R-4", "2025-05-01", True),
        ("R-1", "2026-11-01", False),
        ("R-2", "2026-11-02", False),
        ("R-3", "2026-11-03", False),
    ]


def test_cli_dry_run_prints_refs_never_names(
    app: Flask, session: SessionLike, parents: dict[str, Parent]
) -> None:
    runner = app.test_cli_runner()
    out = runner.invoke(args=["parents", "retention", "--dry-run", "--now", "2026-11-02T10:00"])
    assert out.exit_code == 0, out.output
    assert "R-1\tlast case closed 2020-11-01\tdue 2026-11-01" in out.output
    assert "R-4" in out.output and "unresolved safeguarding flag" in out.output
    assert "R-3" not in out.output and "Surname" not in out.output
    assert "2 parent(s) would be anonymised" in out.output
    assert _erased(session) == []
    out = runner.invoke(args=["parents", "retention", "--now", "2026-11-02T10:00"])
    assert out.exit_code == 0, out.output
    assert _erased(session) == ["R-1", "R-2"]


def test_the_daily_job(app: Flask, session: SessionLike, parents: dict[str, Parent]) -> None:
    assert job_retention(app, NOW).erased == ["R-1", "R-2"]
    assert job_retention(app, NOW).erased == []
    assert _erased(session) == ["R-1", "R-2"]


def test_cli_erase_needs_yes(app: Flask, session: SessionLike, parents: dict[str, Parent]) -> None:
    runner = app.test_cli_runner()
    out = runner.invoke(args=["parents", "erase", "R-3"])
    assert out.exit_code != 0 and "--yes" in out.output
    assert _erased(session) == []
    out = runner.invoke(args=["parents", "erase", "R-5", "--yes"])
    assert out.exit_code != 0 and "still open" in out.output
    out = runner.invoke(args=["parents", "erase", "NOPE", "--yes"])
    assert out.exit_code != 0 and "No parent" in out.output
    out = runner.invoke(args=["parents", "erase", "R-3", "--yes", "--reason", "parent_asked"])
    assert out.exit_code == 0, out.output
    assert "Erased R-3" in out.output
    assert _erased(session) == ["R-3"]
