"""Every cases page renders for the roles that use it (a broad net before the focused tests)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.cases.conftest import World
from tests.helpers import login


def test_coordinator_pages_render(client: FlaskClient, world: World) -> None:
    login(client, world.coordinator.email)
    for url in [
        "/waiting",
        "/cases",
        "/cases?status=closed",
        "/referrals/new",
        f"/cases/{world.alice_case.id}",
        f"/cases/{world.alice_case.id}/parent",
        f"/cases/{world.alice_case.id}/close",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_volunteer_pages_render(client: FlaskClient, world: World) -> None:
    login(client, world.alice.email)
    for url in [
        "/my/parents",
        "/my/drafts",
        f"/cases/{world.alice_case.id}",
        f"/cases/{world.alice_case.id}/checkins/new",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_admin_audit_and_public_pages(client: FlaskClient, world: World) -> None:
    assert client.get("/refer").status_code == 200
    assert client.get("/refer/thanks").status_code == 200
    login(client, world.admin.email)
    assert client.get("/admin/audit").status_code == 200
