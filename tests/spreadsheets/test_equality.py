"""Equality monitoring columns in parents.csv: codes or words in, codes out, bad cells refused."""

from __future__ import annotations

import sqlalchemy as sa

from app.equality import FIELD_NAMES
from app.extensions import SessionLike
from app.models import Parent
from app.spreadsheets.columns import PARENTS
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import NOW
from tests.spreadsheets.data import table_counts, wipe

HEADER = "ref,first_name,ethnic_group,age_band,first_time_parent,disability,interpreter_needed\n"
ROWS = (
    "E1,Asha,indian,25 TO 34,yes,Prefer not to say,\n"
    "E2,Bea,  White_Roma ,35_plus,NO,prefer_not,No\n"
    "E3,Cai,,,,,\n"
    "E4,Dee,Any other Mixed or Multiple ethnic background,Under 20,Yes,yes,Not recorded\n"
)


def stored(session: SessionLike) -> dict[str, tuple[str | None, ...]]:
    session.expire_all()
    columns = [getattr(Parent, name) for name in FIELD_NAMES]
    rows = session.execute(sa.select(Parent.ref, *columns).order_by(Parent.ref))
    return {ref: tuple(values) for ref, *values in rows}


def test_the_five_columns_are_optional_columns_of_parents_csv() -> None:
    names = PARENTS.column_names
    assert names[-5:] == FIELD_NAMES
    assert all(PARENTS.column(name).optional for name in FIELD_NAMES)


def test_cells_take_codes_or_words_in_any_case_and_export_writes_codes(
    session: SessionLike,
) -> None:
    result = import_spreadsheets(session, NOW, {"parents.csv": (HEADER + ROWS).encode()})
    assert result.ok, [str(problem) for problem in result.problems]
    session.commit()
    assert stored(session) == {
        "E1": ("asian_indian", "25_34", "yes", "prefer_not", None),
        "E2": ("white_roma", "35_plus", "no", "prefer_not", "no"),
        "E3": (None, None, None, None, None),
        "E4": ("mixed_other", "under_20", "yes", "yes", None),
    }
    files = export_spreadsheets(session).files
    lines = files["parents.csv"].decode("utf-8-sig").split("\r\n")
    assert lines[0].endswith(
        ",ethnic_group,age_band,first_time_parent,disability,interpreter_needed"
    )
    by_ref = {line.split(",")[0]: line for line in lines[1:] if line}
    assert by_ref["E1"].endswith(",asian_indian,25_34,yes,prefer_not,")
    assert by_ref["E2"].endswith(",white_roma,35_plus,no,prefer_not,no")
    assert by_ref["E3"].endswith(",,,,,")
    assert by_ref["E4"].endswith(",mixed_other,under_20,yes,yes,")

    # the round trip: into an empty database and out again, byte for byte
    wipe(session)
    again = import_spreadsheets(session, NOW, files)
    assert again.ok, [str(problem) for problem in again.problems]
    session.commit()
    assert export_spreadsheets(session).files == files
    assert stored(session)["E2"] == ("white_roma", "35_plus", "no", "prefer_not", "no")


def test_a_bad_cell_names_its_line_and_column_and_imports_nothing(session: SessionLike) -> None:
    rows = (
        ROWS + "E5,Eve,Martian,20 to 24,yes,no,no\n" + "E6,Fay,white_irish,40,maybe,,prefer not\n"
    )
    result = import_spreadsheets(session, NOW, {"parents.csv": (HEADER + rows).encode()})
    session.commit()
    assert not result.ok
    assert [str(problem) for problem in result.problems] == [
        'parents.csv:6: ethnic_group: "Martian" is not one of the ethnic group choices: write a '
        'code, such as asian_bangladeshi, or its words, such as "Bangladeshi" (see the help)',
        'parents.csv:7: age_band: "40" is not one of: under_20, 20_24, 25_34, 35_plus, '
        "prefer_not (or their words, in any case)",
        'parents.csv:7: first_time_parent: "maybe" is not one of: yes, no, prefer_not (or their '
        "words, in any case)",
        'parents.csv:7: interpreter_needed: "prefer not" is not one of: yes, no, prefer_not (or '
        "their words, in any case)",
    ]
    assert set(table_counts(session).values()) == {0}
