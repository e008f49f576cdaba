"""The cached volunteer pool never serves stale facts after a change."""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import SessionLike
from app.matching import pool_cache, service
from app.models import Parent, User, VolunteerProfile
from tests.factories import NOW, make_assignment, make_case, make_parent, make_volunteer


def offered(session: SessionLike, parent: Parent) -> list[int]:
    return [s.volunteer_id for s in service.suggest(session, NOW, parent).items]


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

    # b gains the parent's experience: the score changes.
    before = service.suggest(session, NOW, parent).items[0].score
    session.execute(
        update(VolunteerProfile).where(VolunteerProfile.user_id == b.id).values(tags=["twins"])
    )
    assert service.suggest(session, NOW, parent).items[0].score > before

    # A new volunteer appears.
    c = make_volunteer(session)
    assert c.id in offered(session, parent)


def test_dbs_date_change_without_updated_at_is_seen(session: SessionLike) -> None:
    from datetime import date

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


def test_same_length_language_swap_through_the_orm_is_seen(session: SessionLike) -> None:
    # The hole the old fingerprint had: "pl" → "so" keeps every length, and a page that
    # writes updated_at = now with a fixed clock leaves max(updated_at) where it was.
    parent = make_parent(session, languages=["pl"])
    vol = make_volunteer(session, languages=["pl"])
    assert offered(session, parent) == [vol.id]
    key = pool_cache.fingerprint(session)
    profile = _profile(session, vol.id)
    profile.languages = ["so"]
    profile.updated_at = NOW  # the same instant it already had
    session.flush()
    assert pool_cache.fingerprint(session) != key
    assert offered(session, parent) == []  # no shared language any more
    profile.languages = ["pl"]  # and back, without touching updated_at at all
    session.flush()
    assert offered(session, parent) == [vol.id]


def test_same_length_language_swap_by_update_statement_is_seen(session: SessionLike) -> None:
    parent = make_parent(session, languages=["pl"])
    vol = make_volunteer(session, languages=["pl"])
    assert offered(session, parent) == [vol.id]
    session.execute(
        update(VolunteerProfile).where(VolunteerProfile.user_id == vol.id).values(languages=["so"])
    )
    assert offered(session, parent) == []


def test_names_are_read_afresh(session: SessionLike) -> None:
    parent = make_parent(session)
    vol = make_volunteer(session, user_kw={"first_name": "Ann", "last_name": "Old"})
    assert service.suggest(session, NOW, parent).items[0].name == "Ann Old"
    session.execute(update(User).where(User.id == vol.id).values(last_name="New"))
    assert service.suggest(session, NOW, parent).items[0].name == "Ann New"


def test_locking_for_an_assignment_keeps_updated_at(session: SessionLike) -> None:
    vol = make_volunteer(session)
    before = _profile(session, vol.id).updated_at
    service.lock_for_assignment(session, [], [vol.id])
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
    item = service.suggest(session, NOW, parent).items[0]
    assert item.volunteer_id == other.id
    words = {p.name: p.words for p in item.parts}
    assert words["workload"] == "Supporting 1 of up to 3; 2 places free"
