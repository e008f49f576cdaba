"""The pages: erase (admins only, typed confirmation), consent withdrawn, privacy settings;
after erasure no page and no export shows A's canaries, while B's are still there."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import AuditEvent, CheckIn, EscalationFlag, Parent
from tests.factories import NOW
from tests.helpers import login, post_form
from tests.privacy.erasure_canaries import CANARIES, Charity, counts, seed_charity


@pytest.fixture
def charity(app: Flask, session: SessionLike) -> Charity:
    app.config["CORNER_NOW"] = NOW
    return seed_charity(session)


def _pages(session: SessionLike, charity: Charity) -> list[str]:
    checkins = session.scalars(select(CheckIn.id).order_by(CheckIn.id)).all()
    flags = session.scalars(select(EscalationFlag.id).order_by(EscalationFlag.id)).all()
    return [
        "/",
        f"/cases/{charity.a_case.id}",
        f"/cases/{charity.b_case.id}",
        "/cases?status=",
        "/cases?status=closed",
        "/waiting",
        "/flags",
        "/admin/audit",
        *(f"/checkins/{i}" for i in checkins),
        *(f"/flags/{i}" for i in flags),
    ]


def _everything_shown(client: FlaskClient, session: SessionLike, charity: Charity) -> str:
    shown = []
    for url in _pages(session, charity):
        response = client.get(url)
        assert response.status_code == 200, url
        shown.append(response.get_data(as_text=True))
    return "\n".join(shown).lower()


SEARCHED = ("last_name", "email", "phone", "postcode")


def _search_finds(client: FlaskClient, who: str, case_id: int) -> list[str]:
    """The canaries whose search finds her case (the page echoes the query itself)."""
    link = f'href="/cases/{case_id}"'
    found = []
    for key in SEARCHED:
        response = client.get("/cases", query_string={"q": CANARIES[who][key], "status": ""})
        assert response.status_code == 200
        if link in response.get_data(as_text=True):
            found.append(key)
    return found


def _export(app: Flask, tmp_path: Path) -> str:
    out = app.test_cli_runner().invoke(args=["export", str(tmp_path / "export")])
    assert out.exit_code == 0, out.output
    return "\n".join(p.read_text() for p in sorted((tmp_path / "export").iterdir())).lower()


def _found(text: str, who: str) -> list[str]:
    return [v for v in CANARIES[who].values() if v.lower() in text]


def test_after_erasure_no_page_or_export_shows_a(
    app: Flask, client: FlaskClient, session: SessionLike, charity: Charity, tmp_path: Path
) -> None:
    login(client, charity.admin.email)
    every_b = list(CANARIES["B"].values())
    before = _everything_shown(client, session, charity)
    assert _found(before, "A") == list(CANARIES["A"].values())
    assert _found(before, "B") == every_b
    assert _search_finds(client, "A", charity.a_case.id) == list(SEARCHED)
    assert _search_finds(client, "B", charity.b_case.id) == list(SEARCHED)
    exported = _export(app, tmp_path)
    assert CANARIES["A"]["last_name"].lower() in exported
    counted = counts(session)

    url = f"/cases/{charity.a_case.id}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "What is wiped" in page and "Article 9(2)(g)" in page and "CH-A-001" in page
    wrong = post_form(client, url, {"reason": "parent_asked", "confirm": "CH-B-002"})
    assert wrong.status_code == 200
    assert "That is not her reference" in wrong.get_data(as_text=True)
    assert session.scalar(select(Parent.erased_at).where(Parent.id == charity.a.id)) is None
    done = post_form(client, url, {"reason": "parent_asked", "confirm": "ch-a-001"})
    assert done.status_code == 302
    session.rollback()  # the test's own session still holds A as it was loaded (the CLI's)

    after = _everything_shown(client, session, charity)
    assert _found(after, "A") == []
    assert _found(after, "B") == every_b
    assert "erased parent" in after
    assert _search_finds(client, "A", charity.a_case.id) == []
    assert _search_finds(client, "B", charity.b_case.id) == list(SEARCHED)
    assert _found(_export(app, tmp_path), "A") == []
    assert counts(session) == counted
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.erased")).one()
    assert event.actor_id == charity.admin.id and event.ip is not None
    assert client.get(f"/cases/{charity.a_case.id}/parent").status_code == 302  # no editing


def test_only_admins_may_erase(client: FlaskClient, session: SessionLike, charity: Charity) -> None:
    login(client, charity.coordinator.email)
    assert client.get(f"/cases/{charity.a_case.id}/erase").status_code == 403
    assert client.get("/admin/settings/privacy").status_code == 403
    page = client.get(f"/cases/{charity.a_case.id}").get_data(as_text=True)
    assert "Erase this parent" not in page


def test_erasure_refused_while_her_case_is_open(
    client: FlaskClient, session: SessionLike, charity: Charity
) -> None:
    login(client, charity.admin.email)
    url = f"/cases/{charity.b_case.id}/erase"
    page = client.get(url).get_data(as_text=True)
    assert "still open" in page and "Erase her details for good" not in page
    response = post_form(client, url, {"reason": "parent_asked", "confirm": "CH-B-002"})
    assert response.status_code == 200
    assert session.scalar(select(Parent.erased_at).where(Parent.id == charity.b.id)) is None


def test_consent_withdrawn_then_erasure_offered(
    app: Flask, client: FlaskClient, session: SessionLike, charity: Charity
) -> None:
    login(client, charity.coordinator.email)
    url = f"/cases/{charity.b_case.id}/consent-withdrawn"
    future = post_form(client, url, {"withdrawn_on": "2026-11-09"})
    assert "cannot be in the future" in future.get_data(as_text=True)
    assert post_form(client, url, {"withdrawn_on": "2026-11-01"}).status_code == 302
    page = client.get(f"/cases/{charity.b_case.id}").get_data(as_text=True)
    assert "She withdrew consent on" in page and "An admin can erase her details" in page
    assert "The parent withdrew consent" in page  # the close reason
    admin = app.test_client()
    login(admin, charity.admin.email)
    page = admin.get(f"/cases/{charity.b_case.id}").get_data(as_text=True)
    assert f"/cases/{charity.b_case.id}/erase" in page


def test_privacy_settings_page(client: FlaskClient, session: SessionLike, charity: Charity) -> None:
    login(client, charity.admin.email)
    page = client.get("/admin/settings/privacy").get_data(as_text=True)
    assert "CH-A-001" in page and "Quixlewhistle" not in page  # refs, not names
    assert "1 Nov 2032" in page  # 72 months after her case closed
    bad = post_form(client, "/admin/settings/privacy", {"retention_months": "0"})
    assert "Enter a number from 1" in bad.get_data(as_text=True)
    saved = post_form(client, "/admin/settings/privacy", {"retention_months": "12"})
    assert saved.status_code == 302
    page = client.get("/admin/settings/privacy").get_data(as_text=True)
    assert "1 Nov 2027" in page
    assert 'name="refuse_unresolved_safeguarding"' in page
