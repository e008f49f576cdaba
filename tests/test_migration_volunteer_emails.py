"""Migration 0008_volunteer_emails: existing profiles keep reminders on and get no training
renewal date (so nobody fails the checks gate because of the upgrade)."""

from __future__ import annotations

import io
from datetime import date

from alembic import command
from alembic.config import Config
from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import VolunteerProfile
from tests.factories import make_volunteer


def test_existing_profiles_keep_reminders_on_and_no_renewal_date(
    app: Flask, session: SessionLike
) -> None:
    off = make_volunteer(session, email_reminders=False, training_expires_on=date(2027, 1, 1))
    other = make_volunteer(session)
    session.commit()
    ids = (off.id, other.id)
    session.close()

    config: Config = app.extensions["migrate"].migrate.get_config()
    config.stdout = io.StringIO()
    command.downgrade(config, "0007_search")  # the columns go
    command.upgrade(config, "head")  # and come back with their defaults

    session.expire_all()
    rows = {
        p.user_id: (p.email_reminders, p.training_expires_on)
        for p in session.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id.in_(ids)))
    }
    assert rows == {ids[0]: (True, None), ids[1]: (True, None)}
