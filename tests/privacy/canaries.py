"""Two parents with canary values, and the staff around them (for the subject access tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from app.audit import record
from app.extensions import SessionLike
from app.models import Area, Case, EscalationFlag, MatchExclusion, User
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_parent,
    make_user,
)
from tests.factories import make_volunteer as make_volunteer_user


@dataclass
class Canaries:
    surname: str
    email: str
    phone: str
    postcode: str
    note: str
    resolution: str

    def values(self) -> list[str]:
        return [self.surname, self.email, self.phone, self.postcode, self.note, self.resolution]


A = Canaries(
    "Zanzibarova", "ada.zanzibarova@canary.example", "07700 900111", "TR1 9ZZ",
    "Talked about the allotment canary-alpha", "GP visit booked canary-alpha-resolved",
)  # fmt: skip
B = Canaries(
    "Quixotesmith", "bea.quixotesmith@canary.example", "07700 900222", "YO9 8QQ",
    "Talked about the bakery canary-beta", "Midwife informed canary-beta-resolved",
)  # fmt: skip

#: Other people's details, never in anyone's package (but the volunteers' first names).
STAFF_SURNAMES = ("Coordsurname", "Adminsurname", "Volsurname", "Othervolsurname")
STAFF_IP = "203.0.113.77"


@dataclass
class World:
    case_a: Case
    case_b: Case
    coordinator: User
    outsider: User  # a coordinator of another area
    admin: User
    volunteer: User  # supports A
    other_volunteer: User  # supports B, ruled out for A
    staff_emails: tuple[str, ...]


def _parent_case(session: SessionLike, canary: Canaries, ref: str, area: Area) -> Case:
    parent = make_parent(
        session,
        ref=ref,
        first_name="Ada" if canary is A else "Bea",
        last_name=canary.surname,
        email=canary.email,
        phone=canary.phone,
        postcode=canary.postcode,
        consent_method="online form",
        consent_scope="contact about peer support",
        ethnic_group="white_irish",
        languages=["en", "pl"],
        area=area,
    )
    return make_case(session, parent)


def build_world(session: SessionLike) -> World:
    area = make_area(session, "Cornwall")
    elsewhere = make_area(session, "Yorkshire")
    coordinator = make_user(
        session, "coordinator", areas=[area], first_name="Cordelia", last_name="Coordsurname",
        email="cordelia@staff.example",
    )  # fmt: skip
    outsider = make_user(session, "coordinator", areas=[elsewhere], email="out@staff.example")
    admin = make_user(
        session,
        "admin",
        first_name="Adelmo",
        last_name="Adminsurname",
        email="adelmo@staff.example",
    )
    volunteer = make_volunteer_user(
        session, area=area,
        user_kw={"first_name": "Vivienne", "last_name": "Volsurname", "email": "viv@staff.example"},
    )  # fmt: skip
    other = make_volunteer_user(
        session, area=area,
        user_kw={
            "first_name": "Wilhelmina", "last_name": "Othervolsurname",
            "email": "wil@staff.example",
        },
    )  # fmt: skip
    case_a = _parent_case(session, A, "REF-A1", area=area)
    case_b = _parent_case(session, B, "REF-B2", area=area)
    case_a.owner = coordinator
    case_b.owner = coordinator
    for case, canary, who in ((case_a, A, volunteer), (case_b, B, other)):
        make_assignment(session, case, who, assigned_by=coordinator)
        checkin = make_checkin(
            session, case, who, notes=canary.note, topics=["feeding"], concerns=["low_mood"],
            whooley_down=True, whooley_interest=False,
        )  # fmt: skip
        deleted = make_checkin(
            session, case, who, notes=f"deleted {canary.note}", status="deleted",
            occurred_at=datetime(2026, 10, 22, 9, 0, tzinfo=UTC), deleted_at=NOW,
            deleted_by_id=coordinator.id,
        )  # fmt: skip
        flag = EscalationFlag(
            case_id=case.id, rule="LOW_MOOD", severity="high", raised_at=NOW,
            checkin_id=checkin.id, evidence="Volunteer recorded low mood.", status="resolved",
            acknowledged_at=NOW, acknowledged_by_id=coordinator.id, resolved_at=NOW,
            resolved_by_id=coordinator.id, outcome="referred_gp",
            resolution_note=canary.resolution,
        )  # fmt: skip
        session.add(flag)
        session.flush()
        for action, kind, object_id in (
            ("parent.viewed", "parent", case.parent_id),
            ("case.closed", "case", case.id),
            ("checkin.viewed", "checkin", checkin.id),
            ("checkin.deleted", "checkin", deleted.id),
            ("flag.resolved", "flag", flag.id),
        ):
            record(
                session, NOW, action, actor_id=coordinator.id, object_type=kind,
                object_id=object_id, ip=STAFF_IP, detail=f"staff detail {canary.surname}",
            )  # fmt: skip
    session.add(
        MatchExclusion(
            parent_id=case_a.parent_id, volunteer_id=other.id, reason="declined",
            created_by_id=coordinator.id, created_at=NOW,
        )
    )  # fmt: skip
    session.commit()
    return World(
        case_a, case_b, coordinator, outsider, admin, volunteer, other,
        tuple(u.email for u in (coordinator, outsider, admin, volunteer, other)),
    )  # fmt: skip
