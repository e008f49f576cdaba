"""The import service on a real database: what it writes, and broken files writing nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import (
    Area,
    AuditEvent,
    Case,
    CheckIn,
    Parent,
    User,
    VolunteerProfile,
)
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import NOW, make_assignment, make_case, make_parent, make_user, make_volunteer
from tests.spreadsheets.data import (
    COORDINATOR,
    GOOD,
    encoded,
    replace,
    table_counts,
    wipe,
)

Files = dict[str, str]


@pytest.fixture
def coordinator(session: SessionLike) -> User:
    user = make_user(session, "coordinator", email=COORDINATOR)
    session.commit()
    return user


def run_import(session: SessionLike, files: dict[str, str] | dict[str, bytes]) -> list[str]:
    data = {n: (c.encode() if isinstance(c, str) else c) for n, c in files.items()}
    result = import_spreadsheets(session, NOW, data)
    session.commit()  # whatever the service added would now be stored
    return [str(problem) for problem in result.problems]


def drop_column(text: str, name: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    index = rows[0].index(name)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [cell for i, cell in enumerate(row) if i != index] for row in rows
    )
    return out.getvalue()


def add_column(text: str, name: str, value: str) -> str:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [*row, name if n == 0 else value] for n, row in enumerate(rows)
    )
    return out.getvalue()


def edit(name: str, old: str, new: str) -> Callable[[Files], None]:
    def change(files: Files) -> None:
        files[name] = replace(files[name], old, new)

    return change


NOT_UTF8 = 'is not UTF-8 text: save the file as "CSV UTF-8" and try again'

BROKEN: dict[str, tuple[list[Callable[[Files], None]], list[str]]] = {
    "wrong and impossible dates": (
        [
            edit("volunteers.csv", "2025-01-10", "01/30/2025"),
            edit("parents.csv", "2027-01-15", "2027-02-30"),
            edit("assignments.csv", "2026-08-02", "2026-8-2"),
        ],
        [
            'volunteers.csv:2: training_completed_on: "01/30/2025" has the month first (US '
            "order): write the day first, 30/01/2025, or 2025-01-30",
            'parents.csv:2: due_date: "2027-02-30" is not a real date',
            'assignments.csv:4: started_on: "2026-8-2" is not a date: write it as YYYY-MM-DD '
            "or DD/MM/YYYY, like 2026-11-02 or 02/11/2026",
        ],
    ),
    "implausible dates (the forms' bounds, app.dates)": (
        [
            edit("parents.csv", "pl;en,2027-01-15", "pl;en,2028-01-15"),
            edit("parents.csv", "2026-06-01,2026-06-03", "2026-06-01,2027-06-03"),
            edit(
                "parents.csv",
                "P004,Ana,,,,,,,,,,,,,,2026-11-01",
                "P004,Ana,,,,,,,,,,,,,,2026-12-01",
            ),
            # a closed case's old dates are history: P003's stay accepted
            edit("parents.csv", "2025-12-01,2025-11-28", "2020-12-01,2020-11-28"),
        ],
        [
            "parents.csv:2: due_date: 2028-01-15 is not a plausible date: enter a due date "
            "between 2 November 2025 and 2 September 2027",
            "parents.csv:3: birth_date: 2027-06-03 is not a plausible date: enter a date of "
            "birth between 2 November 2023 and today",
            "parents.csv:5: referred_on: 2026-12-01 is not a plausible date: enter a referral "
            "date between 2 November 2021 and today",
        ],
    ),
    "bad booleans": (
        [
            edit("volunteers.csv", "yes,,,,paused", "true,,,,paused"),
            edit("checkins.csv", ",yes,Tired,", ",Y,Tired,"),
        ],
        [
            'volunteers.csv:3: remote_only: "true" must be yes or no',
            'checkins.csv:3: coordinator_today: "Y" must be yes or no',
        ],
    ),
    "unknown volunteer and unknown parent": (
        [
            edit("assignments.csv", "P003,tom.ng@example.org", "P009,tom.ng@exmaple.org"),
            edit("checkins.csv", "P002,zoe.brown@example.org", "P002,coord@example.org"),
        ],
        [
            "assignments.csv:5: parent_ref: no parent has the ref P009 (neither in parents.csv "
            "nor in Corner)",
            "assignments.csv:5: volunteer_email: no volunteer has the email tom.ng@exmaple.org "
            "(neither in volunteers.csv nor in Corner)",
            "checkins.csv:4: volunteer_email: coord@example.org is a coordinator account, "
            "not a volunteer",
        ],
    ),
    "duplicate ref in the file": (
        [edit("parents.csv", "P004,Ana", "P002,Ana")],
        ["parents.csv:5: ref: the same ref is also on line 3"],
    ),
    "missing required columns": (
        [
            lambda files: files.update({"parents.csv": drop_column(files["parents.csv"], "ref")}),
            lambda files: files.update(
                {"checkins.csv": drop_column(files["checkins.csv"], "occurred_at")}
            ),
        ],
        [
            "parents.csv:1: ref: missing column",
            "checkins.csv:1: occurred_at: missing column",
        ],
    ),
    "unknown extra column": (
        [
            lambda files: files.update(
                {"volunteers.csv": add_column(files["volunteers.csv"], "nickname", "Ami")}
            ),
            lambda files: files.update(
                {"parents.csv": add_column(files["parents.csv"], "due_dat", "")}
            ),
        ],
        [
            "volunteers.csv:1: nickname: unknown column: the columns are listed in the help",
            'parents.csv:1: due_dat: unknown column: did you mean "due_date"?',
        ],
    ),
    "wrong list values": (
        [
            edit("volunteers.csv", "pregnancy;birth;postnatal", "pregnancy;birth;toddler"),
            edit("volunteers.csv", "mon-am;wed-pm;fri-eve", "mon-am;wednesday-pm"),
            edit("checkins.csv", "low_mood;feeding", "low_mood;sad"),
        ],
        [
            'volunteers.csv:2: stages: "toddler" not allowed: use pregnancy, birth, postnatal, '
            "separated by ;",
            'volunteers.csv:2: availability: "wednesday-pm" not allowed: use mon-am, mon-pm, '
            "… (see the help), separated by ;",
            'checkins.csv:3: concerns: "sad" not allowed: use low_mood, anxiety, self_harm, '
            "safeguarding, domestic_abuse, feeding, money_housing, separated by ;",
        ],
    ),
    "two open assignments and an end before the start": (
        [
            edit("assignments.csv", "2026-06-10,2026-08-01,Volunteer paused", "2026-06-10,,"),
            edit("assignments.csv", "2025-10-20,2026-09-30", "2025-10-20,2025-10-01"),
        ],
        [
            "assignments.csv:4: ended_on: is empty, but parent P002 already has an open "
            "assignment on line 3: a parent has one volunteer at a time",
            "assignments.csv:5: ended_on: is before started_on (2025-10-20)",
        ],
    ),
    "open assignment on a closed case": (
        [edit("assignments.csv", "2025-10-20,2026-09-30,Case closed", "2025-10-20,,")],
        [
            "assignments.csv:5: ended_on: is empty, but the case of parent P003 is closed "
            "(closed_on in parents.csv): give the date the assignment ended",
        ],
    ),
    "scores out of range": (
        [edit("checkins.csv", "yes,2,3,low_mood", "yes,6,0,low_mood")],
        [
            "checkins.csv:3: wellbeing: 6 is out of range: it must be from 1 to 5",
            "checkins.csv:3: bonding: 0 is out of range: it must be from 1 to 5",
        ],
    ),
    "a coordinator's email as a volunteer": (
        [edit("volunteers.csv", "tom.ng@example.org,Tom", "coord@example.org,Tom")],
        [
            "volunteers.csv:4: email: coord@example.org is a coordinator account, not a volunteer",
            "assignments.csv:5: volunteer_email: no volunteer has the email tom.ng@example.org "
            "(neither in volunteers.csv nor in Corner)",
            "checkins.csv:7: volunteer_email: no volunteer has the email tom.ng@example.org "
            "(neither in volunteers.csv nor in Corner)",
        ],
    ),
    "unknown coordinator": (
        [edit("parents.csv", "Bristol,coord@example.org", "Bristol,nobody@example.org")],
        ["parents.csv:2: coordinator_email: no account has the email nobody@example.org"],
    ),
    "empty required cell and a time that does not exist": (
        [
            edit("volunteers.csv", "tom.ng@example.org,Tom,", "tom.ng@example.org,,"),
            edit("checkins.csv", "2026-03-29T03:15:20", "2026-03-29T01:15"),
        ],
        [
            "volunteers.csv:4: first_name: is empty: every row needs one",
            'checkins.csv:7: occurred_at: "2026-03-29T01:15" does not exist in Europe/London: '
            "the clocks went forward then",
        ],
    ),
    "a closed case without its referral date": (
        [edit("parents.csv", "in_person,,Self,2025-10-15,", "in_person,,Self,,")],
        ["parents.csv:4: referred_on: is not given but closed_on is: give both"],
    ),
    "too long and not an email": (
        [
            edit("parents.csv", "P002,Sam", "P002-" + "X" * 40 + ",Sam"),
            edit("parents.csv", "jo@example.org", "jo at example.org"),
        ],
        [
            "parents.csv:3: ref: is too long (45 characters): at most 40 fit",
            'parents.csv:4: email: "jo at example.org" is not an email address',
            # the rows that name P002 now name a parent that is not there
            "assignments.csv:3: parent_ref: no parent has the ref P002 (neither in parents.csv "
            "nor in Corner)",
            "assignments.csv:4: parent_ref: no parent has the ref P002 (neither in parents.csv "
            "nor in Corner)",
            "checkins.csv:3: parent_ref: no parent has the ref P002 (neither in parents.csv "
            "nor in Corner)",
            "checkins.csv:4: parent_ref: no parent has the ref P002 (neither in parents.csv "
            "nor in Corner)",
        ],
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_broken_files_import_nothing_and_say_every_problem(
    session: SessionLike, coordinator: User, case: str
) -> None:
    changes, expected = BROKEN[case]
    files = dict(GOOD)
    for change in changes:
        change(files)
    before = table_counts(session)
    assert run_import(session, files) == expected
    assert table_counts(session) == before


def test_latin1_file_imports_nothing(session: SessionLike, coordinator: User) -> None:
    files: dict[str, bytes] = encoded(GOOD)
    files["parents.csv"] = replace(GOOD["parents.csv"], "P001,Maria", "P001,Mária").encode(
        "latin-1"
    )
    before = table_counts(session)
    assert run_import(session, files) == [f"parents.csv:2: first_name: {NOT_UTF8}"]
    assert table_counts(session) == before


def test_ref_already_in_corner_imports_nothing(session: SessionLike, coordinator: User) -> None:
    make_case(session, make_parent(session, ref="P003"))
    session.commit()
    before = table_counts(session)
    assert run_import(session, dict(GOOD)) == [
        "parents.csv:4: ref: P003 is already in Corner: import adds new parents only "
        "(change existing parents in Corner)"
    ]
    assert table_counts(session) == before


def test_unknown_file_name_imports_nothing(session: SessionLike) -> None:
    before = table_counts(session)
    files = {"volunteer.csv": GOOD["volunteers.csv"]}
    assert run_import(session, files) == [
        "volunteer.csv:1: file: unknown file name: use volunteers.csv, parents.csv, "
        "assignments.csv, checkins.csv"
    ]
    assert table_counts(session) == before


def test_good_files_are_imported_as_written(session: SessionLike, coordinator: User) -> None:
    before = table_counts(session)
    result = import_spreadsheets(session, NOW, encoded(GOOD), actor_id=None, ip="127.0.0.1")
    assert result.ok, result.problems
    session.commit()
    counts = table_counts(session)
    assert counts["users"] == before["users"] + 3
    assert counts["volunteer_profiles"] == 3
    assert counts["parents"] == 4
    assert counts["cases"] == 4
    assert counts["assignments"] == 4
    assert counts["checkins"] == 6
    assert counts["areas"] == 2  # Bristol (also spelt bristol) and South Glos
    # importing raises no flags and sends no email
    assert counts["escalation_flags"] == 0
    assert counts["outbox_emails"] == 0
    assert counts["invitations"] == 0

    amira = session.scalar(select(User).where(User.email == "amira.khan@example.org"))
    assert amira is not None
    assert (amira.role, amira.password_hash, amira.active) == ("volunteer", None, True)
    profile = amira.volunteer_profile
    assert profile is not None
    assert profile.postcode == "BS1 4DJ"
    assert (profile.latitude, profile.longitude) == (51.4545, -2.5879)
    assert profile.languages == ["en", "ur"]
    assert profile.stages == ["pregnancy", "birth", "postnatal"]
    assert profile.availability == ["mon-am", "wed-pm", "fri-eve"]
    assert (profile.max_caseload, profile.travel_km, profile.remote_only) == (4, 12.5, False)
    assert profile.dbs_expires_on == date(2028, 1, 5)
    assert profile.area is not None and profile.area.name == "Bristol"
    zoe = session.scalar(select(VolunteerProfile).join(User).where(User.first_name == "Zoë"))
    assert zoe is not None
    assert (zoe.status, zoe.max_caseload, zoe.remote_only, zoe.area_id) == (
        "paused",
        3,
        True,
        None,
    )
    tom = session.scalar(select(VolunteerProfile).join(User).where(User.first_name == "Tom"))
    assert tom is not None and tom.area_id == profile.area_id  # "bristol" is Bristol

    cases = {
        parent.ref: case for parent, case in session.execute(select(Parent, Case).join(Case.parent))
    }
    p1 = cases["P001"]
    assert (p1.status, p1.high_risk, p1.owner_id) == ("active", True, coordinator.id)
    assert p1.parent.phone == "+44 7700 900123"  # the ' that stops formulas is taken off
    assert p1.parent.referred_on == date(2026, 10, 1)
    assert p1.referred_at == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)  # 00:00 BST
    assert p1.area is not None and p1.area.name == "Bristol" and p1.parent.area == p1.area
    assert cases["P002"].status == "active"
    assert cases["P002"].referred_at == datetime(2026, 5, 19, 23, 0, tzinfo=UTC)
    p3 = cases["P003"]
    assert (p3.status, p3.close_reason) == ("closed", "Moved away")
    assert p3.closed_at == datetime(2026, 9, 29, 23, 0, tzinfo=UTC)
    p4 = cases["P004"]
    assert (p4.status, p4.high_risk, p4.owner_id, p4.area_id) == ("waiting", False, None, None)
    assert p4.referred_at == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)  # 00:00 GMT
    assert p4.parent.last_name == "" and p4.parent.languages == []

    p2_assignments = sorted(cases["P002"].assignments, key=lambda a: a.started_at)
    assert [(a.started_at, a.ended_at, a.end_reason) for a in p2_assignments] == [
        (
            datetime(2026, 6, 9, 23, 0, tzinfo=UTC),
            datetime(2026, 7, 31, 23, 0, tzinfo=UTC),
            "Volunteer paused",
        ),
        (datetime(2026, 8, 1, 23, 0, tzinfo=UTC), None, None),
    ]

    checkins = {
        c.occurred_at: c for c in session.scalars(select(CheckIn).order_by(CheckIn.occurred_at))
    }
    assert sorted(checkins) == [
        datetime(2026, 3, 29, 2, 15, 20, tzinfo=UTC),  # 03:15:20 BST
        datetime(2026, 6, 20, 7, 0, tzinfo=UTC),  # 09:00+02:00
        datetime(2026, 7, 1, 13, 30, tzinfo=UTC),  # 14:30 BST
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 01:30+01:00
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 01:30+00:00
        datetime(2026, 11, 2, 14, 30, tzinfo=UTC),  # 14:30 GMT
    ]
    winter = checkins[datetime(2026, 11, 2, 14, 30, tzinfo=UTC)]
    assert winter.notes == "Talked about sleep, and feeding.\nFollow up on Friday."
    assert (winter.wellbeing, winter.bonding, winter.duration_min) == (4, None, 30)
    summer = checkins[datetime(2026, 7, 1, 13, 30, tzinfo=UTC)]
    assert (summer.concerns, summer.coordinator_today, summer.mode) == (
        ["low_mood", "feeding"],
        True,
        "video",
    )
    assert summer.created_at == summer.updated_at == summer.submitted_at == summer.occurred_at
    draft = checkins[datetime(2026, 10, 25, 0, 30, tzinfo=UTC)]
    assert (draft.status, draft.successful, draft.submitted_at) == ("draft", False, None)
    assert draft.updated_at == draft.occurred_at  # last touched when it happened
    deleted = checkins[datetime(2026, 10, 25, 1, 30, tzinfo=UTC)]
    assert (deleted.status, deleted.notes, deleted.deleted_at) == (
        "deleted",
        "=SUM(A1)",
        deleted.occurred_at,
    )

    events = list(session.scalars(select(AuditEvent)))
    assert [(e.action, e.ip, e.object_type) for e in events] == [
        ("spreadsheets.imported", "127.0.0.1", "import")
    ]
    assert events[0].detail == (
        "3 new volunteers, 0 volunteers updated, 4 parents, 4 assignments, 6 check-ins, 2 new areas"
    )
    assert result.counts.checkins == 6


def test_reimporting_volunteers_updates_their_profiles(
    session: SessionLike, coordinator: User
) -> None:
    assert run_import(session, {"volunteers.csv": GOOD["volunteers.csv"]}) == []
    users_before = table_counts(session)["users"]
    changed = replace(GOOD["volunteers.csv"], "Amira,Khan,bs1 4dj", "Amira,Khan-Ali,BS3 1AA")
    changed = replace(changed, "2028-01-05,active,Bristol", "2028-01-05,paused,Bath")
    result = import_spreadsheets(session, NOW, {"volunteers.csv": changed.encode()})
    assert result.ok and (result.counts.volunteers_created, result.counts.volunteers_updated) == (
        0,
        3,
    )
    session.commit()
    assert table_counts(session)["users"] == users_before
    amira = session.scalar(select(User).where(User.email == "amira.khan@example.org"))
    assert amira is not None and amira.volunteer_profile is not None
    session.refresh(amira)
    session.refresh(amira.volunteer_profile)
    assert amira.last_name == "Khan-Ali"
    assert amira.volunteer_profile.postcode == "BS3 1AA"
    assert amira.volunteer_profile.status == "paused"
    assert amira.volunteer_profile.area is not None
    assert amira.volunteer_profile.area.name == "Bath"
    # without an area column, the area stays as it is
    without_area = replace(changed, ",Bath\n", "\n")
    without_area = replace(without_area, ",status,area\n", ",status\n")
    without_area = without_area.replace(",Bristol\n", "\n").replace(",bristol\n", "\n")
    without_area = without_area.replace(",paused,\n", ",paused\n")
    assert run_import(session, {"volunteers.csv": without_area}) == []
    session.refresh(amira.volunteer_profile)
    assert amira.volunteer_profile.area is not None
    assert amira.volunteer_profile.area.name == "Bath"
    assert session.scalar(select(Area).where(Area.name == "Bath")) is not None


def test_importing_the_same_assignments_and_checkins_twice_is_refused(
    session: SessionLike, coordinator: User
) -> None:
    assert run_import(session, dict(GOOD)) == []
    before = table_counts(session)
    again = {name: GOOD[name] for name in ("assignments.csv", "checkins.csv")}
    assert run_import(session, again) == [
        f"assignments.csv:{line}: started_on: the same assignment is already in Corner"
        for line in (2, 3, 4, 5)
    ] + [
        f"checkins.csv:{line}: occurred_at: the same check-in (parent, volunteer, time and "
        "status) is already in Corner"
        for line in (2, 3, 4, 5, 7)  # line 6 is a deleted check-in: never a clash
    ]
    assert table_counts(session) == before


def test_rows_for_parents_already_in_corner_attach_to_their_case(
    session: SessionLike,
) -> None:
    volunteer = make_volunteer(session, user_kw={"email": "vol@example.org"})
    waiting = make_case(session, make_parent(session, ref="R-1"))
    make_case(session, make_parent(session, ref="R-2"), status="closed")
    busy = make_case(session, make_parent(session, ref="R-3"))
    make_assignment(session, busy, volunteer)
    session.commit()
    assignments = (
        "parent_ref,volunteer_email,started_on,ended_on,end_reason\n"
        "R-1,vol@example.org,2026-10-20,,\n"
        "R-2,vol@example.org,2026-10-20,,\n"
        "R-3,Vol@Example.org,2026-10-20,,\n"
    )
    assert run_import(session, {"assignments.csv": assignments}) == [
        "assignments.csv:3: ended_on: is empty, but the case of parent R-2 is closed in "
        "Corner: give the date the assignment ended",
        "assignments.csv:4: ended_on: is empty, but parent R-3 already has an open "
        "assignment in Corner: a parent has one volunteer at a time",
    ]
    checkins = (
        "parent_ref,volunteer_email,occurred_at,mode,duration_min,successful,wellbeing,"
        "bonding,concerns,coordinator_today,notes,status\n"
        "R-1,vol@example.org,2026-10-21T10:00,phone,20,yes,4,,,no,,submitted\n"
    )
    files = {"assignments.csv": assignments.splitlines()[0] + "\n" + assignments.splitlines()[1]}
    files["checkins.csv"] = checkins
    assert run_import(session, files) == []
    session.refresh(waiting)
    assert waiting.status == "active"
    assert [a.volunteer_id for a in waiting.assignments] == [volunteer.id]
    assert session.scalar(select(CheckIn.case_id).where(CheckIn.volunteer_id == volunteer.id)) == (
        waiting.id
    )


def test_what_the_scans_read_does_not_depend_on_when_the_import_ran(
    session: SessionLike, coordinator: User
) -> None:
    def snapshot() -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        checkins = session.execute(
            select(
                CheckIn.occurred_at,
                CheckIn.status,
                CheckIn.successful,
                CheckIn.wellbeing,
                CheckIn.created_at,
                CheckIn.updated_at,
                CheckIn.submitted_at,
                CheckIn.deleted_at,
            ).order_by(CheckIn.occurred_at)
        ).all()
        cases = session.execute(
            select(Parent.ref, Case.status, Case.referred_at, Case.closed_at, Case.high_risk)
            .join(Case.parent)
            .order_by(Parent.ref)
        ).all()
        return [tuple(r) for r in checkins], [tuple(r) for r in cases]

    assert import_spreadsheets(session, NOW, encoded(GOOD)).ok
    session.commit()
    first = snapshot()
    wipe(session)
    make_user(session, "coordinator", email=COORDINATOR)
    # later, but not so late that the open parents' dates stop being plausible (app.dates)
    assert import_spreadsheets(session, NOW + timedelta(days=60), encoded(GOOD)).ok
    session.commit()
    assert snapshot() == first
