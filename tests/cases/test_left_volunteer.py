"""Issue 10 item 3: a volunteer who has left (status ``left``, or a deactivated account) sees
no parent any more; a paused volunteer keeps hers; the coordinator sees the case flagged."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from app.cases.queries import checkin_for, my_drafts, my_parents
from app.escalation.scan import run_scan
from app.extensions import SessionLike
from app.main.queries import draft_count, open_assignment_count
from app.models import EscalationFlag, User
from app.scope import case_for
from tests.cases.conftest import World
from tests.factories import NOW, make_checkin
from tests.helpers import login


def set_status(session: SessionLike, volunteer: User, status: str) -> None:
    assert volunteer.volunteer_profile is not None
    volunteer.volunteer_profile.status = status
    session.commit()


def own_records(session: SessionLike, world: World) -> tuple[int, int]:
    checkin = make_checkin(session, world.alice_case, world.alice)
    draft = make_checkin(session, world.alice_case, world.alice, status="draft", submitted_at=None)
    session.commit()
    return checkin.id, draft.id


def test_a_left_volunteer_gets_404_on_her_former_parents_and_nothing_at_home(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    checkin_id, draft_id = own_records(session, world)
    name = world.alice_case.parent.first_name
    login(client, world.alice.email)
    set_status(session, world.alice, "left")

    case_id = world.alice_case.id
    for url in (
        f"/cases/{case_id}",
        f"/cases/{case_id}/checkins/new",
        f"/checkins/{checkin_id}",
        f"/checkins/{checkin_id}/edit",
        f"/checkins/{draft_id}",
        f"/checkins/{draft_id}/edit",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/my/parents", "/my/drafts"):
        page = client.get(url)
        assert page.status_code == 200
        assert name not in page.get_data(as_text=True), url
    home = client.get("/").get_data(as_text=True)
    assert '<span class="big">0</span> parents you support' in home
    assert '<span class="big">0</span> check-in drafts to finish' in home

    session.expire_all()
    alice = session.get(User, world.alice.id)
    assert alice is not None
    assert case_for(session, alice, case_id) is None
    assert checkin_for(session, alice, checkin_id) is None
    assert my_parents(session, alice, NOW.date()) == []
    assert my_drafts(session, alice) == []
    assert open_assignment_count(session, alice) == 0
    assert draft_count(session, alice) == 0


def test_a_paused_volunteer_keeps_her_current_parents(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    checkin_id, draft_id = own_records(session, world)
    set_status(session, world.alice, "paused")
    login(client, world.alice.email)
    case_id = world.alice_case.id
    for url in (
        f"/cases/{case_id}",
        f"/cases/{case_id}/checkins/new",
        f"/checkins/{checkin_id}",
        f"/checkins/{draft_id}/edit",
    ):
        assert client.get(url).status_code == 200, url
    assert world.alice_case.parent.first_name in client.get("/my/parents").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert '<span class="big">1</span> parent you support' in home
    assert '<span class="big">1</span> check-in draft to finish' in home


def test_a_deactivated_volunteer_sees_no_parent_even_with_a_live_session(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    checkin_id, _ = own_records(session, world)
    login(client, world.alice.email)
    case_url = f"/cases/{world.alice_case.id}"
    assert client.get(case_url).status_code == 200
    # deactivated behind the session's back (the token is not rotated): the session is refused
    world.alice.active = False
    session.commit()
    response = client.get(case_url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/my/parents").status_code == 302
    # and the scope itself shows such an account nothing, whatever its role
    session.expire_all()
    alice = session.get(User, world.alice.id)
    assert alice is not None and alice.volunteer_profile is not None
    assert alice.volunteer_profile.status == "active"
    assert case_for(session, alice, world.alice_case.id) is None
    assert checkin_for(session, alice, checkin_id) is None
    assert my_parents(session, alice, NOW.date()) == []
    assert open_assignment_count(session, alice) == 0
    coordinator = session.get(User, world.coordinator.id)
    assert coordinator is not None
    coordinator.active = False
    assert case_for(session, coordinator, world.alice_case.id) is None


def test_the_scan_flags_a_left_volunteers_open_assignment_for_the_coordinator(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    make_checkin(session, world.alice_case, world.alice, occurred_at=NOW)  # no other rule fires
    make_checkin(session, world.bob_case, world.bob, occurred_at=NOW)
    set_status(session, world.alice, "left")
    run_scan(session, NOW)
    session.commit()
    flags = session.scalars(select(EscalationFlag).where(EscalationFlag.status != "resolved"))
    assert {(f.case_id, f.rule) for f in flags} == {(world.alice_case.id, "VOLUNTEER_LAPSED")}
    login(client, world.coordinator.email)
    page = client.get(f"/cases/{world.alice_case.id}")
    assert page.status_code == 200
    assert "Flag raised: Volunteer paused, left or DBS expired" in page.get_data(as_text=True)


def test_the_scan_flags_a_deactivated_volunteers_open_assignment_as_left(
    session: SessionLike, world: World
) -> None:
    """A deactivated account counts as left (as in matching), whatever its profile says."""
    make_checkin(session, world.alice_case, world.alice, occurred_at=NOW)
    make_checkin(session, world.bob_case, world.bob, occurred_at=NOW)
    world.alice.active = False
    session.commit()
    run_scan(session, NOW)
    session.commit()
    flags = list(session.scalars(select(EscalationFlag).where(EscalationFlag.status != "resolved")))
    assert [(f.case_id, f.rule) for f in flags] == [(world.alice_case.id, "VOLUNTEER_LAPSED")]
    assert flags[0].evidence == "Volunteer is left."
