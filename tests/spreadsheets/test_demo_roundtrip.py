"""The demo service, as Corner itself built it, survives export → import → export."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Role, User
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import NOW, make_user
from tests.spreadsheets.data import consent_and_answers, wipe


def test_demo_data_round_trips_with_its_consent_evidence(app: Flask, session: SessionLike) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    coordinators = list(session.scalars(select(User.email).where(User.role == Role.COORDINATOR)))
    parents, checkins = consent_and_answers(session)
    assert {method for _ref, _on, method, _scope in parents} >= {"online form", "verbal"}
    assert any(topics for *_rest, topics, _concerns in checkins)
    first = export_spreadsheets(session).files

    wipe(session)
    for email in coordinators:  # the accounts coordinator_email names
        make_user(session, "coordinator", email=email)
    imported = import_spreadsheets(session, NOW, first)
    assert imported.ok, [str(problem) for problem in imported.problems[:20]]
    session.commit()

    assert export_spreadsheets(session).files == first
    assert consent_and_answers(session)[0] == parents
    dropped = [(ref, at.replace(microsecond=0), *rest) for ref, at, *rest in checkins]
    assert consent_and_answers(session)[1] == dropped
