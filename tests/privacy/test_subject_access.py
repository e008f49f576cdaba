"""Subject access: the package of one parent holds all of hers and nothing of anyone else's."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.extensions import SessionLike
from app.models import AuditEvent
from app.privacy import package
from app.privacy.access import SUBJECT_ACCESS, UnknownParent, gather, parent_id_for_ref
from tests.factories import NOW, make_checkin
from tests.helpers import StatementCounter, csrf_token, login
from tests.privacy.canaries import STAFF_IP, STAFF_SURNAMES, A, B, World, build_world


@pytest.fixture
def world(session: SessionLike) -> World:
    return build_world(session)


def _contents(content: bytes) -> tuple[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "report.html"]
        assert archive.testzip() is None
        return archive.read("report.html").decode(), archive.read("data.json").decode()


def _assert_only_a(world: World, report: str, data: str) -> None:
    for where, text in (("report.html", report), ("data.json", data)):
        for value in A.values():
            assert value in text, f"{value!r} missing from {where}"
        for value in B.values():
            assert value not in text, f"parent B's {value!r} in parent A's {where}"
        for value in (*STAFF_SURNAMES, *world.staff_emails, STAFF_IP, "Cordelia", "Adelmo"):
            assert value not in text, f"another person's {value!r} in {where}"
        assert "staff detail" not in text  # audit details are about the person who acted
        assert "Vivienne" in text and "Wilhelmina" in text  # first names only (an exclusion)


def test_the_package_holds_every_canary_of_the_parent_and_none_of_another(
    app: Flask, session: SessionLike, world: World
) -> None:
    name, content = package.build(session, world.case_a.parent_id, NOW)
    assert name == "subject-access-REF-A1.zip"
    report, data = _contents(content)
    _assert_only_a(world, report, data)
    parsed = json.loads(data)
    assert parsed["reference"] == "REF-A1"
    assert parsed["parent"]["languages"] == ["English", "Polish"]
    assert parsed["parent"]["ethnic_group"] == "Irish"
    assert parsed["consent"]["consent_on"] == "2026-10-01"
    assert parsed["consent"]["consent_method"] == "Online self-referral form"
    checkins = parsed["checkins"]
    assert [c["status"] for c in checkins] == [
        "Recorded",
        "Deleted (hidden from the case, still held)",
    ]
    assert checkins[0]["concerns"] == ["Low mood"] and checkins[0]["felt_down"] is True
    assert checkins[1]["deleted_by"] == "A coordinator"
    assert parsed["flags"][0]["outcome"] == "Referred to GP"
    assert parsed["flags"][0]["concern"] == "Low mood or anxiety"
    assert parsed["assignments"][0]["volunteer"] == "Vivienne"
    assert parsed["exclusions"][0]["volunteer"] == "Wilhelmina"
    actions = {row["action"] for row in parsed["audit"]}
    assert {"Looked at a parent's details", "Closed a case", "Read a check-in"} <= actions
    assert {"Deleted a check-in", "Resolved a flag"} <= actions
    assert {row["by"] for row in parsed["audit"]} == {"A coordinator"}
    assert datetime.fromisoformat(parsed["generated_at"]) == NOW
    assert "Your rights" in report and "Low mood" in report and "<h2" in report


def test_the_report_shows_markup_in_notes_as_words(
    app: Flask, session: SessionLike, world: World
) -> None:
    make_checkin(session, world.case_a, world.volunteer, notes="<script>alert(1)</script>")
    session.commit()
    report, data = _contents(package.build(session, world.case_a.parent_id, NOW)[1])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report and "<script>" not in report
    notes = [c["notes"] for c in json.loads(data)["checkins"]]
    assert "<script>alert(1)</script>" in notes


def test_gather_takes_the_same_statements_however_long_the_history(
    app: Flask, session: SessionLike, world: World, count_statements: StatementCounter
) -> None:
    parent_id = world.case_a.parent_id
    with count_statements() as few:
        gather(session, parent_id, NOW)
    for n in range(12):
        make_checkin(session, world.case_a, world.volunteer, occurred_at=NOW - timedelta(days=n))
    session.commit()
    with count_statements() as many:
        data = gather(session, parent_id, NOW)
    assert len(data["checkins"]) == 14
    assert len(many) == len(few) == 7


def test_an_unknown_reference_is_refused(app: Flask, session: SessionLike, world: World) -> None:
    with pytest.raises(UnknownParent):
        parent_id_for_ref(session, "NO-SUCH-REF")
    assert parent_id_for_ref(session, "REF-A1") == world.case_a.parent_id


def test_the_file_name_is_the_reference_made_safe() -> None:
    assert package.filename("P 12/../x") == "subject-access-P-12-x.zip"
    assert package.filename("///") == "subject-access-parent.zip"


def test_report_values_are_shown_in_words() -> None:
    assert package.display(None) == package.NOT_RECORDED
    assert package.display([]) == package.NOT_RECORDED
    assert package.display(True) == "Yes"
    assert package.display(["a", "b"]) == "a, b"
    assert package.display(datetime(2026, 11, 2, 14, 30, tzinfo=UTC)) == "Mon 2 Nov 2026, 14:30"


# --------------------------------------------------------------------------- the page action


def _download(client: FlaskClient, case_id: int) -> TestResponse:
    page = client.get(f"/cases/{case_id}")
    token = csrf_token(page.get_data(as_text=True)) if page.status_code == 200 else "x"
    return client.post(f"/cases/{case_id}/subject-access", data={"csrf_token": token})


def _events(session: SessionLike) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == SUBJECT_ACCESS)))


def test_a_coordinator_downloads_the_package_from_the_case_page(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    page = client.get(f"/cases/{world.case_a.id}").get_data(as_text=True)
    assert "Download everything we hold (subject access)" in page
    response = _download(client, world.case_a.id)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=subject-access-REF-A1.zip"
    )
    report, data = _contents(response.get_data())
    _assert_only_a(world, report, data)
    assert "Downloaded everything held about a parent (subject access)" in report
    [event] = _events(session)
    assert (event.object_type, event.object_id) == ("parent", str(world.case_a.parent_id))
    assert event.actor_id == world.coordinator.id
    assert A.surname not in (event.detail or "") and "REF" not in (event.detail or "")


def test_an_admin_may_download_it(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.admin.email)
    assert _download(client, world.case_b.id).status_code == 200
    assert [e.object_id for e in _events(session)] == [str(world.case_b.parent_id)]


@pytest.mark.parametrize("who", ["volunteer", "outsider"])
def test_a_volunteer_or_a_coordinator_of_another_area_may_not(
    app: Flask, client: FlaskClient, session: SessionLike, world: World, who: str
) -> None:
    user = world.volunteer if who == "volunteer" else world.outsider
    login(client, user.email)
    # the volunteer sees her own case's page, without the button; the outsider gets 404
    page = client.get(f"/cases/{world.case_a.id}")
    assert "subject access" not in page.get_data(as_text=True)
    html = client.get("/").get_data(as_text=True)
    response = client.post(
        f"/cases/{world.case_a.id}/subject-access", data={"csrf_token": csrf_token(html)}
    )
    assert response.status_code == (403 if who == "volunteer" else 404)
    assert _events(session) == []


def test_the_download_needs_a_post_with_a_csrf_token(
    app: Flask, client: FlaskClient, session: SessionLike, world: World
) -> None:
    login(client, world.coordinator.email)
    assert client.get(f"/cases/{world.case_a.id}/subject-access").status_code == 405
    no_token = client.post(f"/cases/{world.case_a.id}/subject-access", data={})
    assert no_token.status_code == 400
    assert _events(session) == []


# --------------------------------------------------------------------------- the command


def test_the_command_writes_the_package_and_audits_it(
    app: Flask, session: SessionLike, world: World, tmp_path: Path
) -> None:
    target = tmp_path / "out.zip"
    result = app.test_cli_runner().invoke(
        args=["parents", "export", "REF-A1", str(target), "--now", "2026-11-03T09:00"]
    )
    assert result.exit_code == 0, result.output
    assert "REF-A1" in result.output and A.surname not in result.output
    report, data = _contents(target.read_bytes())
    _assert_only_a(world, report, data)
    [event] = _events(session)
    assert event.actor_id is None and event.object_id == str(world.case_a.parent_id)
    assert event.at == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_the_command_refuses_an_unknown_reference(
    app: Flask, session: SessionLike, world: World, tmp_path: Path
) -> None:
    target = tmp_path / "out.zip"
    result = app.test_cli_runner().invoke(args=["parents", "export", "NOPE", str(target)])
    assert result.exit_code == 1
    assert "No parent has the reference 'NOPE'." in result.output
    assert not target.exists()
    assert _events(session) == []
