"""Migration 0006_language_codes: language names stored by the old forms become codes.

The database is built at head by the fixtures; the rows are written as the old forms wrote
them, the database is taken back to the migration before this one and brought up again.
"""

from __future__ import annotations

import io

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.matching import suggestions
from app.models import Parent, VolunteerProfile
from tests.factories import NOW, make_case, make_parent, make_volunteer

REVISION = "0006_language_codes"


def _rerun_migration(app: Flask) -> None:
    config: Config = app.extensions["migrate"].migrate.get_config()
    config.stdout = io.StringIO()
    before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    command.downgrade(config, before)
    command.upgrade(config, "head")


def test_names_become_codes_and_unknown_words_stay(app: Flask, session: SessionLike) -> None:
    polish = make_parent(session, languages=["polish", "english"])
    odd = make_parent(session, languages=["Urdu", "klingon", "PL", "ur"])
    none = make_parent(session, languages=[])
    coded = make_parent(session, languages=["so", "en"])
    case = make_case(session, polish)  # waiting: suggestions are made for it
    volunteer = make_volunteer(session, languages=["pl"])
    old_profile = make_volunteer(session, languages=["Polish", "Lithuanian"])
    session.commit()
    assert suggestions.suggest(session, NOW, polish).excluded.get("language") == 2
    ids = {"polish": polish.id, "odd": odd.id, "none": none.id, "coded": coded.id}
    ids.update(volunteer=volunteer.id, old_profile=old_profile.id, case=case.id)
    session.close()

    _rerun_migration(app)

    session.expire_all()
    by_id = {p.id: p.languages for p in session.scalars(select(Parent))}
    assert by_id[ids["polish"]] == ["pl", "en"]
    assert by_id[ids["odd"]] == ["ur", "klingon", "pl"]  # order kept, the repeat dropped, and an
    # unknown word left as it was
    assert by_id[ids["none"]] == [] and by_id[ids["coded"]] == ["so", "en"]
    profiles = {p.user_id: p.languages for p in session.scalars(select(VolunteerProfile))}
    assert profiles[ids["volunteer"]] == ["pl"]
    assert profiles[ids["old_profile"]] == ["pl", "lt"]
    # The parent who typed "polish" is now offered both Polish speakers.
    parent = session.get(Parent, ids["polish"])
    assert parent is not None
    offered = {s.volunteer_id for s in suggestions.suggest(session, NOW, parent).items}
    assert offered == {ids["volunteer"], ids["old_profile"]}
