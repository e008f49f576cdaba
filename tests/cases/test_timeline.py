"""The case page's timeline says what happened: referral, assignments, flags resolved with
their outcome and note, accepted, closed (with the reason), reopened, check-ins."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.models import Case, EscalationFlag
from tests.cases.conftest import World, at
from tests.factories import NOW, make_assignment, make_case, make_checkin, make_parent
from tests.helpers import StatementCounter, login, post_form


def timeline(client: FlaskClient, case: Case) -> str:
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    return html[html.index('id="timeline-title"') :]


def test_a_new_case_says_who_referred_the_parent(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    by_midwife = make_case(
        session, make_parent(session, area=world.area, referral_source="Midwife")
    )
    plain = make_case(session, make_parent(session, area=world.area))
    self_referred = make_case(
        session,
        make_parent(session, area=world.area, referral_source="self-referral"),
        status="referred",
    )
    session.commit()
    login(client, world.coordinator.email)
    assert "Nothing has happened on this case yet" not in timeline(client, plain)
    assert "Referral recorded" in timeline(client, plain)
    assert "Referred by Midwife" in timeline(client, by_midwife)
    assert "Referred themselves through the online form" in timeline(client, self_referred)


def test_a_referral_made_in_corner_names_who_recorded_it(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    response = post_form(
        client,
        "/referrals/new",
        {
            "first_name": "Tamsin",
            "last_name": "Timeline",
            "phone": "0117 496 0000",
            "languages": "en",
            "due_date": "2027-03-01",
            "referral_source": "Health visitor",
            "owner": str(world.coordinator.id),
            "consent_on": "2026-11-01",
            "consent_method": "verbal",
            "area": str(world.area.id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    case_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    case = session.get(Case, case_id)
    assert case is not None
    text = timeline(client, case)
    assert "Referred by Health visitor" in text and "by Cora" in text


def test_accept_close_reopen_close_each_say_so_with_the_right_reason(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case = make_case(session, make_parent(session, area=world.area), status="referred")
    session.commit()
    login(client, world.coordinator.email)
    page = f"/cases/{case.id}"
    assert post_form(client, f"{page}/accept", {}, page=page).status_code == 302
    assert post_form(client, f"{page}/high-risk", {"high_risk": "1"}, page=page).status_code == 302
    close = post_form(client, f"{page}/close", {"reason": "moved_away"})
    assert close.status_code == 302
    assert post_form(client, f"{page}/reopen", {}, page=page).status_code == 302
    assert post_form(client, f"{page}/close", {"reason": "duplicate"}).status_code == 302
    text = timeline(client, case)
    for words in [
        "Self-referral accepted onto the waiting list",
        "Marked as high risk",
        "Case reopened and back on the waiting list",
        "Reason: Moved out of the area",
        "Reason: Duplicate referral",
    ]:
        assert words in text, words
    assert text.count("Case closed") == 2
    # newest first: the second close, then the reopening, then the first close
    assert text.index("Duplicate referral") < text.index("reopened") < text.index("Moved out")


def test_an_imported_closed_case_shows_its_closing(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case = make_case(
        session,
        make_parent(session, area=world.area),
        status="closed",
        closed_at=at("2026-10-20T12:00"),
        close_reason="Support completed",
    )
    coded = make_case(
        session,
        make_parent(session, area=world.area),
        status="closed",
        closed_at=at("2026-10-21T12:00"),
        close_reason="parent_declined",
    )
    session.commit()
    login(client, world.coordinator.email)
    text = timeline(client, case)
    assert "Case closed" in text and "Reason: Support completed" in text
    assert "Reason: Parent no longer wants support" in timeline(client, coded)


def test_assignments_and_check_ins_say_what_happened(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case = make_case(session, make_parent(session, area=world.area))
    make_assignment(
        session,
        case,
        world.bob,
        started_at=at("2026-10-02T09:00"),
        ended_at=at("2026-10-09T09:00"),
        assigned_by=world.coordinator,
    )
    case.status = "waiting"
    session.flush()
    make_assignment(session, case, world.alice, started_at=at("2026-10-10T09:00"))
    make_checkin(session, case, world.alice, occurred_at=at("2026-10-20T14:00"))
    session.commit()
    login(client, world.coordinator.email)
    text = timeline(client, case)
    assert "Assigned a volunteer:</strong> Bob" in text and "assigned by Cora" in text
    assert "Assignment ended:</strong> Bob" in text
    assert "Assigned a volunteer:</strong> Alice" in text
    assert "Check-in</strong> by Alice" in text
    order = [
        "Check-in</strong>",
        "Assigned a volunteer:</strong> Alice",
        "Assignment ended:</strong> Bob",
        "Assigned a volunteer:</strong> Bob",
        "Referral recorded",
    ]
    positions = [text.index(words) for words in order]
    assert positions == sorted(positions)


def test_a_resolved_flag_shows_its_outcome_note_and_who(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    case = world.alice_case
    session.add_all(
        [
            EscalationFlag(
                case_id=case.id,
                rule="LOW_MOOD",
                severity="high",
                raised_at=NOW - timedelta(days=3),
                status="resolved",
                acknowledged_at=NOW - timedelta(days=2),
                acknowledged_by_id=world.admin.id,
                resolved_at=NOW - timedelta(days=1),
                resolved_by_id=world.coordinator.id,
                outcome="referred_gp",
                resolution_note="Spoke to the parent; GP appointment on Friday.",
            ),
            EscalationFlag(
                case_id=case.id,
                rule="NO_CONTACT",
                severity="medium",
                raised_at=NOW - timedelta(days=9),
                status="resolved",
                resolved_at=NOW - timedelta(days=8),
                outcome=None,
                resolution_note="Resolved automatically: a contact was recorded.",
            ),
        ]
    )
    session.commit()
    login(client, world.coordinator.email)
    text = timeline(client, case)
    assert "Flag raised: Low mood or anxiety" in text
    assert "Flag acknowledged:" in text and "by Ada" in text
    assert "Flag resolved:</strong>" in text and "Outcome: Referred to GP" in text
    assert "GP appointment on Friday." in text
    assert "automatically" in text and "a contact was recorded" in text
    assert text.index("Outcome: Referred to GP") < text.index("Flag acknowledged")


def test_volunteers_do_not_see_the_coordinators_timeline(
    client: FlaskClient, session: SessionLike, world: World
) -> None:
    session.add(
        EscalationFlag(
            case_id=world.alice_case.id,
            rule="LOW_MOOD",
            severity="high",
            raised_at=NOW,
            status="resolved",
            resolved_at=NOW,
            outcome="referred_gp",
            resolution_note="PRIVATE-COORDINATOR-NOTE",
        )
    )
    session.commit()
    login(client, world.alice.email)
    html = client.get(f"/cases/{world.alice_case.id}").get_data(as_text=True)
    assert "PRIVATE-COORDINATOR-NOTE" not in html


def test_case_page_statements_do_not_grow_with_flags_and_events(
    client: FlaskClient, session: SessionLike, world: World, count_statements: StatementCounter
) -> None:
    login(client, world.coordinator.email)
    case = world.alice_case
    url = f"/cases/{case.id}"

    def add(n: int) -> None:
        for i in range(n):
            session.add(
                EscalationFlag(
                    case_id=case.id,
                    rule="LOW_MOOD",
                    severity="high",
                    raised_at=NOW - timedelta(days=i + 2),
                    status="resolved",
                    acknowledged_at=NOW - timedelta(days=i + 1),
                    acknowledged_by_id=world.admin.id,
                    resolved_at=NOW - timedelta(days=i + 1),
                    resolved_by_id=world.coordinator.id,
                    outcome="referred_gp",
                    resolution_note="note",
                )
            )
        session.commit()
        for _ in range(n):
            post_form(client, f"{url}/high-risk", {"high_risk": "1"}, page=url)

    def count() -> int:
        with count_statements() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    add(2)
    small = count()
    add(15)
    assert count() == small
