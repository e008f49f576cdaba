"""Registry of routes covered by the cross-volunteer 404 test (tests/cases/test_cross_volunteer.py).

Every route with a URL parameter that a volunteer may reach must be listed here:
``tests/test_access_rules.py`` fails otherwise. Each entry names the URL parameter, the kinds
of other people's objects to try in it, and the methods to try. Kinds (built by the test):

* ``other_case``: a case assigned to another volunteer;
* ``ended_case``: a case whose assignment to this volunteer has ended;
* ``other_checkin`` / ``other_draft``: another volunteer's submitted check-in / draft;
* ``ended_checkin``: this volunteer's own check-in on a case no longer theirs;
* ``predecessor_checkin``: a check-in by the volunteer who had this volunteer's case before.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Probe:
    param: str
    kinds: tuple[str, ...]
    methods: tuple[str, ...]


CASES = ("other_case", "ended_case")
CHECKINS = ("other_checkin", "other_draft", "ended_checkin", "predecessor_checkin")

CROSS_VOLUNTEER_ROUTES: dict[str, Probe] = {
    "cases.case_detail": Probe("case_id", CASES, ("GET",)),
    "cases.checkin_new": Probe("case_id", CASES, ("GET", "POST")),
    "cases.checkin_view": Probe("checkin_id", CHECKINS, ("GET",)),
    "cases.checkin_alerted": Probe("checkin_id", CHECKINS, ("GET",)),
    "cases.checkin_edit": Probe("checkin_id", CHECKINS, ("GET", "POST")),
    "cases.checkin_delete": Probe("checkin_id", CHECKINS, ("GET", "POST")),
}
