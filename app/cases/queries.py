"""Queries of the cases area: select()s whose statement count does not grow with the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import aliased, joinedload, load_only

from app.cases.duplicates import (
    duplicate_keys,
    duplicates_of,
    parents_with_duplicates,
)
from app.domain import CaseStatus, CheckInStatus, Role, Stage
from app.escalation.rules_contact import contact_due
from app.escalation.scan import saved_thresholds
from app.extensions import SessionLike
from app.models import Area, Assignment, Case, CheckIn, Parent, User
from app.paging import Page
from app.paging_sql import page_ids
from app.scope import visible_cases
from app.search_keys import WHOLE_PHONE_DIGITS, SearchTerms, like_inside
from app.stage_sql import stage_sql

#: what the case lists and the waiting list show of a case and a parent (and the parent
#: columns the possible-duplicate marker compares), and nothing else: no decoding of every
#: parent's lists, no health details held for a list. Another column read from a listed case
#: or parent is loaded then (correct, one statement each: the statement-count tests would
#: show it), never an error
LIST_CASE = load_only(
    Case.id,
    Case.parent_id,
    Case.area_id,
    Case.status,
    Case.high_risk,
    Case.referred_at,
)
LIST_PARENT = load_only(
    Parent.id,
    Parent.ref,
    Parent.first_name,
    Parent.last_name,
    Parent.email,
    Parent.phone,
    Parent.due_date,
    Parent.birth_date,
)


@dataclass
class WaitingRow:
    case: Case
    parent: Parent
    stage: Stage
    possible_duplicate: bool
    area_name: str | None


def waiting_list(
    session: SessionLike, user: User, today: date, stage: str | None = None, page: int = 1
) -> tuple[list[WaitingRow], Page]:
    """One page of the referred and waiting cases this user may see: high risk first, then
    longest waiting (the order runs on across pages), each marked when it may be a duplicate.
    Three statements: the page's ids with the count, their rows, and their possible
    duplicates."""
    stage_expr = stage_sql(Parent.due_date, Parent.birth_date, today)
    narrow = select(Case.id).where(
        Case.status.in_([CaseStatus.REFERRED.value, CaseStatus.WAITING.value]),
        visible_cases(user),
    )
    if stage:
        narrow = narrow.join(Parent, Case.parent_id == Parent.id).where(stage_expr == stage)
    order = [Case.high_risk.desc(), Case.referred_at, Case.id]
    ids, shown = page_ids(session, narrow, order, page)
    if not ids:
        return [], shown
    details = {
        case.id: (case, parent, stage_value, area_name)
        for case, parent, stage_value, area_name in session.execute(
            select(Case, Parent, stage_expr, Area.name)
            .join(Parent, Case.parent_id == Parent.id)
            .outerjoin(Area, Case.area_id == Area.id)
            .options(LIST_CASE, LIST_PARENT)
            .where(Case.id.in_(ids))
        )
    }
    found = [details[i] for i in ids if i in details]  # one erased meanwhile is left out
    duplicates = parents_with_duplicates(session, [parent for _c, parent, _s, _a in found])
    rows = [
        WaitingRow(case, parent, Stage(stage_value), parent.id in duplicates, area_name)
        for case, parent, stage_value, area_name in found
    ]
    return rows, shown


@dataclass
class CaseRow:
    case: Case
    parent: Parent
    stage: Stage
    volunteer: User | None
    area_name: str | None


def search_matches(terms: SearchTerms) -> ColumnElement[bool]:
    """Parents the query names (``app.search_keys``): name, email, postcode or reference inside
    ``search_key``, phone digits inside ``phone_digits``, or the reference of one of their
    cases. Every branch is on ``parents``, so PostgreSQL ORs the trigram indexes of migration
    0006 (and the primary key) before joining the cases."""
    if terms.empty:
        return false()  # nothing searchable was typed (only dashes, say): nothing found
    matches: list[ColumnElement[bool]] = [
        Parent.search_key.like(like_inside(terms.key), escape="/")
    ]
    if terms.digits and len(terms.digits) >= WHOLE_PHONE_DIGITS:
        matches.append(Parent.phone_digits == terms.digits)  # a whole number: the btree
    elif terms.digits:
        matches.append(Parent.phone_digits.like(like_inside(terms.digits), escape="/"))
    if terms.case_id is not None:
        case_parent = select(Case.parent_id).where(Case.id == terms.case_id).scalar_subquery()
        matches.append(Parent.id == case_parent)
    return or_(*matches)


def case_list_filters(
    user: User, status: str | None, terms: SearchTerms | None = None
) -> list[ColumnElement[bool]]:
    """What the case list keeps, over ``Case`` and ``Parent``: visible to ``user``, of this
    status ('open' = not closed), found by the search terms."""
    where = [visible_cases(user)]
    if status == "open":
        where.append(Case.status != CaseStatus.CLOSED.value)
    elif status:
        where.append(Case.status == status)
    if terms is not None and terms.text:
        where.append(search_matches(terms))
    return where


def case_list_query(
    user: User, today: date, status: str | None, terms: SearchTerms | None = None
) -> Any:
    """The case list's rows, unpaged and unordered (see ``case_list``)."""
    stage_expr = stage_sql(Parent.due_date, Parent.birth_date, today)
    volunteer = aliased(User)
    return (
        select(Case, Parent, stage_expr, volunteer, Area.name)
        .join(Parent, Case.parent_id == Parent.id)
        .outerjoin(Area, Case.area_id == Area.id)
        .outerjoin(Assignment, and_(Assignment.case_id == Case.id, Assignment.ended_at.is_(None)))
        .outerjoin(volunteer, volunteer.id == Assignment.volunteer_id)
        .options(
            LIST_CASE,
            LIST_PARENT,
            load_only(volunteer.id, volunteer.first_name, volunteer.last_name),
        )
        .where(*case_list_filters(user, status, terms))
    )


def case_list(
    session: SessionLike,
    user: User,
    today: date,
    status: str | None,
    page: int,
    terms: SearchTerms | None = None,
) -> tuple[list[CaseRow], Page]:
    """Cases this user may see, filtered by status ('open' = not closed), newest first; with
    search terms, the cases they find (open ones first). Two statements, whatever the data
    (a page past the last: a count, then the last page)."""
    order: list[Any] = [Case.referred_at.desc(), Case.id.desc()]
    if terms is not None and terms.text:
        order.insert(0, Case.status == CaseStatus.CLOSED.value)
    # the ids: the cases and their parents only (the volunteer and area joins keep every
    # row as it is; on PostgreSQL, with statistics not yet gathered after a bulk load, they
    # made a nested loop of every case by every open assignment: 160 ms at demo x10)
    narrow = (
        select(Case.id)
        .join(Parent, Case.parent_id == Parent.id)
        .where(*case_list_filters(user, status, terms))
    )
    ids, shown = page_ids(session, narrow, order, page)
    if not ids:
        return [], shown
    listed = case_list_query(user, today, status, terms).where(Case.id.in_(ids))
    details = {c.id: (c, p, s, v, a) for c, p, s, v, a in session.execute(listed)}
    # a case erased between the two statements is left out rather than failing the page
    rows = [details[i] for i in ids if i in details]
    return [CaseRow(c, p, Stage(s), v, a) for c, p, s, v, a in rows], shown


def area_count(session: SessionLike) -> int:
    return session.scalar(select(func.count()).select_from(Area)) or 0


def areas_by_name(session: SessionLike) -> list[Area]:
    """Every area, by name."""
    return list(session.scalars(select(Area).order_by(Area.name)))


def referral_areas(session: SessionLike, user: User) -> list[Area]:
    """The areas a referral by this user may go to: a coordinator's own, else every area."""
    if user.role == Role.COORDINATOR and user.areas:
        return list(user.areas)
    return areas_by_name(session)


def active_coordinators(session: SessionLike) -> list[User]:
    """Coordinators who can log in, by name (the possible owners of a case)."""
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.COORDINATOR.value, User.active.is_(True))
            .order_by(User.first_name, User.last_name)
        )
    )


# --------------------------------------------------------------------------- volunteers


@dataclass
class MyParentRow:
    case: Case
    parent: Parent
    stage: Stage
    assigned_at: datetime
    last_contact: datetime | None
    #: when the next contact is due: from then on the case is flagged "No contact"
    next_due: datetime
    #: the volunteer has not reached the parent yet since being assigned
    first_contact: bool = False


def last_contact_subquery(volunteer: User) -> Any:
    """The latest contact (by anyone) of each case open to this volunteer."""
    mine = select(Assignment.case_id).where(
        Assignment.volunteer_id == volunteer.id, Assignment.ended_at.is_(None)
    )
    return (
        select(CheckIn.case_id, func.max(CheckIn.occurred_at).label("last_contact"))
        .where(
            CheckIn.case_id.in_(mine),
            CheckIn.status == CheckInStatus.SUBMITTED.value,
            CheckIn.successful.is_(True),
        )
        .group_by(CheckIn.case_id)
        .subquery()
    )


def my_parents(session: SessionLike, volunteer: User, today: date) -> list[MyParentRow]:
    """Cases with an open assignment to this volunteer, the one due soonest first.

    A contact is due when the NO_CONTACT rule says (``rules_contact.contact_due`` with the
    saved thresholds): a new assignment's first within ``first_contact_days``."""
    last = last_contact_subquery(volunteer)
    query = (
        select(
            Case,
            Parent,
            stage_sql(Parent.due_date, Parent.birth_date, today),
            Assignment.started_at,
            last.c.last_contact,
        )
        .join(Parent, Case.parent_id == Parent.id)
        .join(Assignment, and_(Assignment.case_id == Case.id, Assignment.ended_at.is_(None)))
        .outerjoin(last, last.c.case_id == Case.id)
        .where(Assignment.volunteer_id == volunteer.id, visible_cases(volunteer))
    )
    limits = saved_thresholds(session)
    rows = []
    for case, parent, stage, started_at, last_contact in session.execute(query):
        if last_contact is not None and last_contact.tzinfo is None:
            last_contact = last_contact.replace(tzinfo=UTC)
        due, first = contact_due(started_at, last_contact, case.high_risk, limits)
        row = MyParentRow(case, parent, Stage(stage), started_at, last_contact, due, first)
        rows.append(row)
    rows.sort(key=lambda r: (r.next_due, r.case.id))
    return rows


def my_drafts(session: SessionLike, volunteer: User) -> list[tuple[CheckIn, Parent]]:
    """This volunteer's drafts for parents still assigned to them, last touched first."""
    query = (
        select(CheckIn, Parent)
        .join(Case, CheckIn.case_id == Case.id)
        .join(Parent, Case.parent_id == Parent.id)
        .where(
            CheckIn.volunteer_id == volunteer.id,
            CheckIn.status == CheckInStatus.DRAFT.value,
            visible_cases(volunteer),
        )
        .order_by(CheckIn.updated_at.desc(), CheckIn.id.desc())
    )
    return [(c, p) for c, p in session.execute(query)]


def checkin_for(session: SessionLike, user: User, checkin_id: int) -> CheckIn | None:
    """The check-in if ``user`` may see it: a volunteer only their own, on a case still theirs."""
    query = (
        select(CheckIn)
        .join(Case, CheckIn.case_id == Case.id)
        .where(CheckIn.id == checkin_id, visible_cases(user))
    )
    if user.role == "volunteer":
        query = query.where(
            CheckIn.volunteer_id == user.id, CheckIn.status != CheckInStatus.DELETED.value
        )
    else:  # a draft is the volunteer's own until submitted
        query = query.where(CheckIn.status != CheckInStatus.DRAFT.value)
    return session.scalar(query)


# --------------------------------------------------------------------------- case page


def volunteer_checkins(session: SessionLike, case: Case, volunteer: User) -> list[CheckIn]:
    """A volunteer's own check-ins for a case (not deleted), newest first."""
    return list(
        session.scalars(
            select(CheckIn)
            .where(
                CheckIn.case_id == case.id,
                CheckIn.volunteer_id == volunteer.id,
                CheckIn.status != CheckInStatus.DELETED.value,
            )
            .order_by(CheckIn.occurred_at.desc(), CheckIn.id.desc())
        )
    )


@dataclass
class Duplicates:
    """Possible duplicates of one parent, as one user may know of them."""

    #: the cases of possible duplicates this user may open
    cases: list[Case]
    #: for each possible duplicate in an area this user cannot see: what matched, in words
    #: ("phone number"); nothing else about that parent or case
    elsewhere: list[list[str]]

    def __bool__(self) -> bool:
        return bool(self.cases or self.elsewhere)


def possible_duplicates(session: SessionLike, user: User, parent: Parent) -> Duplicates:
    """Other parents who may be this one: the cases ``user`` may open, and a mention (what
    matched, never who) of those whose cases are all outside what ``user`` may see."""
    others = duplicates_of(session, parent)
    if not others:
        return Duplicates([], [])
    query = (
        select(Case)
        .options(joinedload(Case.parent))
        .where(Case.parent_id.in_([p.id for p in others]), visible_cases(user))
        .order_by(Case.id)
    )
    cases = list(session.scalars(query))
    seen = {c.parent_id for c in cases}
    elsewhere = [duplicate_keys(parent, p) for p in others if p.id not in seen]
    return Duplicates(cases, elsewhere)
