"""Spreadsheets: languages as names or codes in any case; stored and exported as codes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Parent, User
from app.spreadsheets.cells import CellProblem, parse_cell
from app.spreadsheets.columns import PARENTS, VOLUNTEERS
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import NOW, make_user
from tests.spreadsheets.data import COORDINATOR, GOOD, encoded, replace


@pytest.mark.parametrize(
    ("raw", "codes"),
    [
        ("English;Polish", ["en", "pl"]),
        ("en;pl", ["en", "pl"]),
        ("polish", ["pl"]),
        ("EN; Polish ;;pl", ["en", "pl"]),
        ("Urdu;ur;URDU", ["ur"]),
    ],
)
def test_names_or_codes_in_any_case_are_read_as_codes(raw: str, codes: list[str]) -> None:
    assert parse_cell(PARENTS.column("languages"), raw) == codes
    assert parse_cell(VOLUNTEERS.column("languages"), raw) == codes


def test_an_unknown_language_is_a_problem() -> None:
    with pytest.raises(CellProblem) as problem:
        parse_cell(PARENTS.column("languages"), "English;Klingon")
    assert str(problem.value) == '"Klingon" is not a language we know'


def test_import_stores_codes_and_export_writes_them(session: SessionLike) -> None:
    make_user(session, "coordinator", email=COORDINATOR)
    files = dict(GOOD)
    files["volunteers.csv"] = replace(files["volunteers.csv"], ",en;UR,", ",English;urdu,")
    files["parents.csv"] = replace(files["parents.csv"], ",pl;en,", ",Polish;ENGLISH,")
    result = import_spreadsheets(session, NOW, encoded(files))
    assert result.ok, [str(p) for p in result.problems]
    session.commit()
    maria = session.scalar(select(Parent).where(Parent.ref == "P001"))
    amira = session.scalar(select(User).where(User.email == "amira.khan@example.org"))
    assert maria is not None and maria.languages == ["pl", "en"]
    assert amira is not None and amira.volunteer_profile is not None
    assert amira.volunteer_profile.languages == ["en", "ur"]
    exported = export_spreadsheets(session).files
    assert ",pl;en," in exported["parents.csv"].decode("utf-8-sig")
    assert ",en;ur," in exported["volunteers.csv"].decode("utf-8-sig")


def test_an_unknown_language_imports_nothing_and_names_the_line(session: SessionLike) -> None:
    make_user(session, "coordinator", email=COORDINATOR)
    files = dict(GOOD)
    files["parents.csv"] = replace(files["parents.csv"], ",pl;en,", ",Polish;Klingon,")
    result = import_spreadsheets(session, NOW, encoded(files))
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        'parents.csv:2: languages: "Klingon" is not a language we know'
    ]
    session.rollback()
    assert session.scalar(select(Parent)) is None
