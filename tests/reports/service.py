"""A small service with a known history, for the reports page and its downloads.

September and October 2026, two areas. North (the coordinator's):

1. referred 10 Sep by a midwife (pregnant), White British, 25 to 34; matched 15 Sep (5 days);
   check-ins: 20 Sep by phone (30 min), 8 Oct by video (60 min), 9 Oct a phone attempt
   (0 min); a low-mood flag raised 3 Oct, resolved 6 Oct.
2. referred 5 Oct by a midwife (baby born 25 Sep: stage "birth"), nothing recorded for
   equality; matched 12 Oct (7 days).
3. referred 20 Oct by a health visitor (pregnant), White British; closed 25 Oct, the parent
   no longer wanting support.

South (another coordinator's):

4. referred 20 Sep, a self-referral (pregnant), Indian; matched 25 Sep (5 days); a visit on
   14 Oct (90 min); a no-contact flag raised 10 Oct.

The figures (hand-counted) are in ``ADMIN`` (every case) and ``NORTH`` (the coordinator's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.extensions import SessionLike
from app.models import Area, Case, CaseStatus, EscalationFlag, User
from tests.factories import (
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
    make_volunteer,
)

QUERY = {"from": "2026-09-01", "to": "2026-10-31"}


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Known:
    admin: User
    coordinator: User
    volunteer: User
    north_id: int
    south_id: int


def build(session: SessionLike, tag: str = "") -> Known:
    """The service; ``tag`` is added to the areas' names (to build it twice)."""
    north, south = make_area(session, f"North{tag}"), make_area(session, f"South{tag}")
    admin = make_user(session, "admin")
    coordinator = make_user(session, "coordinator", areas=[north])
    other = make_user(session, "coordinator", areas=[south])
    volunteer = make_volunteer(session, area=north)
    volunteer_south = make_volunteer(session, area=south)

    def case(area: Area, referred: date, source: str, **parent: Any) -> Case:
        p = make_parent(session, area=area, referred_on=referred, referral_source=source, **parent)
        owner = coordinator if area is north else other
        referred_at = datetime(referred.year, referred.month, referred.day, 9, tzinfo=UTC)
        return make_case(session, p, owner=owner, referred_at=referred_at)

    one = case(north, date(2026, 9, 10), "Midwife", ethnic_group="white_british", age_band="25_34")
    two = case(north, date(2026, 10, 5), "Midwife", due_date=None, birth_date=date(2026, 9, 25))
    three = case(
        north,
        date(2026, 10, 20),
        "Health visitor",
        due_date=date(2027, 3, 1),
        ethnic_group="white_british",
    )
    four = case(south, date(2026, 9, 20), "Self-referral", ethnic_group="asian_indian")

    make_assignment(session, one, volunteer, started_at=at(9, 15))
    make_assignment(session, two, volunteer, started_at=at(10, 12))
    make_assignment(session, four, volunteer_south, started_at=at(9, 25))
    make_checkin(session, one, volunteer, occurred_at=at(9, 20), duration_min=30)
    make_checkin(session, one, volunteer, occurred_at=at(10, 8), mode="video", duration_min=60)
    make_checkin(
        session,
        one,
        volunteer,
        occurred_at=at(10, 9),
        successful=False,
        duration_min=0,
        wellbeing=None,
    )
    make_checkin(
        session,
        four,
        volunteer_south,
        occurred_at=at(10, 14),
        mode="in_person",
        duration_min=90,
    )
    three.status = CaseStatus.CLOSED.value
    three.closed_at = at(10, 25)
    three.close_reason = "Parent no longer wants support"
    session.add_all(
        [
            EscalationFlag(
                case_id=one.id, rule="LOW_MOOD", severity="high", raised_at=at(10, 3),
                status="resolved", resolved_at=at(10, 6),
            ),
            EscalationFlag(
                case_id=four.id, rule="NO_CONTACT", severity="medium", raised_at=at(10, 10),
            ),
        ]
    )  # fmt: skip
    session.commit()
    return Known(admin, coordinator, volunteer, north.id, south.id)


#: (table key -> {row label: value as the page writes it}), every case (the admin's view)
ADMIN: dict[str, dict[str, str]] = {
    "referrals-by-month": {"September 2026": "2", "October 2026": "2", "Total": "4"},
    "referrals-by-source": {"Midwife": "2", "Health visitor": "1", "Self-referral": "1"},
    "referrals-by-stage": {"Pregnancy": "3", "Birth": "1", "Postnatal": "0", "Total": "4"},
    "matches": {"New matches": "3", "Median days from referral to first match": "5"},
    "matches-by-month": {"September 2026": "2", "October 2026": "1", "Total": "3"},
    "parents-supported": {"Parents supported": "3"},
    "parents-supported-by-month": {"September 2026": "2", "October 2026": "3"},
    "contacts": {
        "Contacts that reached the parent": "3",
        "Attempts that did not": "1",
        "Hours of contact": "3",
    },
    "contacts-by-month": {"September 2026": "1", "October 2026": "2", "Total": "3"},
    "contacts-by-mode": {"Phone": "2", "Video": "1", "In person": "1", "Text": "0", "Total": "4"},
    "closed-by-reason": {"Parent no longer wants support": "1", "Total": "1"},
    "flags": {"Flags raised": "2", "Flags resolved": "1"},
    "flags-by-month": {"September 2026": "0", "October 2026": "2", "Total": "2"},
    "flags-by-rule": {"Low mood or anxiety": "1", "No contact for a while": "1", "Total": "2"},
    "equality-ethnic-group": {
        "English, Welsh, Scottish, Northern Irish or British": "2",
        "Indian": "1",
        "Not recorded": "1",
        "Total": "4",
    },
    "equality-age-band": {"25 to 34": "1", "Not recorded": "3"},
}

#: the coordinator of North sees cases 1 to 3 only
NORTH: dict[str, dict[str, str]] = {
    "referrals-by-month": {"September 2026": "1", "October 2026": "2", "Total": "3"},
    "referrals-by-source": {"Midwife": "2", "Health visitor": "1"},
    "matches-by-month": {"September 2026": "1", "October 2026": "1", "Total": "2"},
    "contacts-by-mode": {"Phone": "2", "Video": "1", "In person": "0", "Total": "3"},
    "flags-by-rule": {"Low mood or anxiety": "1", "No contact for a while": "0", "Total": "1"},
    "equality-ethnic-group": {
        "English, Welsh, Scottish, Northern Irish or British": "2",
        "Indian": "0",
        "Not recorded": "1",
    },
}
