"""Inbox, flag page, acknowledge, resolve, admin outbox and thresholds, through HTTP."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, SETTINGS_KEY
from app.extensions import SessionLike
from app.models import AuditEvent, EscalationFlag, OutboxEmail
from app.settings import get_settings
from tests.factories import NOW, make_area, make_case, make_user, make_volunteer
from tests.helpers import csrf_token, login, post_form

DAY = timedelta(days=1)


def flag(session: SessionLike, case, rule: str, severity: str, age_days: float) -> EscalationFlag:
    row = EscalationFlag(
        case_id=case.id,
        rule=rule,
        severity=severity,
        evidence="Latest wellbeing score 1 of 5.",
        raised_at=NOW - age_days * DAY,
        status="open",
    )
    session.add(row)
    session.flush()
    return row


def setup(session: SessionLike):
    north, south = make_area(session), make_area(session)
    coordinator = make_user(session, "coordinator", areas=[north])
    case = make_case(session, area=north)
    other = make_case(session, area=south)
    flags = {
        "low_old": flag(session, case, "STALE_DRAFT", "low", 9),
        "high_new": flag(session, case, "WELLBEING_LOW", "high", 1),
        "urgent": flag(session, case, "SAFEGUARDING", "urgent", 0.5),
        "high_old": flag(session, case, "BONDING_LOW", "high", 5),
        "hidden": flag(session, other, "NO_CONTACT", "medium", 3),
    }
    session.commit()
    return coordinator, case, other, flags


def test_inbox_groups_a_cases_flags_into_one_row_and_hides_other_areas(
    client: FlaskClient, session: SessionLike
) -> None:
    coordinator, case, other, flags = setup(session)
    login(client, coordinator.email)
    html = client.get("/flags").get_data(as_text=True)
    # one row for the case's four flags, opening its most severe flag
    assert html.count('class="flag-row ') == 1
    assert f'/flags/{flags["urgent"].id}"' in html
    for key in ("high_old", "high_new", "low_old"):
        assert f'/flags/{flags[key].id}"' not in html
    rules = ["Safeguarding or domestic abuse concern", "Getting to know baby is hard"]
    rules += ["Parent's wellbeing low", "Check-in draft not finished"]
    table = html[html.index("<tbody>") :]
    positions = [table.index(rule.replace("'", "&#39;")) for rule in rules]
    assert positions == sorted(positions)  # most severe first, then oldest
    assert f'/flags/{flags["hidden"].id}"' not in html
    assert case.reference in html and other.reference not in html
    assert case.parent.full_name in html and other.parent.full_name not in html
    assert "Urgent" in html and "Pregnancy" in html  # severity in words, stage shown
    assert "4 flags for 1 parent." in html


def test_flag_page_404_when_not_visible_and_403_for_volunteers(
    client: FlaskClient, session: SessionLike
) -> None:
    coordinator, _, _, flags = setup(session)
    volunteer = make_volunteer(session)
    session.commit()
    login(client, coordinator.email)
    assert client.get(f"/flags/{flags['hidden'].id}").status_code == 404
    assert client.get("/flags/99999").status_code == 404
    page = client.get(f"/flags/{flags['urgent'].id}")
    assert page.status_code == 200
    assert "Latest wellbeing score" in page.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    login(client, volunteer.email)
    assert client.get(f"/flags/{flags['urgent'].id}").status_code == 403
    assert client.get("/flags").status_code == 403


def test_acknowledge_needs_csrf_and_post(client: FlaskClient, session: SessionLike) -> None:
    coordinator, _, _, flags = setup(session)
    login(client, coordinator.email)
    url = f"/flags/{flags['urgent'].id}/acknowledge"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 400
    response = post_form(client, url, {}, page=f"/flags/{flags['urgent'].id}")
    assert response.status_code == 302
    session.expire_all()
    row = session.get(EscalationFlag, flags["urgent"].id)
    assert row is not None and row.status == "acknowledged"
    assert row.acknowledged_by_id == coordinator.id
    # someone else's flag: 404 and nothing changes
    hidden = f"/flags/{flags['hidden'].id}/acknowledge"
    assert post_form(client, hidden, {}, page="/flags").status_code == 404
    session.expire_all()
    assert session.get(EscalationFlag, flags["hidden"].id).status == "open"  # type: ignore[union-attr]


def test_acknowledging_a_resolved_flag_says_so_back_on_the_flag_page(
    client: FlaskClient, session: SessionLike
) -> None:
    coordinator, _, _, flags = setup(session)
    flags["urgent"].status = "resolved"
    session.commit()
    login(client, coordinator.email)
    page = f"/flags/{flags['urgent'].id}"
    html = client.get(page).get_data(as_text=True)
    response = client.post(
        f"{page}/acknowledge",
        data={"csrf_token": csrf_token(html)},
        headers={"Referer": f"http://localhost{page}"},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "This flag is already resolved." in client.get(page).get_data(as_text=True)
    session.expire_all()
    row = session.get(EscalationFlag, flags["urgent"].id)
    assert row is not None and (row.status, row.acknowledged_at) == ("resolved", None)
    assert not session.scalars(
        select(AuditEvent).where(AuditEvent.action == "flag.acknowledged")
    ).all()


def test_resolve_validates_then_resolves_and_audits_without_clinical_text(
    client: FlaskClient, session: SessionLike
) -> None:
    coordinator, _, _, flags = setup(session)
    login(client, coordinator.email)
    page = f"/flags/{flags['urgent'].id}"
    url = f"{page}/resolve"
    bad = post_form(client, url, {"outcome": "", "note": "  "}, page=page)
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "There is a problem" in text
    assert "Choose what was done." in text and "Write a short note" in text
    wrong = post_form(client, url, {"outcome": "made_up", "note": "x"}, page=page)
    assert wrong.status_code == 400
    session.expire_all()
    assert session.get(EscalationFlag, flags["urgent"].id).status == "open"  # type: ignore[union-attr]

    note = "Spoke to the health visitor, CONFIDENTIAL-DETAIL"
    good = post_form(client, url, {"outcome": "safeguarding_referral", "note": note}, page=page)
    assert good.status_code == 302 and good.headers["Location"].endswith("/flags")
    session.expire_all()
    row = session.get(EscalationFlag, flags["urgent"].id)
    assert row is not None and row.status == "resolved"
    assert (row.outcome, row.resolution_note, row.resolved_by_id) == (
        "safeguarding_referral",
        note,
        coordinator.id,
    )
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "flag.resolved")).all()
    assert len(events) == 1 and events[0].object_id == str(row.id)
    assert "CONFIDENTIAL" not in (events[0].detail or "")
    # the page shows the history; resolving again is refused
    shown = client.get(page).get_data(as_text=True)
    assert "Safeguarding referral made" in shown and "CONFIDENTIAL-DETAIL" in shown
    assert "Resolve this flag" not in shown
    assert client.get("/flags").get_data(as_text=True).count(f'/flags/{row.id}"') == 0


def test_admin_outbox_shows_failures_and_tries_again(
    client: FlaskClient, session: SessionLike
) -> None:
    admin = make_user(session, "admin")
    email = OutboxEmail(
        message_id="<t.1@corner.test>",
        kind="urgent_flag",
        to_addrs=["a@b.example"],
        subject="Urgent flag for case C-00001",
        body_text="x",
        body_html="x",
        status="failed",
        attempts=6,
        created_at=NOW,
        next_attempt_at=NOW,
        last_error="SMTPDataError: 451",
    )
    session.add(email)
    session.commit()
    login(client, admin.email)
    html = client.get("/admin/emails?show=failed").get_data(as_text=True)
    assert "SMTPDataError: 451" in html and "Try again" in html
    response = post_form(client, f"/admin/emails/{email.id}/retry", {}, page="/admin/emails")
    assert response.status_code == 302
    session.expire_all()
    row = session.get(OutboxEmail, email.id)
    assert row is not None and (row.status, row.attempts) == ("queued", 0)


def test_coordinators_cannot_see_the_outbox_or_settings(
    client: FlaskClient, session: SessionLike
) -> None:
    coordinator = make_user(session, "coordinator")
    session.commit()
    login(client, coordinator.email)
    assert client.get("/admin/emails").status_code == 403
    assert client.get("/admin/settings/escalation").status_code == 403


def test_admin_edits_thresholds_with_validation(client: FlaskClient, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    session.commit()
    login(client, admin.email)
    page = client.get("/admin/settings/escalation").get_data(as_text=True)
    assert 'value="14"' in page
    values = {name: str(value) for name, value in DEFAULT_THRESHOLDS.items()}
    bad = post_form(
        client,
        "/admin/settings/escalation",
        {**values, "no_contact_days": "0", "unmatched_days": "ten"},
    )
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "There is a problem" in text and "must be between 1 and 365" in text
    session.expire_all()
    assert get_settings(session, SETTINGS_KEY, DEFAULT_THRESHOLDS) == DEFAULT_THRESHOLDS
    good = post_form(client, "/admin/settings/escalation", {**values, "no_contact_days": "21"})
    assert good.status_code == 302
    session.expire_all()
    assert get_settings(session, SETTINGS_KEY, DEFAULT_THRESHOLDS)["no_contact_days"] == 21
