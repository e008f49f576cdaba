"""The import's bulk rows get the same search keys as the forms' (the model's listener is
skipped by Core inserts and updates, so the writer sets them)."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Parent, User
from app.search_keys import parent_search_key, phone_digits, user_search_key
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import NOW, make_user
from tests.spreadsheets.data import COORDINATOR, GOOD, encoded, replace


def test_imported_parents_and_volunteers_are_searchable(session: SessionLike) -> None:
    make_user(session, "coordinator", email=COORDINATOR)
    session.commit()
    assert not import_spreadsheets(session, NOW, encoded(GOOD)).problems
    session.commit()
    maria = session.scalars(select(Parent).where(Parent.ref == "P001")).one()
    assert maria.search_key == "marianowak|maria@exampleorg|bs20ja|p001"
    assert maria.phone_digits == phone_digits(maria.phone) == "7700900123"
    for parent in session.scalars(select(Parent)):
        key = parent_search_key(
            parent.first_name, parent.last_name, parent.email, parent.postcode, parent.ref
        )
        assert parent.search_key == key
    zoe = session.scalars(select(User).where(User.email == "zoe.brown@example.org")).one()
    assert zoe.search_key == "zoebrown|zoebrown@exampleorg"
    # a second import updates the existing accounts' names, and their keys with them
    again = {"volunteers.csv": replace(GOOD["volunteers.csv"], "Zoë,Brown", "Zoë,Greene")}
    assert not import_spreadsheets(session, NOW, encoded(again)).problems
    session.commit()
    session.expire_all()
    assert (
        zoe.search_key
        == user_search_key("Zoë", "Greene", zoe.email)
        == ("zoegreene|zoebrown@exampleorg")
    )
