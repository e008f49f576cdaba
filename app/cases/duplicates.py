"""Possible duplicates: other parents who may be the same person, and copies set aside.

Reads only (the case page, the referral page and the waiting list use them); the writes that
set a copy aside are closing it as a duplicate (``service.close_case``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, exists, func, or_, select

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


#: what ``_match_keys`` reads of a parent (``Parent`` itself or a row of these columns)
KEY_COLUMNS = (
    Parent.id,
    Parent.email,
    Parent.phone_digits,
    Parent.first_name,
    Parent.last_name,
    Parent.due_date,
    Parent.birth_date,
)


def _match_keys(parent: Any, phone: str | None) -> set[tuple[Any, ...]]:
    """What ``duplicate_keys`` compares, as values: two parents sharing one may be the same."""
    keys: set[tuple[Any, ...]] = set()
    if parent.email:
        keys.add(("email", parent.email.lower()))
    if phone:
        keys.add(("phone", phone))
    if parent.last_name:
        name = (parent.first_name.lower(), parent.last_name.lower())
        if parent.due_date:
            keys.add(("due", *name, parent.due_date))
        if parent.birth_date:
            keys.add(("birth", *name, parent.birth_date))
    return keys


def _one_of(values: set[Any]) -> BindParameter[Any]:
    """A list for ``IN`` bound as one parameter: SQLAlchemy does not build an element per
    value (a page's hundred emails and phones cost more to build than to look up)."""
    return bindparam(None, sorted(values), expanding=True)


def parents_with_duplicates(session: SessionLike, parents: list[Parent]) -> set[int]:
    """The ids of those of ``parents`` (a page of a list) that ``duplicates_of`` would find a
    possible duplicate for. One statement however long the page: the parents sharing an
    email, a phone or a name and date with one of them (the page's own among them, since each
    shares its own), each with whether it is set aside; the keys are then matched in a
    dictionary (the same keys as ``duplicate_keys``)."""
    wanted = {p.id: _match_keys(p, phone_digits(p.phone)) for p in parents}
    keys = set().union(*wanted.values()) if wanted else set()
    if not keys:
        return set()
    by_kind: dict[str, set[Any]] = {"email": set(), "phone": set(), "last": set(), "date": set()}
    for kind, *value in keys:
        if kind in ("email", "phone"):
            by_kind[kind].add(value[0])
        else:  # a name and a date: fetched by last name and either date, matched exactly below
            by_kind["last"].add(value[1])
            by_kind["date"].add(value[2])
    # plain IN lists of single values (hashed by PostgreSQL, unlike lists of tuples)
    shares: list[ColumnElement[bool]] = []
    if by_kind["email"]:
        shares.append(func.lower(Parent.email).in_(_one_of(by_kind["email"])))
    if by_kind["phone"]:
        shares.append(Parent.phone_digits.in_(_one_of(by_kind["phone"])))
    if by_kind["last"]:
        dates = _one_of(by_kind["date"])
        shares.append(
            and_(
                func.lower(Parent.last_name).in_(_one_of(by_kind["last"])),
                or_(Parent.due_date.in_(dates), Parent.birth_date.in_(dates)),
            )
        )
    candidates = session.execute(
        select(*KEY_COLUMNS, set_aside_as_duplicate(Parent.id).label("set_aside")).where(
            or_(*shares)
        )
    ).all()
    set_aside = {c.id for c in candidates if c.set_aside}
    holders: dict[tuple[Any, ...], set[int]] = {}
    for other in candidates:
        if other.id not in set_aside:
            for key in _match_keys(other, other.phone_digits):
                holders.setdefault(key, set()).add(other.id)
    return {
        parent_id
        for parent_id, its_keys in wanted.items()
        if parent_id not in set_aside
        and any(holders.get(key, set()) - {parent_id} for key in its_keys)
    }
