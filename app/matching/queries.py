"""The few set-based queries matching needs (their number never grows with the data)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import load_only

from app.domain import CaseStatus, Role, VolunteerStatus, case_reference
from app.extensions import SessionLike
from app.languages import ISO_639_1 as LANGUAGES
from app.matching.distance import normalise_postcode
from app.models import (
    Area,
    Assignment,
    Case,
    MatchExclusion,
    Parent,
    PostcodeCentroid,
    User,
    VolunteerProfile,
)
from app.paging import Page
from app.paging_sql import page_of
from app.scope import visible_cases
from app.search_keys import SearchTerms, compact, like_inside


def open_counts_subquery() -> Any:
    return (
        select(Assignment.volunteer_id, func.count().label("n"))
        .where(Assignment.ended_at.is_(None))
        .group_by(Assignment.volunteer_id)
        .subquery()
    )


def open_counts(session: SessionLike) -> list[tuple[int, int]]:
    """(volunteer id, open assignments) for every volunteer supporting someone now."""
    rows = session.execute(
        select(Assignment.volunteer_id, func.count())
        .where(Assignment.ended_at.is_(None))
        .group_by(Assignment.volunteer_id)
    )
    return [(v, n) for v, n in rows]


def volunteer_rows_query(volunteer_ids: Sequence[int] | None = None) -> Select[Any]:
    """One row per volunteer with a profile, with their open caseload.

    A deactivated account counts as ``left``: it is never offered.
    """
    counts = open_counts_subquery()
    query = (
        select(
            VolunteerProfile.user_id.label("id"),
            case((User.active == false(), literal("left")), else_=VolunteerProfile.status).label(
                "status"
            ),
            VolunteerProfile.dbs_expires_on,
            VolunteerProfile.training_completed_on,
            VolunteerProfile.training_expires_on,
            func.coalesce(counts.c.n, 0).label("open_count"),
            VolunteerProfile.max_caseload,
            VolunteerProfile.stages,
            VolunteerProfile.languages,
            VolunteerProfile.tags,
            VolunteerProfile.availability,
            VolunteerProfile.postcode,
            VolunteerProfile.latitude,
            VolunteerProfile.longitude,
            VolunteerProfile.travel_km,
            VolunteerProfile.remote_only,
            VolunteerProfile.area_id,
            User.email,
            User.first_name,
            User.last_name,
        )
        .join(User, User.id == VolunteerProfile.user_id)
        .outerjoin(counts, counts.c.volunteer_id == VolunteerProfile.user_id)
        .order_by(VolunteerProfile.user_id)
    )
    if volunteer_ids is not None:
        query = query.where(VolunteerProfile.user_id.in_(list(volunteer_ids)))
    return query


def volunteer_rows(session: SessionLike, volunteer_ids: Sequence[int] | None = None) -> list[Any]:
    return list(session.execute(volunteer_rows_query(volunteer_ids)).all())


def names_for(session: SessionLike, volunteer_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """{volunteer id: (full name, email)}, read afresh (one query)."""
    if not volunteer_ids:
        return {}
    rows = session.execute(
        select(User.id, User.first_name, User.last_name, User.email).where(
            User.id.in_(sorted(set(volunteer_ids)))
        )
    )
    return {i: (f"{first} {last}".strip(), email) for i, first, last, email in rows}


def _parent_ids(parent_ids: Iterable[int] | Select[Any]) -> list[int] | Select[Any]:
    """A list of ids, or a SELECT of ids (better than thousands of bound ids)."""
    return parent_ids if isinstance(parent_ids, Select) else list(parent_ids)


def exclusion_pairs(session: SessionLike, parent_ids: Select[Any]) -> list[tuple[int, int]]:
    """(parent id, excluded volunteer id) for the parents ``parent_ids`` selects."""
    rows = session.execute(
        select(MatchExclusion.parent_id, MatchExclusion.volunteer_id).where(
            MatchExclusion.parent_id.in_(parent_ids)
        )
    )
    return [(p, v) for p, v in rows]


def previous_pairs(session: SessionLike, parent_ids: Select[Any]) -> list[tuple[int, int]]:
    """(parent id, volunteer id) for every ended assignment on those parents' cases."""
    rows = session.execute(
        select(Case.parent_id, Assignment.volunteer_id)
        .join(Assignment, Assignment.case_id == Case.id)
        .where(Case.parent_id.in_(parent_ids), Assignment.ended_at.is_not(None))
        .distinct()
    )
    return [(p, v) for p, v in rows]


def exclusions_for(
    session: SessionLike, parent_ids: Iterable[int] | Select[Any]
) -> dict[int, set[int]]:
    """{parent id: volunteer ids excluded for them}."""
    out: dict[int, set[int]] = defaultdict(set)
    ids = _parent_ids(parent_ids)
    if isinstance(ids, list) and not ids:
        return out
    rows = session.execute(
        select(MatchExclusion.parent_id, MatchExclusion.volunteer_id).where(
            MatchExclusion.parent_id.in_(ids)
        )
    )
    for parent_id, volunteer_id in rows:
        out[parent_id].add(volunteer_id)
    return out


def previous_volunteers_for(
    session: SessionLike, parent_ids: Iterable[int] | Select[Any]
) -> dict[int, set[int]]:
    """{parent id: volunteers whose assignment to one of the parent's cases has ended}."""
    out: dict[int, set[int]] = defaultdict(set)
    ids = _parent_ids(parent_ids)
    if isinstance(ids, list) and not ids:
        return out
    rows = session.execute(
        select(Case.parent_id, Assignment.volunteer_id)
        .join(Assignment, Assignment.case_id == Case.id)
        .where(Case.parent_id.in_(ids), Assignment.ended_at.is_not(None))
        .distinct()
    )
    for parent_id, volunteer_id in rows:
        out[parent_id].add(volunteer_id)
    return out


def newest_open_case(session: SessionLike, parent_id: int) -> Case | None:
    """The parent's most recent case that is not closed, if any."""
    return session.scalar(
        select(Case)
        .where(Case.parent_id == parent_id, Case.status != CaseStatus.CLOSED.value)
        .order_by(Case.referred_at.desc(), Case.id.desc())
        .limit(1)
    )


def open_assignment(session: SessionLike, case_id: int) -> Assignment | None:
    return session.scalar(
        select(Assignment)
        .where(Assignment.case_id == case_id, Assignment.ended_at.is_(None))
        .execution_options(populate_existing=True)
    )


# --------------------------------------------------------------------------- pages


def visible_volunteers(user: User) -> Any:
    """WHERE clause over User (outer-joined to VolunteerProfile): volunteers this user
    manages. Admins and coordinators without areas: everyone; a coordinator with areas:
    volunteers of those areas, with no area, or with no profile yet (to set one up)."""
    if user.role == Role.ADMIN:
        return true()
    area_ids = [area.id for area in user.areas]
    if not area_ids:
        return true()
    return (
        VolunteerProfile.id.is_(None)
        | VolunteerProfile.area_id.is_(None)
        | VolunteerProfile.area_id.in_(area_ids)
    )


def language_codes_named(terms: SearchTerms) -> list[str]:
    """The language codes a query names: ``pol``/``Polish`` → ``pl``; a code itself (``so``)."""
    return sorted(
        code
        for code, name in LANGUAGES.items()
        if terms.key and (compact(name).startswith(terms.key) or code == terms.key)
    )


def volunteer_matches(terms: SearchTerms) -> ColumnElement[bool]:
    """Volunteers the query names: name or email (``users.search_key``), postcode, language."""
    if terms.empty:
        return false()
    pattern = like_inside(terms.key)
    postcode = func.replace(func.lower(VolunteerProfile.postcode), " ", "")
    matches = [User.search_key.like(pattern, escape="/"), postcode.like(pattern, escape="/")]
    # languages is a JSON list of two-letter codes: its text holds each one in quotes
    languages = cast(VolunteerProfile.languages, String)
    matches += [languages.like(f'%"{code}"%') for code in language_codes_named(terms)]
    return or_(*matches)


#: what the volunteer list shows, and nothing else (no password hashes, no decoding of
#: every profile's lists); another column read is loaded then (one statement each: the
#: statement-count tests would show it), never an error
LIST_COLUMNS = (
    load_only(User.id, User.first_name, User.last_name, User.active),
    load_only(
        VolunteerProfile.user_id,
        VolunteerProfile.status,
        VolunteerProfile.max_caseload,
        VolunteerProfile.dbs_expires_on,
        VolunteerProfile.training_completed_on,
        VolunteerProfile.training_expires_on,
    ),
)


def volunteer_list(
    session: SessionLike,
    user: User,
    status: str = "",
    terms: SearchTerms | None = None,
    page: int = 1,
) -> tuple[list[Any], Page]:
    """One page of (User, VolunteerProfile | None, open assignments) for the volunteers
    ``user`` manages, by name; only those with ``status`` if it is a volunteer status, and
    those the search terms find if any. Two statements: the count, the page."""
    query = (
        select(User.id)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.role == Role.VOLUNTEER.value, visible_volunteers(user))
        .order_by(User.last_name, User.first_name, User.id)
    )
    if status in {s.value for s in VolunteerStatus}:
        query = query.where(VolunteerProfile.status == status)
    if terms is not None and terms.text:
        query = query.where(volunteer_matches(terms))
    limited, shown = page_of(session, query, page)
    open_count = (
        select(func.count())
        .where(Assignment.volunteer_id == User.id, Assignment.ended_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )
    rows = session.execute(
        select(User, VolunteerProfile, open_count)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .options(*LIST_COLUMNS)
        .where(User.id.in_(limited.subquery().select()))
        .order_by(User.last_name, User.first_name, User.id)
    )
    return list(rows.all()), shown


def managed_volunteer(session: SessionLike, user: User, volunteer_id: int) -> User | None:
    """The volunteer with this id if ``user`` manages them (profile or not), else None."""
    return session.scalar(
        select(User)
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == User.id)
        .where(User.id == volunteer_id, User.role == Role.VOLUNTEER.value)
        .where(visible_volunteers(user))
    )


def areas_by_name(session: SessionLike) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.name)))


def profile_of(session: SessionLike, user_id: int) -> VolunteerProfile | None:
    return session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id))


def visible_case_ids(session: SessionLike, user: User, case_ids: Iterable[int]) -> set[int]:
    """Those of ``case_ids`` that ``user`` may see."""
    return set(
        session.scalars(select(Case.id).where(visible_cases(user), Case.id.in_(list(case_ids))))
    )


def references_for(
    session: SessionLike, case_ids: Iterable[int], volunteer_ids: Iterable[int]
) -> dict[str, dict[int, str]]:
    """{"case": {id: "parent's name (reference)"}, "volunteer": {id: full name}} (two queries)."""
    cases = session.execute(
        select(Case.id, Parent.first_name, Parent.last_name)
        .join(Parent, Parent.id == Case.parent_id)
        .where(Case.id.in_(list(case_ids)))
    )
    users = session.scalars(select(User).where(User.id.in_(list(volunteer_ids))))
    return {
        "case": {
            i: f"{first} {last}".strip() + f" ({case_reference(i)})" for i, first, last in cases
        },
        "volunteer": {u.id: u.full_name for u in users},
    }


def centroid_for(session: SessionLike, postcode: str | None) -> tuple[float, float] | None:
    """The imported coordinates of this postcode, if any (for filling new records)."""
    norm = normalise_postcode(postcode)
    if norm is None:
        return None
    row = session.execute(
        select(PostcodeCentroid.latitude, PostcodeCentroid.longitude).where(
            PostcodeCentroid.postcode == norm
        )
    ).first()
    return (row[0], row[1]) if row else None


# --------------------------------------------------------------------------- the plan


def waiting_parent_ids(where: Any = None) -> Select[Any]:
    """SELECT of the parent ids of the waiting cases (limited by ``where``)."""
    query = select(Case.parent_id).where(Case.status == CaseStatus.WAITING.value)
    return query.where(where) if where is not None else query


def waiting_rows(session: SessionLike, where: Any = None) -> list[Any]:
    """Waiting cases (oldest referral first) with what matching needs of their parents:
    one Core query returning plain rows (``id`` is the parent's, ``case_id`` the case's)."""
    query = (
        select(
            Case.id.label("case_id"),
            Parent.id,
            Parent.ref,
            Parent.first_name,
            Parent.last_name,
            Parent.due_date,
            Parent.birth_date,
            Parent.languages,
            Parent.tags,
            Parent.availability,
            Parent.postcode,
            Parent.latitude,
            Parent.longitude,
            Parent.contact_mode,
            Case.area_id,
        )
        .join(Parent, Parent.id == Case.parent_id)
        .where(Case.status == CaseStatus.WAITING.value)
        .order_by(Case.referred_at, Case.id)
    )
    if where is not None:
        query = query.where(where)
    return list(session.execute(query).all())
