"""A charity's own short spreadsheet: only the key columns, dates the UK way, whole seconds."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, Parent, User, VolunteerProfile
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import (
    NOW,
    make_area,
    make_case,
    make_checkin,
    make_parent,
    make_volunteer,
)
from tests.spreadsheets.data import table_counts


def run_import(session: SessionLike, files: dict[str, str]) -> list[str]:
    result = import_spreadsheets(session, NOW, {n: c.encode() for n, c in files.items()})
    session.commit()
    return [str(problem) for problem in result.problems]


SHORT = {
    "volunteers.csv": "email,first_name\nAmira@Example.org,Amira\n",
    "parents.csv": "Ref,First_Name,due_date\nP1,Maria,15/01/2027\nP2,Sam,\n",
    "assignments.csv": "parent_ref,volunteer_email,started_on\nP1,amira@example.org,05/10/2026\n",
    "checkins.csv": (
        "parent_ref,volunteer_email,occurred_at,mode,successful,status\n"
        "P1,amira@example.org,20/10/2026 14:30,phone,yes,submitted\n"
    ),
}


def test_files_with_only_the_key_columns_import(session: SessionLike) -> None:
    assert run_import(session, SHORT) == []

    amira = session.scalar(select(User).where(User.email == "amira@example.org"))
    assert amira is not None and amira.last_name == ""
    profile = amira.volunteer_profile
    assert profile is not None
    # every column left out is not known, or its documented default
    assert (profile.postcode, profile.languages, profile.stages, profile.area_id) == (
        None,
        [],
        [],
        None,
    )
    assert (profile.max_caseload, profile.remote_only, profile.status) == (3, False, "active")

    cases = {p.ref: c for p, c in session.execute(select(Parent, Case).join(Case.parent))}
    maria = cases["P1"].parent
    assert maria.due_date == date(2027, 1, 15)  # 15/01/2027: the UK way, day first
    assert (maria.last_name, maria.email, maria.consent_on, maria.consent_method) == (
        "",
        None,
        None,
        None,
    )
    # no referral date: the day of the import (NOW is 2 November 2026, GMT)
    assert maria.referred_on == date(2026, 11, 2)
    assert cases["P1"].referred_at == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert cases["P1"].status == "active"  # its assignment has no ended_on column: open
    assert (cases["P2"].status, cases["P2"].high_risk, cases["P2"].owner_id) == (
        "waiting",
        False,
        None,
    )
    assert cases["P2"].parent.due_date is None

    assignment = session.scalar(select(Assignment))
    assert assignment is not None
    assert (assignment.started_at, assignment.ended_at) == (
        datetime(2026, 10, 4, 23, 0, tzinfo=UTC),  # 00:00 BST on 5 October
        None,
    )
    checkin = session.scalar(select(CheckIn))
    assert checkin is not None
    assert checkin.occurred_at == datetime(2026, 10, 20, 13, 30, tzinfo=UTC)  # 14:30 BST
    assert (checkin.duration_min, checkin.wellbeing, checkin.whooley_down) == (None, None, None)
    assert (checkin.topics, checkin.concerns, checkin.notes) == ([], [], "")
    assert checkin.coordinator_today is False


def test_the_key_columns_are_still_needed(session: SessionLike) -> None:
    before = table_counts(session)
    files = {
        "volunteers.csv": "first_name,last_name\nAmira,Khan\n",
        "parents.csv": "ref,due_date\nP1,2027-01-15\n",
        "assignments.csv": "parent_ref,started_on\nP1,2026-10-05\n",
        "checkins.csv": "parent_ref,volunteer_email,mode\nP1,a@example.org,phone\n",
    }
    assert run_import(session, files) == [
        "volunteers.csv:1: email: missing column",
        "parents.csv:1: first_name: missing column",
        "assignments.csv:1: volunteer_email: missing column",
        "checkins.csv:1: occurred_at: missing column",
        "checkins.csv:1: successful: missing column",
        "checkins.csv:1: status: missing column",
    ]
    assert table_counts(session) == before


def test_a_column_left_out_leaves_an_existing_volunteer_as_they_are(
    session: SessionLike,
) -> None:
    """Re-importing updates volunteers: only the columns the file has are changed; a column
    that is there but empty empties that detail."""
    bath = make_area(session, "Bath")
    make_volunteer(
        session,
        area=bath,
        user_kw={"email": "amira@example.org", "first_name": "Amira", "last_name": "Khan"},
        postcode="BS1 4DJ",
        languages=["en", "ur"],
        stages=["pregnancy"],
        max_caseload=5,
        travel_km=12.5,
        dbs_expires_on=date(2028, 1, 5),
        status="paused",
    )
    session.commit()
    files = {"volunteers.csv": "email,first_name,postcode,travel_km\namira@example.org,Ami,,4\n"}
    assert run_import(session, files) == []
    user = session.scalar(select(User).where(User.email == "amira@example.org"))
    assert user is not None
    session.refresh(user)
    profile = session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id))
    assert profile is not None
    session.refresh(profile)
    assert (user.first_name, user.last_name) == ("Ami", "Khan")  # no last_name column: kept
    assert (profile.postcode, profile.travel_km) == (None, 4)  # given: empty, and 4
    # left out: as they were
    assert (profile.languages, profile.stages, profile.max_caseload) == (
        ["en", "ur"],
        ["pregnancy"],
        5,
    )
    assert (profile.dbs_expires_on, profile.status, profile.area_id) == (
        date(2028, 1, 5),
        "paused",
        bath.id,
    )


def test_dates_the_us_way_are_refused_with_the_fix(session: SessionLike) -> None:
    make_case(session, make_parent(session, ref="R-1"))
    session.commit()
    before = table_counts(session)
    files = {
        "parents.csv": "ref,first_name,due_date,referred_on\nP1,Maria,01/15/2027,2026-10-01\n",
        "volunteers.csv": "email,first_name,dbs_checked_on\nv@example.org,Vi,10/30/2025\n",
        "checkins.csv": (
            "parent_ref,volunteer_email,occurred_at,mode,successful,status\n"
            "R-1,v@example.org,10/20/2026 14:30,phone,yes,submitted\n"
        ),
    }
    assert run_import(session, files) == [
        'volunteers.csv:2: dbs_checked_on: "10/30/2025" has the month first (US order): '
        "write the day first, 30/10/2025, or 2025-10-30",
        'parents.csv:2: due_date: "01/15/2027" has the month first (US order): write the day '
        "first, 15/01/2027, or 2027-01-15",
        'checkins.csv:2: occurred_at: "10/20/2026 14:30" has the month first (US order): '
        "write the day first, 20/10/2026, or 2026-10-20",
    ]
    assert table_counts(session) == before


def test_an_empty_referral_date_is_the_day_of_the_import(session: SessionLike) -> None:
    files = {
        "parents.csv": "ref,first_name,last_name,referred_on\nP1,Ann,Lee,\nP2,Bea,,01/10/2026\n"
    }
    assert run_import(session, files) == []
    referred = {ref: on for ref, on in session.execute(select(Parent.ref, Parent.referred_on))}
    assert referred == {"P1": date(2026, 11, 2), "P2": date(2026, 10, 1)}


def test_a_check_in_recorded_to_the_microsecond_is_a_repeat_of_its_exported_row(
    session: SessionLike,
) -> None:
    """Export writes times to the second; importing the file again is still refused."""
    volunteer = make_volunteer(session, user_kw={"email": "vi@example.org"})
    case = make_case(session, make_parent(session, ref="R-1"))
    make_checkin(
        session, case, volunteer, occurred_at=datetime(2026, 10, 20, 13, 0, 5, 250000, tzinfo=UTC)
    )
    session.commit()
    exported = export_spreadsheets(session).files["checkins.csv"].decode("utf-8-sig")
    assert "R-1,vi@example.org,2026-10-20T14:00:05,phone," in exported
    before = table_counts(session)
    assert run_import(session, {"checkins.csv": exported}) == [
        "checkins.csv:2: occurred_at: the same check-in (parent, volunteer, time and status) "
        "is already in Corner"
    ]
    assert table_counts(session) == before
