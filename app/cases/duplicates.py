"""Possible duplicates: other parents who may be the same person, and copies set aside.

Reads only (the case page, the referral page and the waiting list use them); the writes that
set a copy aside are closing it as a duplicate (``service.close_case``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, tuple_

from app.domain import DUPLICATE_CLOSE_REASONS, CaseStatus
from app.extensions import SessionLike
from app.models import Case, Parent
from app.search_keys import phone_digits


def _closed_as_duplicate() -> ColumnElement[bool]:
    return and_(
        Case.status == CaseStatus.CLOSED.value,
        func.lower(func.coalesce(Case.close_reason, "")).in_(DUPLICATE_CLOSE_REASONS),
    )


def set_aside_as_duplicate(parent_id: Any) -> ColumnElement[bool]:
    """SQL: true where the parent ``parent_id`` has cases and all of them were closed as a
    duplicate referral: a copy a coordinator has dealt with, no longer anyone's duplicate."""
    of_parent = Case.parent_id == parent_id
    # "has a case, and none that is not closed as a duplicate": the same as "has one closed as
    # a duplicate and none other", but both lookups go by the parent's id (SQLite otherwise
    # walks every closed case for each parent: seconds on the waiting list at a large charity)
    return and_(
        exists().where(of_parent),
        ~exists().where(of_parent, ~_closed_as_duplicate()),
    )


def is_set_aside_as_duplicate(parent: Parent) -> bool:
    """Python for ``set_aside_as_duplicate`` (loads the parent's cases)."""
    return bool(parent.cases) and all(
        c.status == CaseStatus.CLOSED and (c.close_reason or "").lower() in DUPLICATE_CLOSE_REASONS
        for c in parent.cases
    )


def duplicates_of(session: SessionLike, parent: Parent) -> list[Parent]:
    """Other parents who may be the same person: same email, same phone, or same name + date.

    A parent set aside as a duplicate (every case closed as "Duplicate referral") neither has
    nor is a duplicate any more: closing the copy ends the warning on both sides.
    """
    if is_set_aside_as_duplicate(parent):
        return []
    conditions = []
    if parent.email:
        conditions.append(func.lower(Parent.email) == parent.email.lower())
    phone = phone_digits(parent.phone)  # the stored search key's folding (app.search_keys)
    if phone:
        conditions.append(Parent.phone_digits == phone)
    same_name = (func.lower(Parent.first_name) == parent.first_name.lower()) & (
        func.lower(Parent.last_name) == (parent.last_name or "").lower()
    )
    dates = []
    if parent.due_date:
        dates.append(Parent.due_date == parent.due_date)
    if parent.birth_date:
        dates.append(Parent.birth_date == parent.birth_date)
    if dates and parent.last_name:
        conditions.append(same_name & or_(*dates))
    if not conditions:
        return []
    query = (
        select(Parent)
        .where(Parent.id != parent.id, or_(*conditions), ~set_aside_as_duplicate(Parent.id))
        .order_by(Parent.id)
    )
    return list(session.scalars(query))


def duplicate_keys(parent: Parent, other: Parent) -> list[str]:
    """What ``other`` shares with ``parent`` that makes it a possible duplicate, in words."""
    keys = []
    if parent.email and other.email and parent.email.lower() == other.email.lower():
        keys.append("email address")
    phone = phone_digits(parent.phone)
    if phone and phone == phone_digits(other.phone):
        keys.append("phone number")
    same_name = parent.last_name and (
        (parent.first_name.lower(), parent.last_name.lower())
        == (other.first_name.lower(), (other.last_name or "").lower())
    )
    if same_name and parent.due_date and parent.due_date == other.due_date:
        keys.append("name and due date")
    if same_name and parent.birth_date and parent.birth_date == other.birth_date:
        keys.append("name and baby's date of birth")
    return keys


def parents_with_duplicates(session: SessionLike, parents: list[Parent]) -> set[int]:
    """The ids of those of ``parents`` (a page of a list) that ``duplicates_of`` would find a
    possible duplicate for. Two statements however long the page: the other parents sharing
    an email, phone or name with one of them (keys compared as ``duplicates_of`` does), and
    which of all those are set aside; the pairs are then matched by ``duplicate_keys``."""
    if not parents:
        return set()
    emails = {p.email.lower() for p in parents if p.email}
    phones = {key for p in parents if (key := phone_digits(p.phone))}
    names = {(p.first_name.lower(), p.last_name.lower()) for p in parents if p.last_name}
    shares: list[ColumnElement[bool]] = []
    if emails:
        shares.append(func.lower(Parent.email).in_(emails))
    if phones:
        shares.append(Parent.phone_digits.in_(phones))
    if names:
        first, last = func.lower(Parent.first_name), func.lower(Parent.last_name)
        shares.append(tuple_(first, last).in_(names))
    if not shares:
        return set()
    page_ids = {p.id for p in parents}
    candidates = list(session.scalars(select(Parent).where(or_(*shares))))
    set_aside = set(
        session.scalars(
            select(Parent.id).where(
                Parent.id.in_(page_ids | {c.id for c in candidates}),
                set_aside_as_duplicate(Parent.id),
            )
        )
    )
    return {
        p.id
        for p in parents
        if p.id not in set_aside
        and any(c.id != p.id and c.id not in set_aside and duplicate_keys(p, c) for c in candidates)
    }
