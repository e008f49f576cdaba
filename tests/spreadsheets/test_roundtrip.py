"""Export → import into an empty database → export gives byte-identical files."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from app.extensions import SessionLike
from app.models import Case
from app.spreadsheets.exporter import export_spreadsheets
from app.spreadsheets.importer import import_spreadsheets
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.spreadsheets.data import (
    COORDINATOR,
    GOOD,
    consent_and_answers,
    encoded,
    table_counts,
    wipe,
)


def export(session: SessionLike) -> dict[str, bytes]:
    return export_spreadsheets(session).files


def import_into_empty_database(session: SessionLike, files: dict[str, bytes]) -> None:
    """Empty every table, add the coordinator account the files name, import, commit."""
    wipe(session)
    assert set(table_counts(session).values()) == {0}
    make_user(session, "coordinator", email=COORDINATOR)
    result = import_spreadsheets(session, NOW, files)
    assert result.ok, [str(p) for p in result.problems]
    session.commit()


def test_imported_files_export_in_the_documented_format(session: SessionLike) -> None:
    make_user(session, "coordinator", email=COORDINATOR)
    assert import_spreadsheets(session, NOW, encoded(GOOD)).ok
    session.commit()
    files = export(session)
    assert sorted(files) == ["assignments.csv", "checkins.csv", "parents.csv", "volunteers.csv"]
    assert all(data.startswith(b"\xef\xbb\xbf") for data in files.values())
    assert files["checkins.csv"].decode("utf-8-sig") == (
        "parent_ref,volunteer_email,occurred_at,mode,duration_min,successful,wellbeing,bonding,"
        "whooley_down,whooley_interest,topics,concerns,coordinator_today,notes,status\r\n"
        "P001,amira.khan@example.org,2026-10-25T01:30+01:00,text,,no,,,,,,,no,,draft\r\n"
        "P001,amira.khan@example.org,2026-10-25T01:30+00:00,text,5,yes,3,,,,,anxiety,no,"
        "'=SUM(A1),deleted\r\n"
        "P001,amira.khan@example.org,2026-11-02T14:30,phone,30,yes,4,,,,,,no,"
        '"Talked about sleep, and feeding.\nFollow up on Friday.",submitted\r\n'
        "P002,zoe.brown@example.org,2026-06-20T08:00,in_person,60,no,,,,,,,no,,submitted\r\n"
        "P002,amira.khan@example.org,2026-07-01T14:30,video,45,yes,2,3,,,,low_mood;feeding,"
        "yes,Tired,submitted\r\n"
        "P003,tom.ng@example.org,2026-03-29T03:15:20,phone,20,yes,5,5,,,,,no,,submitted\r\n"
    )
    assert files["assignments.csv"].decode("utf-8-sig") == (
        "parent_ref,volunteer_email,started_on,ended_on,end_reason\r\n"
        "P001,amira.khan@example.org,2026-10-05,,\r\n"
        "P002,amira.khan@example.org,2026-08-02,,\r\n"
        "P002,zoe.brown@example.org,2026-06-10,2026-08-01,Volunteer paused\r\n"
        "P003,tom.ng@example.org,2025-10-20,2026-09-30,Case closed\r\n"
    )
    parents = files["parents.csv"].decode("utf-8-sig").split("\r\n")
    assert parents[1] == (
        "P001,Maria,Nowak,maria@example.org,'+44 7700 900123,BS2 0JA,51.46,-2.58,pl;en,"
        "2027-01-15,,young_parent,phone,mon-am;tue-pm,Midwife,2026-10-01,2026-10-01,,,yes,,,"
        "Bristol,coord@example.org,,,,,"
    )
    assert parents[3] == (
        'P003,"Jo, Jr",Smith,jo@example.org,,,,,,2025-12-01,2025-11-28,,in_person,,Self,'
        "2025-10-15,,,,no,2026-09-30,Moved away,South Glos,,,,,,"
    )
    volunteers = files["volunteers.csv"].decode("utf-8-sig").split("\r\n")
    assert volunteers[1] == (
        "amira.khan@example.org,Amira,Khan,BS1 4DJ,51.4545,-2.5879,en;ur,"
        "pregnancy;birth;postnatal,twins;nicu,4,mon-am;wed-pm;fri-eve,12.5,no,2025-01-10,,"
        "2025-01-05,2028-01-05,active,Bristol"
    )
    assert volunteers[3] == "zoe.brown@example.org,Zoë,Brown,,,,en,postnatal,,3,,,yes,,,,,paused,"

    import_into_empty_database(session, files)
    assert export(session) == files


def test_corner_data_round_trips_byte_for_byte(session: SessionLike) -> None:
    """Data as Corner itself writes it: instants at any time of day, seconds, odd text."""
    coordinator = make_user(session, "coordinator", email=COORDINATOR)
    bath = make_area(session, "Bath & North East Somerset")
    ana = make_volunteer(
        session,
        area=bath,
        user_kw={"email": "ana@example.org", "first_name": "Ana-María", "last_name": "D'Souza"},
        latitude=51.380001,
        longitude=-2.359999,
        travel_km=7.25,
        training_expires_on=date(2027, 1, 10),
        tags=["birth_trauma", "baby_loss"],
        languages=["en", "es"],
    )
    ben = make_volunteer(
        session,
        user_kw={"email": "ben@example.org", "first_name": "=Ben", "last_name": ""},
        postcode=None,
        languages=[],
        stages=[],
        availability=[],
        travel_km=None,
        remote_only=True,
        training_completed_on=None,
        dbs_checked_on=None,
        dbs_expires_on=None,
        status="left",
    )
    summer = make_case(
        session,
        make_parent(
            session,
            area=bath,
            ref="B-0001",
            first_name="Chloé",
            last_name="Ng",
            email="chloe@example.org",
            phone="+44 117 496 0000",
            tags=["twins"],
            availability=["sat-am", "sun-eve"],
            contact_mode="in_person",
            referral_source='Midwife, "St Michael\'s"',
            referred_on=date(2026, 6, 15),
            birth_date=date(2026, 8, 30),
        ),
        owner=coordinator,
        high_risk=True,
        referred_at=datetime(2026, 6, 15, 13, 5, tzinfo=UTC),
    )
    make_assignment(
        session,
        summer,
        ben,
        started_at=datetime(2026, 6, 20, 9, 15, tzinfo=UTC),
        ended_at=datetime(2026, 7, 1, 22, 30, tzinfo=UTC),  # 23:30 BST: still 1 July
    )
    make_assignment(session, summer, ana, started_at=datetime(2026, 7, 2, 8, 0, tzinfo=UTC))
    winter = make_case(
        session,
        make_parent(session, ref="A-0002", due_date=None, referred_on=date(2025, 12, 1)),
        status="closed",
        closed_at=datetime(2026, 1, 14, 16, 45, tzinfo=UTC),
        close_reason="Support finished",
    )
    make_assignment(
        session,
        winter,
        ana,
        started_at=datetime(2025, 12, 3, 10, 0, tzinfo=UTC),
        ended_at=datetime(2026, 1, 14, 16, 45, tzinfo=UTC),
    )
    make_case(session, make_parent(session, ref="C-0003", languages=["pl"]))
    checkins: list[tuple[datetime, dict[str, Any]]] = [
        (datetime(2026, 7, 3, 18, 20, 41, 250000, tzinfo=UTC), {}),
        (
            datetime(2026, 7, 10, 9, 0, tzinfo=UTC),
            {
                "status": "draft",
                "submitted_at": None,
                "notes": 'She said "it\'s hard",\nthen laughed.\r\nCall again, Friday',
                "concerns": ["low_mood", "money_housing"],
                "bonding": 2,
            },
        ),
        (
            datetime(2026, 10, 25, 0, 59, tzinfo=UTC),
            {"successful": False, "wellbeing": None, "mode": "text", "duration_min": None},
        ),
        (
            datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
            {"status": "deleted", "notes": "-2 missed calls", "coordinator_today": True},
        ),
    ]
    for when, kw in checkins:
        make_checkin(session, summer, ana, occurred_at=when, **kw)
    make_checkin(
        session, winter, ana, occurred_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC), wellbeing=1
    )
    session.commit()

    first = export(session)
    text = first["checkins.csv"].decode("utf-8-sig")
    assert "2026-07-03T19:20:41," in text  # BST, with the seconds Corner recorded (no fraction)
    assert "2026-10-25T01:59+01:00" in text and "2026-10-25T01:00+00:00" in text
    assert "'-2 missed calls" in text
    volunteers = first["volunteers.csv"].decode("utf-8-sig")
    assert "ben@example.org,'=Ben,,,,,,,,3,,,yes,,,,,left," in volunteers
    assert ",2025-01-10,2027-01-10,2025-01-05," in volunteers  # ana's training renewal date
    assignments = first["assignments.csv"].decode("utf-8-sig")
    assert "B-0001,ben@example.org,2026-06-20,2026-07-01,\r\n" in assignments

    import_into_empty_database(session, first)
    second = export(session)
    assert second == first
    import_into_empty_database(session, second)
    assert export(session) == first


def test_consent_evidence_topics_and_whooley_answers_round_trip(session: SessionLike) -> None:
    """A rich data set, built as Corner writes it: export, import into an empty database,
    export again gives the same bytes, and no consent evidence or answer is lost."""
    coordinator = make_user(session, "coordinator", email=COORDINATOR)
    area = make_area(session, "Bristol")
    volunteer = make_volunteer(
        session, area=area, user_kw={"email": "vi@example.org"}, languages=["en", "pl"]
    )
    online = make_case(
        session,
        make_parent(
            session,
            area=area,
            ref="S-001",
            consent_on=date(2026, 9, 30),
            consent_method="online form",
            consent_scope="contact about peer support; share with assigned volunteer",
        ),
        owner=coordinator,
    )
    verbal = make_case(
        session,
        make_parent(
            session,
            ref="S-002",
            consent_on=date(2026, 10, 2),
            consent_method="verbal",
            consent_scope="=contact by phone only, no letters",  # formula-like text
        ),
    )
    make_case(
        session,
        make_parent(session, ref="S-003", consent_on=None, consent_method=None, consent_scope=None),
    )
    make_assignment(session, online, volunteer, started_at=datetime(2026, 10, 3, 9, 0, tzinfo=UTC))
    make_assignment(session, verbal, volunteer, started_at=datetime(2026, 10, 4, 9, 0, tzinfo=UTC))
    answers: list[tuple[Case, datetime, dict[str, Any]]] = [
        (
            online,
            datetime(2026, 10, 10, 9, 30, 15, 123456, tzinfo=UTC),  # Corner's own clock
            {
                "whooley_down": True,
                "whooley_interest": False,
                "topics": ["sleep", "feelings", "local_services"],
                "concerns": ["low_mood"],
            },
        ),
        (
            online,
            datetime(2026, 10, 17, 9, 30, tzinfo=UTC),
            {"whooley_down": False, "whooley_interest": True, "topics": ["feeding"]},
        ),
        (
            verbal,
            datetime(2026, 10, 12, 18, 0, tzinfo=UTC),
            {"whooley_down": None, "whooley_interest": None, "topics": []},  # not asked
        ),
        (
            verbal,
            datetime(2026, 10, 14, 18, 0, tzinfo=UTC),
            {
                "status": "draft",
                "submitted_at": None,
                "whooley_down": False,
                "whooley_interest": None,
                "topics": ["practical", "baby_development", "birth", "relationships"],
            },
        ),
    ]
    for case, when, kw in answers:
        make_checkin(session, case, volunteer, occurred_at=when, **kw)
    session.commit()
    before = consent_and_answers(session)

    first = export(session)
    parents = first["parents.csv"].decode("utf-8-sig")
    assert parents.splitlines()[0].startswith(
        "ref,first_name,last_name,email,phone,postcode,latitude,longitude,languages,due_date,"
        "birth_date,tags,contact_mode,availability,referral_source,referred_on,consent_on,"
        "consent_method,consent_scope,"
    )
    assert ",2026-09-30,online form,contact about peer support; share with assigned volunteer," in (
        parents
    )
    assert ',2026-10-02,verbal,"\'=contact by phone only, no letters",' in parents
    checkins = first["checkins.csv"].decode("utf-8-sig")
    assert checkins.splitlines()[0] == (
        "parent_ref,volunteer_email,occurred_at,mode,duration_min,successful,wellbeing,bonding,"
        "whooley_down,whooley_interest,topics,concerns,coordinator_today,notes,status"
    )
    assert (
        "S-001,vi@example.org,2026-10-10T10:30:15,phone,30,yes,4,,yes,no,"
        "sleep;feelings;local_services,low_mood,no,,submitted\r\n"  # no microseconds
    ) in checkins
    assert "S-002,vi@example.org,2026-10-12T19:00,phone,30,yes,4,,,,,,no,,submitted\r\n" in (
        checkins
    )

    import_into_empty_database(session, first)
    second = export(session)
    assert second == first
    after = consent_and_answers(session)
    assert after[0] == before[0]  # consent: when, how, what, for every parent
    dropped = [(ref, at.replace(microsecond=0), *rest) for ref, at, *rest in before[1]]
    assert after[1] == dropped  # topics and answers; times to the second
