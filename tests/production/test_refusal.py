"""Production refuses a half configuration, and a database holding the demo accounts."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from app.demo.build import demo_exists
from app.demo.cli import load_demo
from app.demo.remove import DemoInUse, remove_demo
from app.extensions import SessionLike, db
from app.models import (
    AuditEvent,
    Case,
    CheckIn,
    OutboxEmail,
    Parent,
    User,
)
from app.production import UnsafeConfiguration, check_ready_to_serve
from tests.factories import NOW, make_area, make_assignment, make_case, make_parent, make_user
from tests.helpers import make_app

GOOD = {
    "CORNER_ENV": "production",
    "SECRET_KEY": "k" * 20 + "-a-long-enough-random-secret-key",
    "BASE_URL": "https://corner.example.org",
    "DATABASE_URL": "postgresql://corner@db/corner",
    "MAIL_FROM": "Corner <corner@example.org>",
}


def production(database_uri: str, **overrides: Any) -> Flask:
    config = {**GOOD, **overrides}
    return make_app(database_uri, **config)


def dispose(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def refusal_of(database_uri: str, **overrides: Any) -> str:
    with pytest.raises(UnsafeConfiguration) as refused:
        production(database_uri, **overrides)
    return str(refused.value)


def test_a_complete_production_configuration_starts(database_uri: str) -> None:
    app = production(database_uri)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    check_ready_to_serve(app)  # an empty database: nothing refused
    dispose(app)


def test_a_missing_base_url_is_named(database_uri: str) -> None:
    message = refusal_of(database_uri, BASE_URL="")
    assert "BASE_URL is not set" in message
    assert "1 problem to fix" in message
    assert "SECRET_KEY" not in message


def test_every_problem_is_listed_at_once(database_uri: str) -> None:
    message = refusal_of(
        database_uri,
        SECRET_KEY="test-secret-key-not-for-production",
        BASE_URL="http://corner.example.org",
        DATABASE_URL="",
        MAIL_FROM="Corner <corner@localhost>",
    )
    assert "4 problems to fix" in message
    assert "SECRET_KEY is a published development value" in message
    assert "BASE_URL must start with https://" in message
    assert "DATABASE_URL is not set" in message
    assert "MAIL_FROM is a local address" in message


@pytest.mark.parametrize(
    ("key", "words"),
    [("", "SECRET_KEY is not set"), ("short-but-random-x7", "19 characters long")],
)
def test_a_missing_or_short_secret_key_is_refused(database_uri: str, key: str, words: str) -> None:
    assert words in refusal_of(database_uri, SECRET_KEY=key)


def test_development_and_testing_are_not_held_to_it(database_uri: str) -> None:
    make_app(database_uri, BASE_URL="", MAIL_FROM="", DATABASE_URL="")  # testing: no refusal


def test_production_refuses_the_demo_until_it_is_removed(app: Flask, database_uri: str) -> None:
    load_demo(NOW)
    served = production(database_uri)
    with pytest.raises(UnsafeConfiguration) as refused:
        check_ready_to_serve(served)
    assert "demo accounts" in str(refused.value)
    assert "flask --app app demo remove --yes" in str(refused.value)

    runner = CliRunner()
    asked = runner.invoke(served.cli, ["demo", "remove"], input="n\n")
    assert asked.exit_code == 1 and "Aborted" in asked.output  # it asks; "no" changes nothing
    result = served.test_cli_runner().invoke(args=["demo", "remove", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Demo removed:" in result.output
    check_ready_to_serve(served)  # accepted now
    dispose(served)


def _count(session: SessionLike, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_demo_remove_deletes_the_demo_and_keeps_real_records(session: SessionLike) -> None:
    area = make_area(session, "Real area")
    admin = make_user(session, "admin", email="real.admin@example.net")
    real_case = make_case(session, make_parent(session, area=area, email="p@example.net"))
    session.commit()
    load_demo(NOW)
    demo_coordinator = session.scalar(select(User).where(User.email.like("coordinator@%")))
    assert demo_coordinator is not None
    real_case.owner = demo_coordinator  # a real case a demo account owned
    session.commit()

    counts = remove_demo(session, NOW)
    session.commit()

    assert counts["accounts"] > 4 and counts["parents"] > 10 and counts["areas"] == 2
    assert not demo_exists(session)
    assert set(session.scalars(select(User.email))) == {admin.email}
    assert [p.email for p in session.scalars(select(Parent))] == ["p@example.net"]
    assert [c.id for c in session.scalars(select(Case))] == [real_case.id]
    assert session.get(Case, real_case.id).owner_id is None  # type: ignore[union-attr]
    assert _count(session, CheckIn) == 0
    actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions == ["demo.seeded", "demo.removed"]  # the demo's own history is gone
    assert _count(session, OutboxEmail) == 0
    assert remove_demo(session, NOW)["accounts"] == 0  # a second run finds nothing


def test_demo_remove_stops_before_deleting_a_demo_volunteer_of_a_real_case(
    session: SessionLike,
) -> None:
    load_demo(NOW)
    volunteer = session.scalar(select(User).where(User.email.like("volunteer@%")))
    assert volunteer is not None
    make_assignment(
        session, make_case(session, make_parent(session, email="q@example.net")), volunteer
    )
    session.commit()
    with pytest.raises(DemoInUse, match="reassign"):
        remove_demo(session, NOW)
    session.rollback()
    assert demo_exists(session)
    assert db.session is session
