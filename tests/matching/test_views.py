"""Matching pages through the real app: access, forms, CSRF, friendly conflicts."""

from __future__ import annotations

import io
from datetime import date

from flask import Flask, render_template
from flask.testing import FlaskClient
from sqlalchemy import func, select

from app.extensions import SessionLike
from app.models import Assignment, CaseStatus, MatchExclusion, Parent, Setting, VolunteerProfile
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_parent,
    make_user,
    make_volunteer,
)
from tests.helpers import csrf_token, login, post_form


def fixed_now(app: Flask) -> None:
    app.config["CORNER_NOW"] = NOW


def test_suggestions_page_explains_and_counts(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    case = make_case(session, make_parent(session, first_name="Amira", tags=["twins"]))
    make_volunteer(session, user_kw={"first_name": "Bea"}, tags=["twins"])
    make_volunteer(session, status="paused")
    session.commit()
    login(client, coordinator.email)
    html = client.get(f"/cases/{case.id}/suggestions").get_data(as_text=True)
    assert "Suggested volunteers for Amira" in html
    assert "Bea Tester" in html
    assert "Shares experience of twins or more" in html
    assert "We looked at 2 volunteers." in html
    assert "1 paused or left" in html
    assert "out of 100" in html


def test_suggestions_are_404_outside_scope_and_403_for_volunteers(
    client: FlaskClient, session: SessionLike
) -> None:
    mine, theirs = make_area(session), make_area(session)
    coordinator = make_user(session, areas=[mine])
    other_case = make_case(session, make_parent(session, area=theirs), area=theirs)
    volunteer = make_volunteer(session)
    session.commit()
    login(client, coordinator.email)
    assert client.get(f"/cases/{other_case.id}/suggestions").status_code == 404
    assert client.get(f"/cases/{other_case.id}/assign/{volunteer.id}").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login(client, volunteer.email)
    assert client.get(f"/cases/{other_case.id}/suggestions").status_code == 403
    assert client.get("/plan").status_code == 403


def test_assign_with_confirmation_then_end_with_reason(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    case = make_case(session)
    volunteer = make_volunteer(session, user_kw={"first_name": "Bea"})
    session.commit()
    login(client, coordinator.email)
    url = f"/cases/{case.id}/assign/{volunteer.id}"
    confirm = client.get(url).get_data(as_text=True)
    assert "Assign Bea Tester to support" in confirm
    assert session.scalar(select(func.count()).select_from(Assignment)) == 0  # GET changes nothing
    assert client.post(url, data={}).status_code == 400  # no CSRF token
    response = post_form(client, url, {"current_assignment": "0"})
    assert response.status_code == 302
    # to the case page, with the success message (not the suggestions: nobody left to offer)
    assert response.headers["Location"] == f"/cases/{case.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Bea Tester is now supporting" in page and "Nobody can be offered" not in page
    session.expire_all()
    assert case.status == CaseStatus.ACTIVE
    # End without a reason: the form comes back with an error summary.
    end_url = f"/cases/{case.id}/end"
    bad = post_form(client, end_url, {})
    assert bad.status_code == 200 and "There is a problem" in bad.get_data(as_text=True)
    assert "Choose why this assignment is ending." in bad.get_data(as_text=True)
    other = post_form(client, end_url, {"reason": "other"})
    assert "Say in a few words" in other.get_data(as_text=True)
    ok = post_form(client, end_url, {"reason": "parent_stopped"})
    assert ok.status_code == 302
    session.expire_all()
    assert case.status == CaseStatus.WAITING
    ended = session.scalar(select(Assignment))
    assert ended is not None and ended.end_reason == "The parent no longer wants support"


def test_full_volunteer_gives_a_friendly_conflict(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    volunteer = make_volunteer(session, max_caseload=1, user_kw={"first_name": "Bea"})
    case = make_case(session)
    session.commit()
    login(client, coordinator.email)
    url = f"/cases/{case.id}/assign/{volunteer.id}"
    html = client.get(url).get_data(as_text=True)
    # Meanwhile someone else takes Bea's last place.
    make_assignment(session, make_case(session), volunteer)
    session.commit()
    response = client.post(
        url,
        data={"csrf_token": csrf_token(html), "current_assignment": "0"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Bea Tester has just had their last place taken" in response.get_data(as_text=True)
    session.expire_all()
    assert case.status == CaseStatus.WAITING


def test_reassign_needs_a_reason(app: Flask, client: FlaskClient, session: SessionLike) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    case = make_case(session)
    first, second = make_volunteer(session), make_volunteer(session)
    current = make_assignment(session, case, first)
    session.commit()
    login(client, coordinator.email)
    url = f"/cases/{case.id}/assign/{second.id}"
    assert "Reassign" in client.get(url).get_data(as_text=True)
    seen = {"current_assignment": str(current.id)}
    assert "There is a problem" in post_form(client, url, seen).get_data(as_text=True)
    assert post_form(client, url, {**seen, "reason": "not_a_good_match"}).status_code == 302
    session.expire_all()
    rows = list(session.scalars(select(Assignment).order_by(Assignment.id)))
    assert [r.volunteer_id for r in rows] == [first.id, second.id]
    assert rows[0].end_reason == "Not a good match" and rows[1].ended_at is None


def test_decline_removes_the_pair(app: Flask, client: FlaskClient, session: SessionLike) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    case = make_case(session)
    volunteer = make_volunteer(session, user_kw={"first_name": "Bea"})
    session.commit()
    login(client, coordinator.email)
    url = f"/cases/{case.id}/decline/{volunteer.id}"
    assert "There is a problem" in post_form(client, url, {}).get_data(as_text=True)
    assert post_form(client, url, {"who": "volunteer"}).status_code == 302
    assert session.scalar(select(func.count()).select_from(MatchExclusion)) == 1
    html = client.get(f"/cases/{case.id}/suggestions").get_data(as_text=True)
    assert "Noted: Bea Tester will not be suggested" in html  # the flash, once
    html = client.get(f"/cases/{case.id}/suggestions").get_data(as_text=True)
    assert "Bea Tester" not in html
    assert "1 declined before or a conflict of interest" in html


def test_plan_page_and_confirm(app: Flask, client: FlaskClient, session: SessionLike) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    c1, c2 = make_case(session), make_case(session)
    v = make_volunteer(session, max_caseload=2)
    session.commit()
    login(client, coordinator.email)
    html = client.get("/plan").get_data(as_text=True)
    assert "This plan finds a volunteer for 2 parents." in html
    for case in (c1, c2):  # parents by name, their case beside
        shown = (
            f'<td data-label="Parent">{case.parent.full_name} '
            f'<span class="muted">(<span class="ref">{case.reference}</span>'
        )
        assert shown in html
    assert "greedy" not in html.lower() and "would reach" not in html and "total score" not in html
    token = csrf_token(html)
    # The coordinator unticks one pair and confirms the other.
    response = client.post("/plan", data={"csrf_token": token, "pair": [f"{c1.id}:{v.id}"]})
    done = response.get_data(as_text=True)
    assert "1 assignment made" in done
    assert f"{v.full_name} now supports {c1.parent.full_name} ({c1.reference})" in done
    session.expire_all()
    assert c1.status == CaseStatus.ACTIVE and c2.status == CaseStatus.WAITING
    # Confirming a stale pair again reports it, nothing breaks.
    response = client.post("/plan", data={"csrf_token": token, "pair": [f"{c1.id}:{v.id}"]})
    assert "the case is no longer waiting" in response.get_data(as_text=True)


def test_volunteer_list_warns_about_checks(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    make_volunteer(session, user_kw={"first_name": "Soon"}, dbs_expires_on=date(2026, 11, 20))
    make_volunteer(session, user_kw={"first_name": "Gone"}, dbs_expires_on=date(2026, 10, 30))
    make_volunteer(session, user_kw={"first_name": "Fine"}, training_completed_on=None)
    session.commit()
    login(client, coordinator.email)
    html = client.get("/volunteers").get_data(as_text=True)
    assert "Warning: Expires in 18 days" in html
    assert "Warning: Expired 3 days ago" in html
    assert "Not completed" in html
    assert "0 of 3" in html


def test_coordinator_edits_every_profile_field(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    volunteer = make_volunteer(session)
    session.commit()
    login(client, coordinator.email)
    url = f"/volunteers/{volunteer.id}/edit"
    bad = post_form(
        client, url, {"status": "active", "max_caseload": "-1", "postcode": "!!", "area": "0"}
    )
    text = bad.get_data(as_text=True)
    assert "There is a problem" in text and "Enter a number between 0 and 30." in text
    data = {
        "status": "paused", "area": "0", "phone": "07700 900123", "postcode": "bs14dj",
        "latitude": "51.45", "longitude": "-2.59", "languages": ["en", "pl"],
        "other_languages": "lt",
        "stages": ["birth"], "tags": ["twins", "nicu"], "availability": ["tue-eve"],
        "max_caseload": "4", "travel_km": "7.5", "remote_only": "y",
        "training_completed_on": "2026-01-02", "dbs_checked_on": "2026-01-01",
        "dbs_expires_on": "2029-01-01",
    }  # fmt: skip
    assert post_form(client, url, data).status_code == 302
    session.expire_all()
    p = session.scalar(select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id))
    assert p is not None
    assert (p.status, p.postcode, p.latitude, p.longitude) == ("paused", "BS1 4DJ", 51.45, -2.59)
    assert (
        p.languages == ["en", "pl", "lt"] and p.stages == ["birth"] and p.tags == ["twins", "nicu"]
    )
    assert (p.availability, p.max_caseload, p.travel_km, p.remote_only) == (
        ["tue-eve"],
        4,
        7.5,
        True,
    )
    assert p.dbs_expires_on == date(2029, 1, 1) and p.training_completed_on == date(2026, 1, 2)
    assert p.training_expires_on is None  # left empty: the training does not expire

    before = post_form(client, url, {**data, "training_expires_on": "2025-12-01"})
    assert "The training renewal date must be after it was completed." in before.get_data(
        as_text=True
    )
    assert post_form(client, url, {**data, "training_expires_on": "2026-11-20"}).status_code == 302
    session.expire_all()
    assert session.get(VolunteerProfile, p.id).training_expires_on == date(2026, 11, 20)  # type: ignore[union-attr]
    listed = client.get("/volunteers").get_data(as_text=True)
    assert "Warning: Training expires in 18 days" in listed and "Renew by Fri 20 Nov 2026" in listed


def test_volunteer_edits_own_availability_and_pauses(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    volunteer = make_volunteer(session)
    session.commit()
    login(client, volunteer.email)
    html = client.get("/my/profile").get_data(as_text=True)
    assert "When are you usually free?" in html
    assert (
        post_form(client, "/my/profile", {"availability": ["sat-am", "sun-eve"]}).status_code == 302
    )
    assert post_form(client, "/my/profile/pause", {}, page="/my/profile").status_code == 302
    session.expire_all()
    profile = volunteer.volunteer_profile
    assert profile is not None
    assert profile.availability == ["sat-am", "sun-eve"] and profile.status == "paused"
    assert "You are paused." in client.get("/my/profile").get_data(as_text=True)
    assert post_form(client, "/my/profile/resume", {}, page="/my/profile").status_code == 302
    session.expire_all()
    assert profile.status == "active"
    # A volunteer cannot reach the coordinators' pages.
    assert client.get("/volunteers").status_code == 403
    assert client.get(f"/volunteers/{volunteer.id}/edit").status_code == 403


def test_a_volunteer_who_left_cannot_resume_themselves(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    volunteer = make_volunteer(session, status="left")
    session.commit()
    login(client, volunteer.email)
    html = client.get("/my/profile").get_data(as_text=True)
    response = client.post(
        "/my/profile/resume",
        data={"csrf_token": csrf_token(html)},
        headers={"Referer": "http://localhost/my/profile"},  # as the browser sends it
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my/profile"
    page = client.get("/my/profile").get_data(as_text=True)
    assert "Your profile says you have left the service: ask your coordinator." in page
    session.expire_all()
    profile = volunteer.volunteer_profile
    assert profile is not None and profile.status == "left"


def test_admin_sets_weights(app: Flask, client: FlaskClient, session: SessionLike) -> None:
    fixed_now(app)
    admin = make_user(session, "admin")
    session.commit()
    login(client, admin.email)
    zero = {
        f"weight_{p}": "0"
        for p in ("stage", "distance", "availability", "experience", "continuity", "workload")
    }
    bad = post_form(client, "/admin/settings/matching", {**zero, "default_travel_km": "8"})
    assert "At least one weight must be more than 0." in bad.get_data(as_text=True)
    good = {**zero, "weight_experience": "50", "weight_stage": "50", "default_travel_km": "8"}
    assert post_form(client, "/admin/settings/matching", good).status_code == 302
    stored = session.get(Setting, "matching")
    assert stored is not None
    assert stored.value["weight_experience"] == 50 and stored.value["default_travel_km"] == 8.0


def test_postcode_upload_all_or_nothing(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    admin = make_user(session, "admin")
    parent = make_parent(session, postcode="BS1 4DJ")
    session.commit()
    login(client, admin.email)
    html = client.get("/admin/postcodes").get_data(as_text=True)
    bad = b"postcode,latitude,longitude\nBS1 4DJ,51.45,-2.59\nBS2 0JA,north,-2.58\n"
    response = client.post(
        "/admin/postcodes",
        data={"csrf_token": csrf_token(html), "file": (io.BytesIO(bad), "pc.csv")},
        content_type="multipart/form-data",
    )
    text = response.get_data(as_text=True)
    assert "Nothing was imported" in text and "pc.csv:3: latitude: &#39;north&#39;" in text
    session.expire_all()
    assert session.get(Parent, parent.id).latitude is None  # type: ignore[union-attr]
    good = b"postcode,latitude,longitude\nBS1 4DJ,51.45,-2.59\n"
    response = client.post(
        "/admin/postcodes",
        data={"csrf_token": csrf_token(html), "file": (io.BytesIO(good), "pc.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Parent, parent.id).latitude == 51.45  # type: ignore[union-attr]


def test_case_panel_template(app: Flask, session: SessionLike) -> None:
    case = make_case(session)
    with app.test_request_context():
        html = render_template("matching/_case_panel.html", case=case, now=NOW, assignment=None)
        assert "No volunteer yet." in html and "Find a volunteer" in html
        volunteer = make_volunteer(session, user_kw={"first_name": "Bea"})
        current = make_assignment(session, case, volunteer)
        html = render_template("matching/_case_panel.html", case=case, now=NOW, assignment=current)
        assert "Bea Tester" in html and "End this assignment" in html
        assert f"/cases/{case.id}/end" in html


def test_assign_page_made_before_someone_else_assigned(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    """Two coordinators open the same waiting case; the second to confirm is told, not 500."""
    fixed_now(app)
    coordinator = make_user(session)
    case = make_case(session)
    first, second = make_volunteer(session), make_volunteer(session)
    session.commit()
    login(client, coordinator.email)
    html = client.get(f"/cases/{case.id}/assign/{second.id}").get_data(as_text=True)
    make_assignment(session, case, first)  # the other coordinator wins meanwhile
    session.commit()
    response = client.post(
        f"/cases/{case.id}/assign/{second.id}",
        data={"csrf_token": csrf_token(html), "current_assignment": "0"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Someone has just changed who supports this parent" in response.get_data(as_text=True)
    rows = list(session.scalars(select(Assignment).where(Assignment.case_id == case.id)))
    assert [(r.volunteer_id, r.ended_at) for r in rows] == [(first.id, None)]


def test_referred_case_shows_a_notice(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    coordinator = make_user(session)
    case = make_case(session, status="referred")
    make_volunteer(session)
    session.commit()
    login(client, coordinator.email)
    html = client.get(f"/cases/{case.id}/suggestions").get_data(as_text=True)
    assert "accept the referral before assigning" in html


def test_profile_coordinates_follow_the_postcode(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    from app.models import PostcodeCentroid

    fixed_now(app)
    coordinator = make_user(session)
    volunteer = make_volunteer(session, postcode="BS1 4DJ", latitude=51.45, longitude=-2.59)
    session.add(PostcodeCentroid(postcode="BS6 5AA", latitude=51.47, longitude=-2.60))
    session.commit()
    login(client, coordinator.email)
    url = f"/volunteers/{volunteer.id}/edit"
    base = {"status": "active", "area": "0", "max_caseload": "3", "languages": ["en"]}
    # New postcode, old coordinates left in the form: the centroid replaces them.
    data = {**base, "postcode": "BS6 5AA", "latitude": "51.45", "longitude": "-2.59"}
    assert post_form(client, url, data).status_code == 302
    session.expire_all()
    profile = volunteer.volunteer_profile
    assert profile is not None and (profile.latitude, profile.longitude) == (51.47, -2.60)
    # A postcode with no centroid and no coordinates: none rather than stale ones.
    assert (
        post_form(
            client, url, {**base, "postcode": "M1 1AA", "latitude": "51.47", "longitude": "-2.60"}
        ).status_code
        == 302
    )
    session.expire_all()
    assert (profile.latitude, profile.longitude) == (None, None)


def test_coordinator_with_areas_manages_their_areas_volunteers(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    fixed_now(app)
    mine, theirs = make_area(session, "North"), make_area(session, "South")
    coordinator = make_user(session, areas=[mine])
    ours = make_volunteer(session, area=mine, user_kw={"first_name": "Ours"})
    other = make_volunteer(session, area=theirs, user_kw={"first_name": "Other"})
    shared = make_volunteer(session, user_kw={"first_name": "Shared"})
    new = make_user(session, "volunteer", first_name="Newbie")  # no profile yet
    session.commit()
    login(client, coordinator.email)
    html = client.get("/volunteers").get_data(as_text=True)
    assert "Ours Tester" in html and "Shared Tester" in html and "Newbie" in html
    assert "Other Tester" not in html
    assert client.get(f"/volunteers/{other.id}/edit").status_code == 404
    for person in (ours, shared, new):
        assert client.get(f"/volunteers/{person.id}/edit").status_code == 200
