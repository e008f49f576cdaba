"""Erasure wipes every canary of A from the database (SQLite file bytes, pg_dump), keeps B's,
keeps the counts, is refused while a safeguarding flag is unresolved, and is audited."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike, db
from app.models import AuditEvent, Case, CheckIn, EscalationFlag, Parent
from app.privacy.erasure import ErasureRefused, checkpoint, erase_parent
from app.privacy.settings import SETTINGS_KEY
from app.reports.periods import Period
from app.reports.summary import summarise
from app.settings import save_settings
from app.stage import stage_on
from tests.factories import NOW
from tests.helpers import StatementCounter
from tests.privacy.erasure_canaries import Charity, counts, needles, present, seed_charity


@pytest.fixture
def charity(app: Flask, session: SessionLike) -> Charity:
    app.config["CORNER_NOW"] = NOW
    return seed_charity(session)


def database_bytes(app: Flask) -> bytes:
    """Every byte the database holds: the SQLite file and its -wal/-journal, or a pg_dump."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        path = Path(str(url.database))
        blob = path.read_bytes()
        for suffix in ("-wal", "-journal"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                blob += side.read_bytes()
        return blob
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(
        ["/usr/bin/pg_dump", "--data-only", plain], check=True, capture_output=True
    )
    return dump.stdout


def erase_a(session: SessionLike, charity: Charity) -> Parent:
    parent = erase_parent(
        session,
        charity.a.id,
        actor_id=charity.admin.id,
        reason="parent_asked",
        now=NOW,
        ip="192.0.2.7",
    )
    session.commit()
    checkpoint(db.engine)
    return parent


def test_every_canary_of_a_is_gone_and_b_keeps_hers(
    app: Flask, session: SessionLike, charity: Charity
) -> None:
    before = database_bytes(app)
    assert present(before, "A") == needles("A")  # the test can see them
    assert present(before, "B") == needles("B")
    erase_a(session, charity)
    after = database_bytes(app)
    assert present(after, "A") == []
    assert present(after, "B") == needles("B")


def test_erased_parent_keeps_ref_counts_and_safeguarding_facts(
    session: SessionLike, charity: Charity
) -> None:
    before = counts(session)
    year = Period(date(2026, 1, 1), date(2026, 12, 31))
    report_before = summarise(session, period=year, now=NOW)
    parent = erase_a(session, charity)
    assert counts(session) == before
    assert summarise(session, period=year, now=NOW) == report_before  # `reports summary`
    assert report_before["referrals"]["total"] == 2
    assert parent.full_name == "Erased parent"
    assert parent.ref == "CH-A-001"
    assert parent.erased_at == NOW
    assert (parent.email, parent.phone, parent.postcode, parent.latitude) == (None,) * 4
    assert parent.phone_digits is None and "quix" not in parent.search_key
    assert parent.ethnic_group == "white_british"  # equality codes stay for the reports
    flag = session.scalars(
        select(EscalationFlag).join(Case).where(Case.parent_id == parent.id)
    ).one()
    assert (flag.rule, flag.severity, flag.outcome, flag.status) == (
        "SAFEGUARDING",
        "urgent",
        "safeguarding_referral",
        "resolved",
    )
    assert flag.resolution_note is None
    notes = session.scalars(
        select(CheckIn.notes).join(Case).where(Case.parent_id == parent.id)
    ).all()
    assert notes == ["", ""]
    assert charity.a_case.close_reason == "Other"


def test_stage_at_each_referral_is_kept(session: SessionLike, charity: Charity) -> None:
    referred = charity.a_case.referred_at.date()
    closed = date(2026, 11, 1)
    real = [stage_on(date(2026, 5, 1), date(2026, 4, 20), day) for day in (referred, closed)]
    parent = erase_a(session, charity)
    assert parent.birth_date != date(2026, 4, 20) and parent.due_date is None
    kept = [stage_on(parent.due_date, parent.birth_date, day) for day in (referred, closed)]
    assert kept == real


def test_audited_with_a_reason_code_and_no_erased_value(
    session: SessionLike, charity: Charity
) -> None:
    erase_a(session, charity)
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).one()
    assert (event.actor_id, event.object_type, event.object_id) == (
        charity.admin.id,
        "parent",
        str(charity.a.id),
    )
    assert event.detail == "ref CH-A-001; reason: parent_asked"
    everything = " ".join(
        f"{e.action} {e.detail or ''}" for e in session.scalars(select(AuditEvent))
    ).lower()
    assert "quix" not in everything and "zebra" not in everything


def test_refused_while_an_urgent_flag_is_unresolved(session: SessionLike, charity: Charity) -> None:
    flag = session.scalars(
        select(EscalationFlag).join(Case).where(Case.parent_id == charity.a.id)
    ).one()
    flag.resolved_by_id = None  # resolved only automatically when the case closed
    session.commit()
    with pytest.raises(ErasureRefused, match="safeguarding flag"):
        erase_parent(session, charity.a.id, actor_id=None, reason="parent_asked", now=NOW)
    session.rollback()
    assert session.scalar(select(Parent.last_name).where(Parent.id == charity.a.id)) == (
        "Quixlewhistle"
    )
    save_settings(
        session,
        NOW,
        SETTINGS_KEY,
        {"retention_months": 72, "refuse_unresolved_safeguarding": False},
        charity.admin.id,
    )
    erase_parent(session, charity.a.id, actor_id=None, reason="parent_asked", now=NOW)
    assert session.scalar(select(Parent.last_name).where(Parent.id == charity.a.id)) == "parent"


def test_refused_while_a_case_is_open_or_already_erased(
    session: SessionLike, charity: Charity
) -> None:
    with pytest.raises(ErasureRefused, match="still open"):
        erase_parent(session, charity.b.id, actor_id=None, reason="parent_asked", now=NOW)
    with pytest.raises(ErasureRefused, match="Choose why"):
        erase_parent(session, charity.a.id, actor_id=None, reason="because", now=NOW)
    erase_a(session, charity)
    with pytest.raises(ErasureRefused, match="already been erased"):
        erase_parent(session, charity.a.id, actor_id=None, reason="parent_asked", now=NOW)


def test_statement_count_does_not_grow_with_history(
    session: SessionLike, charity: Charity, count_statements: StatementCounter
) -> None:
    from app.privacy.erasure import erase_parents

    ids = [charity.a.id, charity.b.id]
    with count_statements() as few:
        erase_parents(session, ids, actor_id=None, reason="retention", now=NOW)
    session.rollback()
    case_id, volunteer_id = charity.a_case.id, charity.volunteer.id
    for day in range(20):  # many more check-ins on A's case
        session.add(
            CheckIn(
                case_id=case_id,
                volunteer_id=volunteer_id,
                occurred_at=datetime(2026, 9, day + 1, tzinfo=UTC),
                mode="phone",
                notes=f"note {day}",
                status="submitted",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    session.commit()
    with count_statements() as many:
        erase_parents(session, ids, actor_id=None, reason="retention", now=NOW)
    assert [s[:60] for s in many] == [s[:60] for s in few]
    assert len(many) == 9, many  # two reads, seven writes


def test_wal_mode_keeps_nothing_either(app: Flask, session: SessionLike) -> None:
    """SQLite in WAL mode: the old page versions in the -wal file are checkpointed away."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the write-ahead log is SQLite's (PostgreSQL: the pg_dump test above)")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode=WAL").scalar() == "wal"
    app.config["CORNER_NOW"] = NOW
    charity = seed_charity(session)
    wal = Path(f"{db.engine.url.database}-wal")
    assert present(database_bytes(app), "A") == needles("A")
    erase_a(session, charity)
    assert not wal.exists() or wal.stat().st_size == 0  # truncated by the checkpoint
    after = database_bytes(app)
    assert present(after, "A") == []
    assert present(after, "B") == needles("B")
