"""The cached volunteer pool never serves stale facts after a change.

Every profile write in the app goes through ``app.matching.profiles`` (which moves
``updated_at`` forward) or sets ``updated_at`` itself (the spreadsheet importer); the
statuses, caseload limits and check dates are in the fingerprint directly.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.domain import VolunteerStatus
from app.extensions import SessionLike
from app.matching import assignments, pool_cache, profiles, suggestions
from app.matching.errors import MatchError
from app.matching.profiles import ProfileFields
from app.models import Parent, User, VolunteerProfile
from tests.factories import NOW, make_assignment, make_case, make_parent, make_volunteer


def offered(session: SessionLike, parent: Parent) -> list[int]:
    return [s.volunteer_id for s in suggestions.suggest(session, NOW, parent).items]


def test_changes_reach_the_suggestions(session: SessionLike) -> None:
    parent = make_parent(session, tags=["twins"])
    a = make_volunteer(session, max_caseload=1)
    b = make_volunteer(session)
    assert offered(session, parent) == [a.id, b.id] or offered(session, parent) == [b.id, a.id]
    key = pool_cache.fingerprint(session)

    # A status change written without touching updated_at (e.g. by an import).
    session.execute(
        update(VolunteerProfile).where(VolunteerProfile.user_id == a.id).values(status="paused")
    )
    assert pool_cache.fingerprint(session) != key
    assert offered(session, parent) == [b.id]
    session.execute(
        update(VolunteerProfile).where(VolunteerProfile.user_id == a.id).values(status="active")
    )
    assert sorted(offered(session, parent)) == sorted([a.id, b.id])

    # An assignment fills a's only place.
    make_assignment(session, make_case(session), a)
    assert offered(session, parent) == [b.id]

    # b's account is closed.
    session.execute(update(User).where(User.id == b.id).values(active=False))
    assert offered(session, parent) == []
    session.execute(update(User).where(User.id == b.id).values(active=True))

    # b gains the parent's experience (the coordinators' edit): the score changes.
    before = suggestions.suggest(session, NOW, parent).items[0].score
    profile = _profile(session, b.id)
    profiles.save_profile(session, NOW, b, replace(ProfileFields.of(profile), tags=("twins",)))
    assert suggestions.suggest(session, NOW, parent).items[0].score > before

    # A new volunteer appears.
    c = make_volunteer(session)
    assert c.id in offered(session, parent)


def test_dbs_date_change_without_updated_at_is_seen(session: SessionLike) -> None:
    parent = make_parent(session)
    vol = make_volunteer(session, dbs_expires_on=date(2028, 1, 1))
    assert offered(session, parent) == [vol.id]
    session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == vol.id)
        .values(dbs_expires_on=date(2026, 9, 1))
    )
    assert offered(session, parent) == []


def _profile(session: SessionLike, user_id: int) -> VolunteerProfile:
    from sqlalchemy import select

    found = session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id))
    assert found is not None
    return found


def test_same_length_language_swap_through_the_profile_service_is_seen(
    session: SessionLike,
) -> None:
    # The hole a plain "updated_at = now" leaves: "pl" → "so" keeps every length, and with a
    # fixed clock (or two writes in one instant) updated_at would stay where it was.
    parent = make_parent(session, languages=["pl"])
    vol = make_volunteer(session, languages=["pl"])
    assert offered(session, parent) == [vol.id]
    key = pool_cache.fingerprint(session)
    profile = _profile(session, vol.id)
    assert profile.updated_at == NOW
    profiles.save_profile(session, NOW, vol, replace(ProfileFields.of(profile), languages=("so",)))
    assert pool_cache.fingerprint(session) != key
    assert offered(session, parent) == []  # no shared language any more
    profiles.save_profile(session, NOW, vol, replace(ProfileFields.of(profile), languages=("pl",)))
    assert offered(session, parent) == [vol.id]


def test_a_volunteers_own_changes_are_seen_with_a_fixed_clock(session: SessionLike) -> None:
    parent = make_parent(session, availability=["mon-am"])
    vol = make_volunteer(session, availability=["tue-pm"])
    profile = _profile(session, vol.id)
    first = suggestions.suggest(session, NOW, parent).items[0]
    profiles.set_availability(session, NOW, profile, ["mon-am"])
    assert suggestions.suggest(session, NOW, parent).items[0].score > first.score
    key = pool_cache.fingerprint(session)
    profiles.set_own_status(session, NOW, profile, VolunteerStatus.PAUSED)
    assert pool_cache.fingerprint(session) != key
    assert offered(session, parent) == []
    profiles.set_own_status(session, NOW, profile, VolunteerStatus.ACTIVE)
    assert offered(session, parent) == [vol.id]


def test_someone_who_left_cannot_resume_themselves(session: SessionLike) -> None:
    vol = make_volunteer(session, status="left")
    with pytest.raises(MatchError, match="ask your coordinator"):
        profiles.set_own_status(session, NOW, _profile(session, vol.id), VolunteerStatus.ACTIVE)


def test_coordinates_from_a_postcode_import_are_seen(session: SessionLike) -> None:
    from app.matching.postcodes import import_centroids

    parent = make_parent(session, postcode="BS1 4DJ", latitude=51.45, longitude=-2.59)
    vol = make_volunteer(session, postcode="BS1 5AA", latitude=None, longitude=None, travel_km=5)
    assert offered(session, parent) == [vol.id]  # no coordinates: same district, near
    key = pool_cache.fingerprint(session)
    far = "postcode,latitude,longitude\nBS1 5AA,52.45,-2.59\n"  # 111 km north
    assert import_centroids(session, NOW, far, "pc.csv").volunteers_filled == 1
    assert pool_cache.fingerprint(session) != key
    assert offered(session, parent) == []


def test_a_bulk_writer_that_moves_updated_at_is_seen(session: SessionLike) -> None:
    # As the spreadsheet importer writes: plain UPDATE statements that set updated_at.
    parent = make_parent(session, languages=["pl"])
    vol = make_volunteer(session, languages=["pl"])
    assert offered(session, parent) == [vol.id]
    session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.user_id == vol.id)
        .values(languages=["so"], updated_at=NOW + timedelta(minutes=1))
    )
    assert offered(session, parent) == []


def test_next_stamp_always_moves_forward() -> None:
    assert profiles.next_stamp(None, NOW) == NOW
    assert profiles.next_stamp(NOW - timedelta(hours=1), NOW) == NOW
    assert profiles.next_stamp(NOW, NOW) == NOW + profiles.STEP
    later = NOW + timedelta(minutes=5)  # a profile stamped ahead of this clock
    assert profiles.next_stamp(later, NOW) == later + profiles.STEP


def test_names_are_read_afresh(session: SessionLike) -> None:
    parent = make_parent(session)
    vol = make_volunteer(session, user_kw={"first_name": "Ann", "last_name": "Old"})
    assert suggestions.suggest(session, NOW, parent).items[0].name == "Ann Old"
    session.execute(update(User).where(User.id == vol.id).values(last_name="New"))
    assert suggestions.suggest(session, NOW, parent).items[0].name == "Ann New"


def test_locking_for_an_assignment_keeps_updated_at(session: SessionLike) -> None:
    vol = make_volunteer(session)
    before = _profile(session, vol.id).updated_at
    assignments.lock_for_assignment(session, [], [vol.id])
    session.expire_all()
    assert _profile(session, vol.id).updated_at == before


def test_an_assignment_keeps_the_cache_but_fills_the_place(session: SessionLike) -> None:
    parent = make_parent(session)
    vol = make_volunteer(session, max_caseload=1)
    assert offered(session, parent) == [vol.id]
    engine = session.get_bind()
    cached = pool_cache._entries[engine][2]  # type: ignore[index]
    make_assignment(session, make_case(session), vol)
    assert offered(session, parent) == []  # the caseload is read afresh...
    assert pool_cache._entries[engine][2] is cached  # type: ignore[index]  # ...not rebuilt
    other = make_volunteer(session, max_caseload=3)
    make_assignment(session, make_case(session), other)
    item = suggestions.suggest(session, NOW, parent).items[0]
    assert item.volunteer_id == other.id
    words = {p.name: p.words for p in item.parts}
    assert words["workload"] == "Supporting 1 of up to 3; 2 places free"


def test_without_the_cache_the_suggestions_are_the_same(
    session: SessionLike, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The benchmark times both ways; they must agree.
    parent = make_parent(session, tags=["twins"])
    for n in range(4):
        make_volunteer(session, tags=["twins"] if n % 2 else [], max_caseload=n)
    cached = suggestions.suggest(session, NOW, parent)
    monkeypatch.setattr(pool_cache, "ENABLED", False)
    fresh = suggestions.suggest(session, NOW, parent)
    assert [(s.volunteer_id, s.score) for s in fresh.items] == [
        (s.volunteer_id, s.score) for s in cached.items
    ]
    assert fresh.excluded == cached.excluded


def test_a_reimport_as_of_the_same_time_is_seen(session: SessionLike) -> None:
    # The importer moves updated_at forward from the stored stamp, even when --now is the
    # stamp itself: a same-length language swap (pl -> so) must still reach the suggestions.
    from app.spreadsheets.importer import import_spreadsheets

    header = (
        "email,first_name,last_name,postcode,latitude,longitude,languages,stages,tags,"
        "max_caseload,availability,travel_km,remote_only,training_completed_on,"
        "dbs_checked_on,dbs_expires_on,status\n"
    )

    def volunteers_csv(language: str) -> bytes:
        row = (
            f"pat@corner.test,Pat,Lee,BS1 4DJ,,,{language},pregnancy;birth;postnatal,,3,"
            "mon-am,10,no,2025-01-10,2025-01-05,2028-01-05,active\n"
        )
        return (header + row).encode()

    parent = make_parent(session, languages=["pl"])
    first = import_spreadsheets(session, NOW, {"volunteers.csv": volunteers_csv("pl")})
    assert first.ok, first.problems
    pat = session.scalar(select(User).where(User.email == "pat@corner.test"))
    assert pat is not None
    assert offered(session, parent) == [pat.id]
    again = import_spreadsheets(session, NOW, {"volunteers.csv": volunteers_csv("so")})
    assert again.ok, again.problems
    assert offered(session, parent) == []
