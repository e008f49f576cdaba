# ruff: noqa: E501  (CSV rows are kept on one line each, as a spreadsheet writes them)
"""A realistic set of spreadsheet files: every column kind, empty cells, lists, and times
in London summer (BST), winter (GMT), with offsets, seconds, and the hour that happens twice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from app.extensions import SessionLike, db
from app.models import Case, CheckIn, Parent

COORDINATOR = "coord@example.org"

VOLUNTEERS = """\
email,first_name,last_name,postcode,latitude,longitude,languages,stages,tags,max_caseload,availability,travel_km,remote_only,training_completed_on,dbs_checked_on,dbs_expires_on,status,area
Amira.Khan@Example.org,Amira,Khan,bs1 4dj,51.4545,-2.5879,en;UR,pregnancy;birth;postnatal,twins;nicu,4,mon-am;wed-pm;fri-eve,12.5,no,2025-01-10,2025-01-05,2028-01-05,active,Bristol
zoe.brown@example.org,Zoë,Brown,,,,en,postnatal,,,,,yes,,,,paused,
tom.ng@example.org,Tom,,BS5 6XX,,,en;zh,pregnancy,,2,sat-am,5,No,2024-03-01,2024-02-01,2027-02-01,left,bristol
"""

PARENTS = """\
ref,first_name,last_name,email,phone,postcode,latitude,longitude,languages,due_date,birth_date,tags,contact_mode,availability,referral_source,referred_on,consent_on,high_risk,closed_on,close_reason,area,coordinator_email
P001,Maria,Nowak,maria@example.org,'+44 7700 900123,BS2 0JA,51.46,-2.58,pl;en,2027-01-15,,young_parent,phone,mon-am;tue-pm,Midwife,2026-10-01,2026-10-01,yes,,,Bristol,coord@example.org
P002,Sam,O'Neill,,01179 496000,BS5 6XX,,,en,2026-06-01,2026-06-03,nicu;feeding,video,,Health visitor,2026-05-20,2026-05-20,no,,,,
P003,"Jo, Jr",Smith,jo@example.org,,,,,,2025-12-01,2025-11-28,,in_person,,Self,2025-10-15,,,2026-09-30,Moved away,South Glos,
P004,Ana,,,,,,,,,,,,,,2026-11-01,,,,,,
"""

ASSIGNMENTS = """\
parent_ref,volunteer_email,started_on,ended_on,end_reason
P001,amira.khan@example.org,2026-10-05,,
P002,zoe.brown@example.org,2026-06-10,2026-08-01,Volunteer paused
P002,amira.khan@example.org,2026-08-02,,
P003,tom.ng@example.org,2025-10-20,2026-09-30,Case closed
"""

CHECKINS = """\
parent_ref,volunteer_email,occurred_at,mode,duration_min,successful,wellbeing,bonding,concerns,coordinator_today,notes,status
P001,amira.khan@example.org,2026-11-02T14:30,phone,30,yes,4,,,no,"Talked about sleep, and feeding.
Follow up on Friday.",submitted
P002,amira.khan@example.org,2026-07-01T14:30,video,45,yes,2,3,low_mood;feeding,yes,Tired,submitted
P002,zoe.brown@example.org,2026-06-20T09:00+02:00,in_person,60,no,,,,no,,submitted
P001,amira.khan@example.org,2026-10-25T01:30+01:00,text,,no,,,,,,draft
P001,amira.khan@example.org,2026-10-25T01:30+00:00,text,5,yes,3,,anxiety,no,'=SUM(A1),deleted
P003,tom.ng@example.org,2026-03-29T03:15:20,phone,20,Yes,5,5,,NO,,submitted
"""

GOOD = {
    "volunteers.csv": VOLUNTEERS,
    "parents.csv": PARENTS,
    "assignments.csv": ASSIGNMENTS,
    "checkins.csv": CHECKINS,
}


def encoded(files: dict[str, str]) -> dict[str, bytes]:
    return {name: text.encode("utf-8") for name, text in files.items()}


def write_dir(directory: Path, files: dict[str, str | bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (directory / name).write_bytes(data)
    return directory


def table_counts(session: SessionLike) -> dict[str, int]:
    """Rows in every table of the schema."""
    return {
        table.name: int(session.scalar(sa.select(sa.func.count()).select_from(table)) or 0)
        for table in db.metadata.sorted_tables
    }


def wipe(session: SessionLike) -> None:
    """Empty every table (the 'empty database' of the round trip), and commit."""
    for table in reversed(db.metadata.sorted_tables):
        session.execute(table.delete())
    session.commit()


def consent_and_answers(
    session: SessionLike,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """What the round trip must keep: each parent's consent evidence, each check-in's
    topics and Whooley answers (None, not asked, is kept apart from no)."""
    parents = session.execute(
        sa.select(
            Parent.ref, Parent.consent_on, Parent.consent_method, Parent.consent_scope
        ).order_by(Parent.ref)
    ).all()
    checkins = session.execute(
        sa.select(
            Parent.ref,
            CheckIn.occurred_at,
            CheckIn.whooley_down,
            CheckIn.whooley_interest,
            CheckIn.topics,
            CheckIn.concerns,
        )
        .join(Case, Case.id == CheckIn.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .order_by(Parent.ref, CheckIn.occurred_at)
    ).all()
    return [tuple(row) for row in parents], [tuple(row) for row in checkins]


def replace(text: str, old: str, new: str, count: int = 1) -> str:
    assert old in text, old
    return text.replace(old, new, count)


def rows_of(data: bytes) -> list[Any]:
    return data.decode("utf-8-sig").splitlines()


def large_files(
    parents: int = 2000, checkins: int = 10_000, volunteers: int = 50
) -> dict[str, str]:
    """A big, valid set of files: ``checkins`` check-ins spread over ``parents`` parents."""
    vol_rows = [
        f"v{n:03d}@example.org,Vol{n},Tester,BS{n % 9 + 1} 1AA,,,en,pregnancy;birth;postnatal,"
        f",{3 + n % 4},mon-am;wed-pm,10,no,2025-01-10,2025-01-05,2028-01-05,active"
        for n in range(volunteers)
    ]
    par_rows = [
        f"L{n:05d},Parent{n},Example,,,BS2 0JA,,,en,2027-0{1 + n % 8}-15,,,phone,,Midwife,"
        f"2026-0{1 + n % 9}-01,2026-0{1 + n % 9}-01,{'yes' if n % 7 == 0 else 'no'},,"
        for n in range(parents)
    ]
    asg_rows = [
        f"L{n:05d},v{n % volunteers:03d}@example.org,2026-10-0{1 + n % 9},," for n in range(parents)
    ]
    chk_rows = []
    for n in range(checkins):
        month, day, hour = 1 + n % 12, 1 + n % 28, 8 + n % 12
        chk_rows.append(
            f"L{n % parents:05d},v{n % parents % volunteers:03d}@example.org,"
            f"2026-{month:02d}-{day:02d}T{hour:02d}:{n % 60:02d},phone,30,"
            f"{'yes' if n % 5 else 'no'},{1 + n % 5},,{'low_mood' if n % 11 == 0 else ''},no,"
            f"Call {n},{'submitted' if n % 13 else 'draft'}"
        )
    header_v = VOLUNTEERS.splitlines()[0].removesuffix(",area")
    header_p = PARENTS.splitlines()[0].removesuffix(",area,coordinator_email")
    return {
        "volunteers.csv": "\n".join([header_v, *vol_rows]) + "\n",
        "parents.csv": "\n".join([header_p, *par_rows]) + "\n",
        "assignments.csv": "\n".join([ASSIGNMENTS.splitlines()[0], *asg_rows]) + "\n",
        "checkins.csv": "\n".join([CHECKINS.splitlines()[0], *chk_rows]) + "\n",
    }
