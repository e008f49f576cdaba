"""The audit log speaks plainly: actions in words, objects named and linked, no raw ids."""

from __future__ import annotations

import pathlib
import re
from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from app.audit import record
from app.audit_labels import AUDIT_ACTION_LABELS, AUDIT_OBJECT_LABELS
from app.extensions import SessionLike
from app.models import AuditEvent, EscalationFlag
from tests.factories import NOW, make_area, make_case, make_checkin, make_user, make_volunteer
from tests.helpers import login

AT = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)


def _body(client: FlaskClient, url: str = "/admin/audit") -> str:
    return client.get(url).get_data(as_text=True).split("<tbody>")[1]


def test_actions_and_objects_are_words_and_links(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    area = make_area(session, "Bristol")
    admin = make_user(session, "admin", first_name="Ada")
    alice = make_volunteer(session, area=area, user_kw={"first_name": "Alice", "last_name": "Ng"})
    case = make_case(session, area=area)
    checkin = make_checkin(session, case, alice)
    flag = EscalationFlag(
        case_id=case.id, rule="NO_CONTACT", severity="medium", evidence="x", raised_at=AT
    )
    session.add(flag)
    session.flush()
    ref = case.reference
    events: list[tuple[str, str, int | str, str | None]] = [
        ("assignment.started", "case", case.id, f"volunteer {alice.id}"),
        ("checkin.viewed", "checkin", checkin.id, None),
        ("parent.viewed", "parent", case.parent_id, f"case {case.id} edit"),
        ("flag.acknowledged", "flag", flag.id, None),
        ("volunteer.profile_updated", "user", alice.id, None),
        ("parent.updated", "parent", case.parent_id, "fields: due_date, tags"),
        ("settings.changed", "settings", "matching", None),
    ]
    for action, kind, object_id, detail in events:
        record(
            session,
            AT,
            action,
            actor_id=admin.id,
            object_type=kind,
            object_id=object_id,
            detail=detail,
        )
    session.add(AuditEvent(at=AT, action="demo.seeded", object_type="demo", detail="flask seed"))
    session.commit()
    login(client, admin.email)
    body = _body(client)
    assert "Assigned a volunteer" in body and "assignment.started" not in body
    case_link = f'<a href="/cases/{case.id}">Case {ref}</a>'
    assert case_link in body
    assert f'<a href="/cases/{case.id}">Check-in on case {ref}</a>' in body
    assert f'<a href="/cases/{case.id}">Parent of case {ref}</a>' in body
    assert f'<a href="/flags/{flag.id}">Flag on case {ref}</a>' in body
    assert f'<a href="/volunteers/{alice.id}/edit">Alice Ng</a>' in body
    assert '<a href="/admin/settings/matching">Matching weights</a>' in body
    assert '<td data-label="Detail">Alice Ng</td>' in body  # the detail names the volunteer
    assert f"case {ref} edit" in body and "changed: due date, tags" in body
    assert "Demo data" in body and "None" not in body and "demo.seeded" not in body
    for raw in (f"case {case.id}<", f"volunteer {alice.id}", "checkin.viewed", "parent.viewed"):
        assert raw not in body
    # The action menu offers the words too.
    page = client.get("/admin/audit").get_data(as_text=True)
    assert '<option value="assignment.started">Assigned a volunteer</option>' in page


def test_every_action_the_code_records_has_words() -> None:
    written = set()
    for path in pathlib.Path("app").rglob("*.py"):
        text = path.read_text()
        written |= set(
            re.findall(
                r'(?:audit|record)\(\s*(?:[\w.]*session,\s*\w+(?:\(\))?,\s*)?"([a-z_.]+)"', text
            )
        )
        written |= set(re.findall(r'action="([a-z_.]+)"', text))
    written |= {f"volunteer.{s}" for s in ("active", "paused", "left")}
    assert {"assignment.started", "login.success", "demo.seeded"} <= written
    assert written - set(AUDIT_ACTION_LABELS) == set()


def test_every_object_type_written_has_words() -> None:
    """The audit log's "Object" menu is the list of labels, so each kind written needs one."""
    written: set[str] = set()
    for path in pathlib.Path("app").rglob("*.py"):
        text = path.read_text()
        written |= set(re.findall(r'\baudit\(\s*"[a-z_.]+",\s*"([a-z_]+)"', text))
        written |= set(re.findall(r'object_type="([a-z_]+)"', text))
    assert {"case", "checkin", "user", "job", "import"} <= written
    assert written - set(AUDIT_OBJECT_LABELS) == set()


def test_from_after_to_is_refused_with_a_message(
    app: Flask, client: FlaskClient, session: SessionLike
) -> None:
    app.config["CORNER_NOW"] = NOW
    admin = make_user(session, "admin")
    session.commit()
    login(client, admin.email)
    response = client.get("/admin/audit?date_from=2026-10-05&date_to=2026-10-01")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "“From” must be the same day as “To” or before it." in html
    ok = client.get("/admin/audit?date_from=2026-10-01&date_to=2026-10-01").get_data(as_text=True)
    assert "There is a problem" not in ok
