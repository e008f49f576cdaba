"""Two parents with canary values (a surname, an email, a phone, a postcode, a check-in note,
a flag resolution note): the erasure tests erase A and look for A's canaries everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import Area, Case, CheckIn, EscalationFlag, Parent, User
from app.search_keys import phone_digits
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

CANARIES = {
    "A": {
        "first_name": "Aurelindra",
        "last_name": "Quixlewhistle",
        "email": "quix.canary@example.net",
        "phone": "07700 912345",
        "postcode": "ZZ9 9QX",
        "note": "canary note zebra lantern",
        "resolution": "canary resolution marmalade",
        "consent_scope": "canary scope gooseberry",
    },
    "B": {
        "first_name": "Berenicia",
        "last_name": "Plonkington",
        "email": "plonk.canary@example.net",
        "phone": "07700 954321",
        "postcode": "ZZ8 8PL",
        "note": "canary note walrus kettle",
        "resolution": "canary resolution treacle",
        "consent_scope": "canary scope damson",
    },
}


def needles(who: str) -> list[bytes]:
    """The byte strings that must (not) be found for parent ``who``: each canary, in lower
    case (the search key folds), and the phone's digits (the phone key)."""
    values = CANARIES[who]
    found = [v.lower().encode() for v in values.values()]
    found.append(str(phone_digits(values["phone"])).encode())
    return found


def present(blob: bytes, who: str) -> list[bytes]:
    low = blob.lower()
    return [needle for needle in needles(who) if needle in low]


@dataclass
class Charity:
    area: Area
    admin: User
    coordinator: User
    volunteer: User
    a: Parent
    b: Parent
    a_case: Case
    b_case: Case


def _parent(session: SessionLike, area: Area, who: str, ref: str) -> Parent:
    values = CANARIES[who]
    return make_parent(
        session,
        area=area,
        ref=ref,
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        phone=values["phone"],
        postcode=values["postcode"],
        latitude=51.4,
        longitude=-2.6,
        consent_scope=values["consent_scope"],
        referral_source="Canary midwife clinic" if who == "A" else "Health visitor",
        due_date=date(2026, 5, 1),
        birth_date=date(2026, 4, 20),
        ethnic_group="white_british" if who == "A" else None,
        tags=["young_parent"],
        languages=["en", "pl"],
    )


def _history(session: SessionLike, charity_parts: dict[str, User], case: Case, who: str) -> None:
    volunteer, coordinator = charity_parts["volunteer"], charity_parts["coordinator"]
    values = CANARIES[who]
    checkin = make_checkin(
        session,
        case,
        volunteer,
        occurred_at=datetime(2026, 10, 12, 10, 0, tzinfo=UTC),
        notes=values["note"],
        topics=["feeding"],
        concerns=["low_mood"],
    )
    make_checkin(
        session,
        case,
        volunteer,
        occurred_at=datetime(2026, 10, 19, 10, 0, tzinfo=UTC),
        notes=f"second {values['note']}",
    )
    session.add(
        EscalationFlag(
            case_id=case.id,
            rule="SAFEGUARDING",
            severity="urgent",
            evidence="Safeguarding concern recorded on Mon 12 Oct.",
            checkin_id=checkin.id,
            raised_at=datetime(2026, 10, 12, 10, 5, tzinfo=UTC),
            status="resolved",
            resolved_at=datetime(2026, 10, 13, 9, 0, tzinfo=UTC),
            resolved_by_id=coordinator.id,
            outcome="safeguarding_referral",
            resolution_note=values["resolution"],
        )
    )
    session.flush()


def seed_charity(session: SessionLike) -> Charity:
    """A (case closed on 1 Nov 2026) and B (supported now), each with two check-ins and a
    resolved urgent flag carrying the canaries. Committed."""
    area = make_area(session, "Canary area")
    admin = make_user(session, "admin", first_name="Ada")
    coordinator = make_user(session, "coordinator", areas=[area], first_name="Cora")
    volunteer = make_volunteer(session, area=area, user_kw={"first_name": "Vera"})
    a = _parent(session, area, "A", "CH-A-001")
    b = _parent(session, area, "B", "CH-B-002")
    a_case = make_case(session, a, owner=coordinator)
    b_case = make_case(session, b, owner=coordinator)
    make_assignment(session, a_case, volunteer, ended_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC))
    make_assignment(session, b_case, volunteer)
    parts = {"volunteer": volunteer, "coordinator": coordinator}
    _history(session, parts, a_case, "A")
    _history(session, parts, b_case, "B")
    a_case.status = "closed"
    a_case.closed_at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    a_case.close_reason = f"Other: moved in with {CANARIES['A']['last_name']}"
    session.commit()
    return Charity(area, admin, coordinator, volunteer, a, b, a_case, b_case)


def counts(session: SessionLike) -> dict[str, object]:
    """What reports count: cases by status, check-ins by status, flags by rule and outcome,
    parents by equality code."""

    def grouped(*columns: Any) -> list[tuple[Any, ...]]:
        rows = session.execute(select(*columns, func.count()).group_by(*columns))
        return sorted((tuple(row) for row in rows), key=repr)

    return {
        "cases": grouped(Case.status),
        "checkins": grouped(CheckIn.status, CheckIn.mode, CheckIn.duration_min, CheckIn.wellbeing),
        "flags": grouped(EscalationFlag.rule, EscalationFlag.severity, EscalationFlag.outcome),
        "ethnic": grouped(Parent.ethnic_group),
        "parents": session.scalar(select(func.count()).select_from(Parent)),
        "now": NOW.isoformat(),
    }
