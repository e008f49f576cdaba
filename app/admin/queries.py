"""Queries of the admin pages: the people list and the audit log."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import joinedload

from app.domain import case_reference
from app.extensions import SessionLike
from app.models import AuditEvent, Case, CheckIn, EscalationFlag, OutboxEmail, User
from app.paging import Page
from app.paging_sql import page_of
from app.search_keys import SearchTerms, like_inside


def users_by_role_and_name(
    session: SessionLike, terms: SearchTerms | None = None, page: int = 1
) -> tuple[list[User], Page]:
    """One page of the accounts (those the search terms find by name or email, if any),
    grouped by role, then by last and first name."""
    query = select(User).order_by(User.role, User.last_name, User.first_name, User.id)
    if terms is not None and terms.text:
        found = User.search_key.like(like_inside(terms.key), escape="/")
        query = query.where(found if not terms.empty else false())
    limited, shown = page_of(session, query, page)
    return list(session.scalars(limited)), shown


@dataclass
class AuditFilter:
    actor_id: int | None = None
    person: SearchTerms | None = None  # typed name or email of whoever acted
    action: str | None = None
    object_type: str | None = None
    start: datetime | None = None
    end: datetime | None = None


def audit_events(
    session: SessionLike, flt: AuditFilter, page: int
) -> tuple[list[AuditEvent], Page]:
    """Audit events matching the filter, newest first, one page at a time; and the page."""
    query = select(AuditEvent)
    if flt.actor_id:
        query = query.where(AuditEvent.actor_id == flt.actor_id)
    if flt.person is not None and flt.person.text:
        typed = like_inside(flt.person.key)
        people = select(User.id).where(User.search_key.like(typed, escape="/"))
        query = query.where(AuditEvent.actor_id.in_(people) if not flt.person.empty else false())
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.object_type:
        query = query.where(AuditEvent.object_type == flt.object_type)
    if flt.start:
        query = query.where(AuditEvent.at >= flt.start)
    if flt.end:
        query = query.where(AuditEvent.at < flt.end)
    limited, shown = page_of(
        session, query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page
    )
    return list(session.scalars(limited.options(joinedload(AuditEvent.actor)))), shown


def audit_people(session: SessionLike, chosen: int | None) -> list[tuple[int, str]]:
    """The "Who" menu: the staff (admins and coordinators), whose number does not grow with
    the service, and the person already chosen if they are not staff (a volunteer found by
    name); three columns each, not whole accounts. Anyone else is found by typing."""
    wanted: ColumnElement[bool] = User.role.in_(("admin", "coordinator"))
    if chosen:
        wanted = or_(wanted, User.id == chosen)
    people = session.execute(
        select(User.id, User.first_name, User.last_name, User.email)
        .where(wanted)
        .order_by(User.last_name, User.first_name, User.id)
    )
    return [(uid, f"{f'{first} {last}'.strip()} ({email})") for uid, first, last, email in people]


#: ``volunteer 12`` and ``case 185`` in an event's detail (written by the services)
DETAIL_VOLUNTEER = re.compile(r"\bvolunteer (\d+)")
DETAIL_CASE = re.compile(r"\bcase (\d+)")


@dataclass(frozen=True)
class AuditObject:
    """What an event acted on, in words, and the page that shows it (if any)."""

    label: str
    endpoint: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


def _ids(events: list[AuditEvent], kind: str) -> set[int]:
    return {
        int(e.object_id)
        for e in events
        if e.object_type == kind and e.object_id and e.object_id.isdigit()
    }


def _case(case_id: int | None, label: str) -> AuditObject:
    if case_id is None:
        return AuditObject(label)
    ref = case_reference(case_id)
    return AuditObject(f"{label} {ref}", "cases.case_detail", {"case_id": case_id})


def audit_objects(
    session: SessionLike, events: list[AuditEvent]
) -> tuple[dict[tuple[str, str], AuditObject], dict[int, str]]:
    """The objects of a page of events, named (keyed by type and id), and the names of the
    volunteers their details mention. At most five statements, whatever the page holds."""
    found: dict[tuple[str, str], AuditObject] = {}
    for case_id in _ids(events, "case"):
        found["case", str(case_id)] = _case(case_id, "Case")
    if ids := _ids(events, "checkin"):
        rows = session.execute(select(CheckIn.id, CheckIn.case_id).where(CheckIn.id.in_(ids)))
        for checkin_id, case_id in rows:
            found["checkin", str(checkin_id)] = _case(case_id, "Check-in on case")
    if ids := _ids(events, "parent"):
        rows = session.execute(
            select(Case.parent_id, func.max(Case.id))
            .where(Case.parent_id.in_(ids))
            .group_by(Case.parent_id)
        )
        for parent_id, case_id in rows:
            found["parent", str(parent_id)] = _case(case_id, "Parent of case")
    if ids := _ids(events, "flag"):
        rows = session.execute(
            select(EscalationFlag.id, EscalationFlag.case_id).where(EscalationFlag.id.in_(ids))
        )
        for flag_id, case_id in rows:
            ref = case_reference(case_id)
            found["flag", str(flag_id)] = AuditObject(
                f"Flag on case {ref}", "escalation.flag_detail", {"flag_id": flag_id}
            )
    if ids := _ids(events, "email"):
        rows = session.execute(
            select(OutboxEmail.id, OutboxEmail.subject).where(OutboxEmail.id.in_(ids))
        )
        for email_id, subject in rows:
            found["email", str(email_id)] = AuditObject(
                f"Email “{subject}”", "escalation.outbox", {"show": "all"}
            )
    mentioned = {int(m) for e in events for m in DETAIL_VOLUNTEER.findall(e.detail or "")}
    names: dict[int, str] = {}
    if user_ids := _ids(events, "user") | mentioned:
        users = session.execute(
            select(User.id, User.first_name, User.last_name, User.role).where(User.id.in_(user_ids))
        )
        for user_id, first, last, role in users:
            names[user_id] = f"{first} {last}".strip()
            volunteer = role == "volunteer"
            found["user", str(user_id)] = AuditObject(
                names[user_id],
                "matching.volunteer_edit" if volunteer else None,
                {"user_id": user_id} if volunteer else {},
            )
    return found, names


def detail_words(detail: str | None, volunteer_names: dict[int, str]) -> str:
    """An event's detail with ids in words: "volunteer 12" → her name, "case 185" → the
    case's reference, "fields: due_date" → "changed: due date"."""
    if not detail:
        return ""

    def volunteer(match: re.Match[str]) -> str:
        return volunteer_names.get(int(match.group(1)), "a volunteer no longer here")

    text = DETAIL_VOLUNTEER.sub(volunteer, detail)
    text = DETAIL_CASE.sub(lambda m: "case " + case_reference(int(m.group(1))), text)
    if text.startswith("fields: "):
        text = "changed: " + text.removeprefix("fields: ").replace("_", " ")
    return text
