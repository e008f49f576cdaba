"""Checks across the files and against what Corner already holds (the look-up).

Every reference must resolve (a parent ref, a volunteer or coordinator email, in the files
or in Corner); an existing parent is never re-imported; a row repeating an assignment or
check-in already in Corner is refused; a closed case or a parent with a volunteer gets no
second open assignment.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.domain import CaseStatus, Role
from app.spreadsheets.columns import ASSIGNMENTS, CHECKINS, PARENTS, VOLUNTEERS
from app.spreadsheets.lookup import Lookup
from app.spreadsheets.parsed import ParsedFile, Problems, Row, rows_of, values_of
from app.spreadsheets.row_checks import checkin_key


def _role_words(role: str) -> str:
    return "an admin" if role == Role.ADMIN else f"a {role}"


def check_against(files: Mapping[str, ParsedFile], lookup: Lookup, problems: Problems) -> None:
    """Checks across files and against what Corner already holds."""
    file_volunteers = values_of(files, VOLUNTEERS.name, "email")
    file_parents = {row.get("ref"): row for row in rows_of(files, PARENTS.name) if row.get("ref")}

    for row in rows_of(files, VOLUNTEERS.name):
        email = row.get("email")
        if email in lookup.users and lookup.users[email][1] != Role.VOLUNTEER:
            role = lookup.users[email][1]
            problems.add(
                VOLUNTEERS.name,
                row.line,
                "email",
                f"{email} is {_role_words(role)} account, not a volunteer",
                row,
            )

    for row in rows_of(files, PARENTS.name):
        ref = row.get("ref")
        if ref in lookup.parents:
            problems.add(
                PARENTS.name,
                row.line,
                "ref",
                f"{ref} is already in Corner: import adds new parents only "
                "(change existing parents in Corner)",
                row,
            )
        coordinator = row.get("coordinator_email")
        if coordinator is not None:
            found = lookup.users.get(coordinator)
            if found is None:
                problems.add(
                    PARENTS.name,
                    row.line,
                    "coordinator_email",
                    f"no account has the email {coordinator}",
                    row,
                )
            elif found[1] != Role.COORDINATOR:
                problems.add(
                    PARENTS.name,
                    row.line,
                    "coordinator_email",
                    f"{coordinator} is {_role_words(found[1])} account, not a coordinator",
                    row,
                )

    # A file without its key column cannot say who is in it: skip the checks that need it.
    refs_known = PARENTS.name not in files or "ref" in files[PARENTS.name].present
    emails_known = VOLUNTEERS.name not in files or "email" in files[VOLUNTEERS.name].present

    def check_people(name: str, row: Row) -> None:
        ref = row.get("parent_ref") if refs_known else None
        email = row.get("volunteer_email") if emails_known else None
        if ref is not None and ref not in file_parents and ref not in lookup.parents:
            problems.add(
                name,
                row.line,
                "parent_ref",
                f"no parent has the ref {ref} (neither in parents.csv nor in Corner)",
                row,
            )
        elif ref in lookup.parents and lookup.parents[ref].case_id is None:
            problems.add(name, row.line, "parent_ref", f"parent {ref} has no case in Corner", row)
        if email is not None and email not in file_volunteers:
            found = lookup.users.get(email)
            if found is None:
                problems.add(
                    name,
                    row.line,
                    "volunteer_email",
                    f"no volunteer has the email {email} (neither in volunteers.csv nor in Corner)",
                    row,
                )
            elif found[1] != Role.VOLUNTEER:
                problems.add(
                    name,
                    row.line,
                    "volunteer_email",
                    f"{email} is {_role_words(found[1])} account, not a volunteer",
                    row,
                )

    for row in rows_of(files, ASSIGNMENTS.name):
        check_people(ASSIGNMENTS.name, row)
        ref = row.get("parent_ref")
        is_open = row.get("ended_on") is None and "ended_on" not in row.bad
        if ref in file_parents:
            if is_open and file_parents[ref].get("closed_on") is not None:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "ended_on",
                    f"is empty, but the case of parent {ref} is closed (closed_on in "
                    "parents.csv): give the date the assignment ended",
                    row,
                )
        elif ref in lookup.parents:
            state = lookup.parents[ref]
            email, started = row.get("volunteer_email"), row.get("started_on")
            user = lookup.users.get(email) if email else None
            assignment_key = (state.case_id, user[0] if user else 0, started)
            if user and started and assignment_key in lookup.assignment_keys:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "started_on",
                    "the same assignment is already in Corner",
                    row,
                )
            elif is_open and state.case_status == CaseStatus.CLOSED:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "ended_on",
                    f"is empty, but the case of parent {ref} is closed in Corner: "
                    "give the date the assignment ended",
                    row,
                )
            elif is_open and state.has_open_assignment:
                problems.add(
                    ASSIGNMENTS.name,
                    row.line,
                    "ended_on",
                    f"is empty, but parent {ref} already has an open assignment in Corner: "
                    "a parent has one volunteer at a time",
                    row,
                )

    for row in rows_of(files, CHECKINS.name):
        check_people(CHECKINS.name, row)
        key = checkin_key(row)
        ref = row.get("parent_ref")
        if key is None or ref in file_parents or ref not in lookup.parents:
            continue
        user = lookup.users.get(key[1])
        case_id = lookup.parents[ref].case_id
        if (
            user
            and case_id is not None
            and (case_id, user[0], key[2], key[3]) in (lookup.checkin_keys)
        ):
            problems.add(
                CHECKINS.name,
                row.line,
                "occurred_at",
                "the same check-in (parent, volunteer, time and status) is already in Corner",
                row,
            )
