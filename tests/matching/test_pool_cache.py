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
