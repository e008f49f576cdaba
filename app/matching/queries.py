"""The few set-based queries matching needs (their number never grows with the data)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, case, false, func, literal, select

from app.extensions import SessionLike
from app.models import Assignment, Case, MatchExclusion, User, VolunteerProfile


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


def open_assignment(session: SessionLike, case_id: int) -> Assignment | None:
    return session.scalar(
        select(Assignment)
        .where(Assignment.case_id == case_id, Assignment.ended_at.is_(None))
        .execution_options(populate_existing=True)
    )


def open_count(session: SessionLike, volunteer_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.volunteer_id == volunteer_id, Assignment.ended_at.is_(None))
        )
        or 0
    )
