"""Possible duplicates: other parents who may be the same person, and copies set aside.

Reads only (the case page, the referral page and the waiting list use them); the writes that
set a copy aside are closing it as a duplicate (``service.close_case``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased

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
    if is_set_aside_as_duplicate(parent) or parent.erased_at is not None:
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
        .where(
            Parent.id != parent.id,
            or_(*conditions),
            ~set_aside_as_duplicate(Parent.id),
            Parent.erased_at.is_(None),  # "Erased parent" is nobody's duplicate
        )
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


def _shares_with(me: Any, other: Any) -> ColumnElement[bool]:
    """SQL: ``other`` shares with ``me`` what ``duplicates_of`` looks for (an email, a phone
    number, or a name with the due date or the baby's date of birth), each branch by an index
    of ``other``'s (migration 0016, and ``ix_parents_phone_digits``)."""
    same_name = and_(
        me.last_name != "",
        func.lower(other.last_name) == func.lower(me.last_name),
        func.lower(other.first_name) == func.lower(me.first_name),
        or_(other.due_date == me.due_date, other.birth_date == me.birth_date),
    )
    return or_(
        and_(me.email != "", func.lower(other.email) == func.lower(me.email)),
        and_(me.phone_digits != "", other.phone_digits == me.phone_digits),
        same_name,
    )


def _with_duplicates_statement() -> Any:
    other = aliased(Parent)
    has_duplicate = (
        exists()
        .where(
            other.id != Parent.id,
            _shares_with(Parent, other),
            ~set_aside_as_duplicate(other.id),
            other.erased_at.is_(None),
        )
        .correlate(Parent)
    )
    return select(Parent.id).where(
        Parent.id.in_(bindparam("ids", expanding=True)),
        ~set_aside_as_duplicate(Parent.id),
        has_duplicate,
    )


#: built once: the page's ids are its one (expanding) parameter
_WITH_DUPLICATES = _with_duplicates_statement()


def parents_with_duplicates(session: SessionLike, parents: list[Parent]) -> set[int]:
    """The ids of those of ``parents`` (a page of a list) that ``duplicates_of`` would find a
    possible duplicate for, and that are not set aside themselves. One statement however
    long the page, matched in the database: the page's parents by id, each with an EXISTS
    over the parents sharing a key with it (by the lowered email and last-name indexes and
    the phone digits' index), so nothing but the marked ids comes back."""
    if not parents:
        return set()
    ids = sorted({parent.id for parent in parents})
    return set(session.scalars(_WITH_DUPLICATES, {"ids": ids}))
