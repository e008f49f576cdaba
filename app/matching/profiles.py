"""Every write of a volunteer profile: the coordinators' edit, a volunteer's own availability
and pause, coordinates from the postcode centroids.

Each write moves the profile's ``updated_at`` forward (``touch``): the pool cache reuses the
volunteer arrays while an aggregate over the profiles, which sums ``updated_at``, is
unchanged (``pool_cache.fingerprint``). Writers outside this module (the spreadsheet
importer, the demo builder, account creation) insert profiles, which changes the count, or
set ``updated_at`` themselves.

A change of status or DBS expiry evaluates the escalation rules again for the volunteer's
current parents (VOLUNTEER_LAPSED), in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select, update

from app.domain import VolunteerStatus
from app.escalation.hooks import on_case_facts_changed
from app.extensions import SessionLike
from app.matching import queries
from app.matching.distance import normalise_postcode
from app.matching.errors import MatchError
from app.models import Assignment, User, VolunteerProfile

#: The least a write moves ``updated_at``: more than the fingerprint's millisecond rounding.
STEP = timedelta(milliseconds=2)


def next_stamp(old: datetime | None, now: datetime) -> datetime:
    """``now``, but at least ``STEP`` after ``old``: a write never leaves the stamp in place
    (two writes in one request, a fixed clock in tests)."""
    return now if old is None or now >= old + STEP else old + STEP


def touch(profile: VolunteerProfile, now: datetime) -> None:
    profile.updated_at = next_stamp(profile.updated_at, now)


def _volunteers_cases_changed(session: SessionLike, now: datetime, volunteer_id: int) -> None:
    """The volunteer's status or DBS changed: their current parents' rules run again."""
    cases = session.scalars(
        select(Assignment.case_id).where(
            Assignment.volunteer_id == volunteer_id, Assignment.ended_at.is_(None)
        )
    )
    on_case_facts_changed(session, now, cases)


@dataclass(frozen=True)
class ProfileFields:
    """Everything a coordinator sets on a volunteer's profile."""

    status: str = VolunteerStatus.ACTIVE.value
    area_id: int | None = None
    phone: str | None = None
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    languages: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    availability: tuple[str, ...] = ()
    max_caseload: int = 3
    travel_km: float | None = None
    remote_only: bool = False
    training_completed_on: date | None = None
    training_expires_on: date | None = None
    dbs_checked_on: date | None = None
    dbs_expires_on: date | None = None

    @classmethod
    def of(cls, profile: VolunteerProfile) -> ProfileFields:
        """The profile's fields as they are (to change a few with ``dataclasses.replace``)."""
        values = {f.name: getattr(profile, f.name) for f in fields(cls)}
        for name in ("languages", "stages", "tags", "availability"):
            values[name] = tuple(values[name] or ())
        return cls(**values)


def save_profile(
    session: SessionLike, now: datetime, volunteer: User, values: ProfileFields
) -> VolunteerProfile:
    """Create or update ``volunteer``'s profile; coordinates follow the postcode."""
    profile = volunteer.volunteer_profile
    if profile is None:
        profile = VolunteerProfile(user_id=volunteer.id)
        session.add(profile)
    old_postcode = profile.postcode
    old_coords = (profile.latitude, profile.longitude)
    old_lapse = (profile.status, profile.dbs_expires_on)
    profile.status = values.status or VolunteerStatus.ACTIVE.value
    profile.area_id = values.area_id or None
    profile.phone = values.phone or None
    profile.postcode = values.postcode or None
    profile.latitude, profile.longitude = values.latitude, values.longitude
    if profile.postcode != old_postcode and (profile.latitude, profile.longitude) == old_coords:
        # A new postcode with the old coordinates left in place: they no longer apply.
        profile.latitude = profile.longitude = None
    if profile.latitude is None or profile.longitude is None:
        found = queries.centroid_for(session, profile.postcode)
        profile.latitude, profile.longitude = found if found else (None, None)
    profile.languages = list(values.languages)
    profile.stages = list(values.stages)
    profile.tags = list(values.tags)
    profile.availability = list(values.availability)
    profile.max_caseload = values.max_caseload
    profile.travel_km = values.travel_km
    profile.remote_only = values.remote_only
    profile.training_completed_on = values.training_completed_on
    profile.training_expires_on = values.training_expires_on
    profile.dbs_checked_on = values.dbs_checked_on
    profile.dbs_expires_on = values.dbs_expires_on
    touch(profile, now)
    session.flush()
    if (profile.status, profile.dbs_expires_on) != old_lapse:
        _volunteers_cases_changed(session, now, volunteer.id)
    return profile


def set_availability(
    session: SessionLike,
    now: datetime,
    profile: VolunteerProfile,
    slots: list[str],
    reminders: bool | None = None,
) -> None:
    """A volunteer's own choice of when they are usually free, and whether they get the
    daily reminder email (None: unchanged). New-parent and account emails stay on."""
    profile.availability = list(slots)
    if reminders is not None:
        profile.email_reminders = reminders
    touch(profile, now)
    session.flush()


def set_own_status(
    session: SessionLike, now: datetime, profile: VolunteerProfile, status: VolunteerStatus
) -> None:
    """A volunteer pauses or resumes; someone who has left must ask their coordinator."""
    if profile.status == VolunteerStatus.LEFT:
        raise MatchError("Your profile says you have left the service: ask your coordinator.")
    changed = profile.status != status.value
    profile.status = status.value
    touch(profile, now)
    session.flush()
    if changed:
        _volunteers_cases_changed(session, now, profile.user_id)


def fill_coordinates(
    session: SessionLike, now: datetime, centroids: dict[str, tuple[float, float]]
) -> int:
    """Set coordinates from ``centroids`` on profiles that have a postcode but no
    coordinates (one read, one write per filled profile); how many were filled."""
    vp = VolunteerProfile
    rows = session.execute(
        select(vp.id, vp.postcode, vp.updated_at).where(
            vp.postcode.is_not(None), vp.latitude.is_(None) | vp.longitude.is_(None)
        )
    ).all()
    filled = 0
    for row_id, postcode, updated_at in rows:
        found = centroids.get(normalise_postcode(postcode) or "")
        if found is None:
            continue
        session.execute(
            update(vp)
            .where(vp.id == row_id)
            .values(latitude=found[0], longitude=found[1], updated_at=next_stamp(updated_at, now))
            .execution_options(synchronize_session=False)
        )
        filled += 1
    return filled
