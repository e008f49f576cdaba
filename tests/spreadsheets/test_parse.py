"""Pure cell and file parsing: no database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app import timeutil
from app.spreadsheets.cells import (
    CellProblem,
    guard,
    parse_cell,
    parse_date,
    parse_instant,
    unguard,
)
from app.spreadsheets.columns import ASSIGNMENTS, CHECKINS, PARENTS, VOLUNTEERS
from app.spreadsheets.exporter import format_float, format_instant
from app.spreadsheets.parsed import Problems
from app.spreadsheets.reader import read_file
from app.spreadsheets.row_checks import check_rows


def test_london_times_become_utc_in_winter_and_summer() -> None:
    assert parse_instant("2026-11-02T14:30", "Europe/London") == datetime(
        2026, 11, 2, 14, 30, tzinfo=UTC
    )
    assert parse_instant("2026-07-01T14:30", "Europe/London") == datetime(
        2026, 7, 1, 13, 30, tzinfo=UTC
    )
    assert parse_instant("2026-07-01 14:30:15", "Europe/London") == datetime(
        2026, 7, 1, 13, 30, 15, tzinfo=UTC
    )
    assert parse_instant("2026-07-01T14:30+02:00", "Europe/London") == datetime(
        2026, 7, 1, 12, 30, tzinfo=UTC
    )
    assert parse_instant("2026-07-01T14:30Z", "Europe/London") == datetime(
        2026, 7, 1, 14, 30, tzinfo=UTC
    )


def test_times_the_clock_change_skips_or_repeats_are_problems() -> None:
    with pytest.raises(CellProblem) as skipped:
        parse_instant("2026-03-29T01:30", "Europe/London")
    assert str(skipped.value) == (
        '"2026-03-29T01:30" does not exist in Europe/London: the clocks went forward then'
    )
    with pytest.raises(CellProblem) as twice:
        parse_instant("2026-10-25T01:30", "Europe/London")
    assert str(twice.value) == (
        '"2026-10-25T01:30" happens twice in Europe/London (the clocks went back): add the '
        "offset, like 2026-10-25T01:30+01:00 or 2026-10-25T01:30+00:00"
    )
    assert parse_instant("2026-10-25T01:30+01:00", "Europe/London") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "instant",
    [
        datetime(2026, 11, 2, 14, 30, tzinfo=UTC),
        datetime(2026, 7, 1, 13, 30, 5, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30 BST, the first of two
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30 GMT, the second
    ],
)
def test_exported_times_read_back_as_the_same_instant(instant: datetime) -> None:
    text = format_instant(instant)
    assert parse_instant(text, "Europe/London") == instant


def test_exported_times_are_local_without_offset_unless_ambiguous() -> None:
    assert format_instant(datetime(2026, 7, 1, 13, 30, tzinfo=UTC)) == "2026-07-01T14:30"
    assert format_instant(datetime(2026, 1, 1, 9, 0, 7, tzinfo=UTC)) == "2026-01-01T09:00:07"
    assert format_instant(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10-25T01:30+01:00"


def test_times_are_written_and_read_to_the_second() -> None:
    """No microseconds in the files: what export writes, import reads back the same."""
    recorded = datetime(2026, 7, 1, 13, 30, 5, 123456, tzinfo=UTC)
    assert format_instant(recorded) == "2026-07-01T14:30:05"
    assert format_instant(datetime(2026, 7, 1, 13, 30, 0, 999999, tzinfo=UTC)) == (
        "2026-07-01T14:30"
    )
    second = datetime(2026, 7, 1, 13, 30, 5, tzinfo=UTC)
    assert parse_instant(format_instant(recorded), "Europe/London") == second
    assert parse_instant("2026-07-01T14:30:05.75", "Europe/London") == second


def test_dates_the_uk_way_day_first() -> None:
    assert parse_date("15/01/2027") == date(2027, 1, 15)
    assert parse_date("02/11/2026") == date(2026, 11, 2)  # 2 November, never 11 February
    assert parse_date("5/1/2027") == date(2027, 1, 5)
    assert parse_date("2027-01-15") == date(2027, 1, 15)
    assert parse_cell(CHECKINS.column("occurred_at"), "02/11/2026 14:30") == datetime(
        2026, 11, 2, 14, 30, tzinfo=UTC
    )
    assert parse_instant("15/07/2026 09:00:30", "Europe/London") == datetime(
        2026, 7, 15, 8, 0, 30, tzinfo=UTC
    )
    with pytest.raises(CellProblem) as us_order:
        parse_instant("07/15/2026 09:00", "Europe/London")
    assert str(us_order.value) == (
        '"07/15/2026 09:00" has the month first (US order): write the day first, '
        "15/07/2026, or 2026-07-15"
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "01/15/2027",
            '"01/15/2027" has the month first (US order): write the day first, 15/01/2027, '
            "or 2027-01-15",
        ),
        ("31/02/2027", '"31/02/2027" is not a real date'),
        ("13/13/2027", '"13/13/2027" is not a real date'),
        (
            "15/01/27",
            '"15/01/27" needs the year in full: write it as YYYY-MM-DD or DD/MM/YYYY, '
            "like 2026-11-02 or 02/11/2026",
        ),
        (
            "15.01.2027",
            '"15.01.2027" is not a date: write it as YYYY-MM-DD or DD/MM/YYYY, like 2026-11-02 '
            "or 02/11/2026",
        ),
        ("15/01/1066", '"15/01/1066" is not a likely date (the year is 1066)'),
        ("2026-02-30", '"2026-02-30" is not a real date'),
        ("2026-13-01", '"2026-13-01" is not a real date'),
        ("0026-11-02", '"0026-11-02" is not a likely date (the year is 26)'),
    ],
)
def test_bad_dates(raw: str, message: str) -> None:
    with pytest.raises(CellProblem) as problem:
        parse_date(raw)
    assert str(problem.value) == message


def test_cells_of_each_kind() -> None:
    col = VOLUNTEERS.column
    assert parse_cell(col("email"), "Amira@Example.ORG") == "amira@example.org"
    assert parse_cell(col("postcode"), "bs1   4dj") == "BS1 4DJ"
    assert parse_cell(col("remote_only"), "Yes") is True
    assert parse_cell(col("languages"), "en; UR;;en") == ["en", "ur"]
    assert parse_cell(col("availability"), "mon-am;fri-eve") == ["mon-am", "fri-eve"]
    assert parse_cell(col("travel_km"), "12.5") == 12.5
    assert parse_cell(col("max_caseload"), "4") == 4
    assert parse_cell(col("dbs_checked_on"), "2025-01-05") == date(2025, 1, 5)
    for column, raw, message in [
        (col("remote_only"), "true", '"true" must be yes or no'),
        (col("max_caseload"), "3.5", '"3.5" is not a whole number'),
        (col("latitude"), "51,45", '"51,45" is not a number (use a point for decimals: 51.45)'),
        (col("latitude"), "91", "91 is out of range: it must be from -90 to 90"),
        (col("email"), "amira.example.org", '"amira.example.org" is not an email address'),
        (col("status"), "retired", '"retired" is not one of: active, paused, left'),
        (
            col("stages"),
            "pregnancy;toddler",
            '"toddler" not allowed: use pregnancy, birth, postnatal, separated by ;',
        ),
        (CHECKINS.column("wellbeing"), "6", "6 is out of range: it must be from 1 to 5"),
        (CHECKINS.column("wellbeing"), "0", "0 is out of range: it must be from 1 to 5"),
        (PARENTS.column("ref"), "R" * 41, "is too long (41 characters): at most 40 fit"),
    ]:
        with pytest.raises(CellProblem) as problem:
            parse_cell(column, raw)
        assert str(problem.value) == message, raw


def test_formula_guard_round_trips() -> None:
    for text in ["=SUM(A1)", "+44 7700 900123", "-2", "@home", "plain", "it's"]:
        assert unguard(guard(text)) == text
    assert guard("=SUM(A1)") == "'=SUM(A1)"
    assert guard("plain") == "plain"
    assert unguard("'quoted") == "'quoted"


def test_numbers_are_written_short_and_exact() -> None:
    assert format_float(10.0) == "10"
    assert format_float(51.4545) == "51.4545"
    assert float(format_float(-2.587912345678)) == -2.587912345678
    assert format_float(-0.00005) == "-0.00005"  # near Greenwich: digits, not -5e-05
    longitude = VOLUNTEERS.column("longitude")
    for value in (-0.00005, 0.000123456789, 51.50735, -179.999999):
        assert parse_cell(longitude, format_float(value)) == value


def test_a_file_with_bom_blank_rows_and_a_multi_line_cell_keeps_spreadsheet_line_numbers() -> None:
    text = (
        "parent_ref,volunteer_email,occurred_at,mode,duration_min,successful,wellbeing,"
        "bonding,concerns,coordinator_today,notes,status\r\n"
        'P1,a@example.org,2026-11-02T10:00,phone,,yes,,,,,"two\nlines",submitted\r\n'
        ",,,,,,,,,,,\r\n"
        "P1,a@example.org,2026-11-02T11:00,phone,,maybe,9,,,,,submitted\r\n"
    )
    problems = Problems()
    parsed = read_file(CHECKINS, b"\xef\xbb\xbf" + text.encode(), problems)
    assert [row.line for row in parsed.rows] == [2, 4]
    assert parsed.rows[0].get("notes") == "two\nlines"
    assert [str(p) for p in problems.sorted()] == [
        'checkins.csv:4: successful: "maybe" must be yes or no',
        "checkins.csv:4: wellbeing: 9 is out of range: it must be from 1 to 5",
    ]


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("last", ["", "end"])
def test_every_line_ending_reads_the_same_rows(ending: str, last: str) -> None:
    """The reader splits lines itself (no StringIO copy of the file): \n, \r\n and the old
    Mac \r all end a row, a quoted cell keeps its line break, the last line may lack one."""
    lines = [
        "parent_ref,volunteer_email,occurred_at,mode,successful,notes,status",
        'P1,a@example.org,2026-11-02T10:00,phone,yes,"two\nlines",submitted',
        "P2,b@example.org,2026-11-02T11:00,video,no,x\x0cy,draft",
    ]
    text = ending.join(lines) + ("" if last else ending)
    problems = Problems()
    parsed = read_file(CHECKINS, text.encode(), problems)
    assert not problems
    assert [(row.line, row.get("parent_ref"), row.get("notes")) for row in parsed.rows] == [
        (2, "P1", "two\nlines"),
        (3, "P2", "x\x0cy"),
    ]


def test_repeated_cells_are_read_once_and_problems_still_reported_on_every_row() -> None:
    header = "parent_ref,volunteer_email,occurred_at,mode,successful,wellbeing,status\n"
    rows = "".join(
        f"P1,A@example.org,2026-11-02T10:00,phone,yes,{wellbeing},submitted\n"
        for wellbeing in ("9", "2", "9", "2")
    )
    problems = Problems()
    parsed = read_file(CHECKINS, (header + rows).encode(), problems)
    assert [str(p) for p in problems.sorted()] == [
        f"checkins.csv:{line}: wellbeing: 9 is out of range: it must be from 1 to 5"
        for line in (2, 4)
    ]
    first, second, third, fourth = parsed.rows
    assert first.get("volunteer_email") == "a@example.org"
    assert first.get("volunteer_email") is fourth.get("volunteer_email")  # held once
    assert first.get("occurred_at") is second.get("occurred_at")
    assert (first.bad, second.bad, third.bad) == ({"wellbeing"}, set(), {"wellbeing"})
    assert first.get("wellbeing") is None and second.get("wellbeing") == 2
    assert first.get("notes") is None  # not in the file


def test_header_problems() -> None:
    header = "parent_ref,Volunteer_Email ,started_on,ended_on,end_reason,notes,started_on\n"
    problems = Problems()
    read_file(ASSIGNMENTS, (header + "P1,a@example.org,2026-01-01,,,x,\n").encode(), problems)
    assert [str(p) for p in problems.sorted()] == [
        "assignments.csv:1: started_on: appears twice in the header",
        "assignments.csv:1: notes: unknown column: the columns are listed in the help",
    ]
    problems = Problems()
    read_file(ASSIGNMENTS, b"parent_ref,volunteer_emial,startedon\nP1,a@b.org,x\n", problems)
    assert [str(p) for p in problems.sorted()] == [
        "assignments.csv:1: volunteer_email: missing column",
        "assignments.csv:1: started_on: missing column",
        'assignments.csv:1: startedon: unknown column: did you mean "started_on"?',
        'assignments.csv:1: volunteer_emial: unknown column: did you mean "volunteer_email"?',
    ]


def test_latin1_bytes_are_reported_per_cell() -> None:
    data = (
        "email,first_name,last_name,postcode,latitude,longitude,languages,stages,tags,"
        "max_caseload,availability,travel_km,remote_only,training_completed_on,"
        "dbs_checked_on,dbs_expires_on,status\n"
        "zoe@example.org,Zoë,Brontë,,,,,,,,,,,,,,\n"
    ).encode("latin-1")
    problems = Problems()
    read_file(VOLUNTEERS, data, problems)
    utf8 = 'is not UTF-8 text: save the file as "CSV UTF-8" and try again'
    assert [str(p) for p in problems.sorted()] == [
        f"volunteers.csv:2: first_name: {utf8}",
        f"volunteers.csv:2: last_name: {utf8}",
    ]


def test_rows_checked_together() -> None:
    problems = Problems()
    files = {
        PARENTS.name: read_file(
            PARENTS,
            (
                b"ref,first_name,last_name,email,phone,postcode,latitude,longitude,languages,"
                b"due_date,birth_date,tags,contact_mode,availability,referral_source,"
                b"referred_on,consent_on,high_risk,closed_on,close_reason\n"
                b"P1,Ann,,,,,51.5,,,,,,,,,2026-05-01,,,2026-04-01,\n"
                b"P1,Bea,,,,,,,,,,,,,,2026-05-01,,,,Moved\n"
            ),
            problems,
        )
    }
    check_rows(files, problems)
    assert [str(p) for p in problems.sorted()] == [
        "parents.csv:2: longitude: is empty but latitude is given: give both",
        "parents.csv:2: closed_on: is before referred_on (2026-05-01)",
        "parents.csv:3: ref: the same ref is also on line 2",
        "parents.csv:3: close_reason: is given but closed_on is empty",
    ]


def test_a_file_saved_with_semicolons_gets_one_clear_problem() -> None:
    problems = Problems()
    data = b"parent_ref;volunteer_email;started_on;ended_on;end_reason\nP1;a@b.org;2026-01-01;;\n"
    parsed = read_file(ASSIGNMENTS, data, problems)
    assert parsed.rows == []
    assert [str(p) for p in problems.sorted()] == [
        "assignments.csv:1: header: the columns are separated by ; not by commas: save the "
        'file as "CSV UTF-8 (comma delimited)"'
    ]


def test_an_empty_file_needs_a_header() -> None:
    problems = Problems()
    read_file(CHECKINS, b"\xef\xbb\xbf\r\n", problems)
    assert [str(p) for p in problems.sorted()] == [
        "checkins.csv:1: header: the first row must name the columns (it is empty)"
    ]


def test_cells_beyond_the_header_are_problems() -> None:
    problems = Problems()
    data = (
        b"parent_ref,volunteer_email,started_on,ended_on,end_reason\n"
        b"P1,a@b.org,2026-01-01,,,oops\n"
        b"P2,a@b.org,2026-01-01,,,\n"
    )
    parsed = read_file(ASSIGNMENTS, data, problems)
    assert len(parsed.rows) == 2
    assert [str(p) for p in problems.sorted()] == [
        "assignments.csv:2: column 6: has a value but no column name in row 1"
    ]


def test_utf16_and_nul_bytes_are_not_text() -> None:
    header = "parent_ref,volunteer_email,started_on,ended_on,end_reason\n"
    problems = Problems()
    read_file(ASSIGNMENTS, (header + "P1,a@b.org,2026-01-01,,\n").encode("utf-16"), problems)
    assert [str(p) for p in problems.sorted()] == [
        'assignments.csv:1: header: is not UTF-8 text: save the file as "CSV UTF-8" and try '
        "again (this looks like UTF-16)"
    ]
    problems = Problems()
    data = header.encode() + b"x" * 5000 + b",a@b.org,2026-01-01,,\nP\x001,a@b.org,2026-01-02,,\n"
    read_file(ASSIGNMENTS, data, problems)
    assert [str(p) for p in problems.sorted()] == [
        "assignments.csv:2: parent_ref: is too long (5000 characters): at most 40 fit",
        'assignments.csv:3: parent_ref: is not UTF-8 text: save the file as "CSV UTF-8" and '
        "try again",
    ]


def test_times_without_an_offset_are_in_the_service_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(timeutil, "_service_zone", "America/New_York")
    instant = datetime(2026, 11, 2, 19, 30, tzinfo=UTC)
    assert parse_instant("2026-11-02T14:30") == instant
    assert format_instant(instant) == "2026-11-02T14:30"
    with pytest.raises(CellProblem) as skipped:
        parse_instant("2026-03-08T02:30")
    assert "does not exist in America/New_York" in str(skipped.value)
