"""The issue's check on the demo: a coordinator finds a parent of her area by part of her
surname, by phone written with spaces or +44, and by either reference; not one of another area."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.demo.vocab import COORDINATOR_EMAIL, DEMO_PASSWORD
from app.extensions import SessionLike
from app.models import Area, Case, Parent, User
from tests.helpers import login

NOW_ARG = "2026-11-02T10:00:00+00:00"


def test_a_coordinator_finds_a_demo_parent(app: Flask, session: SessionLike) -> None:
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--now", NOW_ARG])
    assert result.exit_code == 0, result.output
    coordinator = session.scalars(select(User).where(User.email == COORDINATOR_EMAIL)).one()
    mine = [area.id for area in coordinator.areas]
    case, parent = session.execute(
        select(Case, Parent)
        .join(Parent, Case.parent_id == Parent.id)
        .where(Case.area_id.in_(mine), Parent.phone.is_not(None))
        .order_by(Case.id)
    ).first() or (None, None)
    assert case is not None and parent is not None and parent.phone is not None
    other = session.execute(
        select(Case, Parent)
        .join(Parent, Case.parent_id == Parent.id)
        .join(Area, Case.area_id == Area.id)
        .where(Case.area_id.not_in(mine), func.coalesce(Case.owner_id, 0) != coordinator.id)
        .order_by(Case.id)
    ).first()
    assert other is not None
    client = app.test_client()
    login(client, COORDINATOR_EMAIL, DEMO_PASSWORD)

    def finds(query: str, target: Case) -> bool:
        response = client.get("/cases", query_string={"q": query})
        assert response.status_code == 200
        return f'href="/cases/{target.id}"' in response.get_data(as_text=True)

    surname_part = parent.last_name[1:5]
    spaced = parent.phone  # the demo writes them "07700 900123"
    international = "+44 " + parent.phone.replace(" ", "")[1:]
    for query in (surname_part, spaced, international, case.reference, parent.ref):
        assert finds(query, case), query
    assert not finds(other[0].reference, other[0])
    assert not finds(other[1].phone or "no phone", other[0])
