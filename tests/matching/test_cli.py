"""`flask matching …` through Flask's CLI runner, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from app.extensions import SessionLike
from app.models import PostcodeCentroid, VolunteerProfile
from tests.factories import make_case, make_parent, make_volunteer

NOW_ISO = "2026-11-02T10:00"


def test_suggest_json(app: Flask, session: SessionLike) -> None:
    parent = make_parent(session, ref="R-1", tags=["twins"])
    best = make_volunteer(session, tags=["twins"], user_kw={"email": "best@example.org"})
    make_volunteer(session, user_kw={"email": "ok@example.org"})
    make_volunteer(session, status="left")
    session.commit()
    result = app.test_cli_runner().invoke(
        args=["matching", "suggest", parent.ref, "--json", "--now", NOW_ISO, "--limit", "1"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["parent_ref"] == "R-1"
    assert [s["volunteer_email"] for s in doc["suggestions"]] == [best.email]
    parts = doc["suggestions"][0]["parts"]
    assert set(parts) == {
        "stage",
        "distance",
        "availability",
        "experience",
        "continuity",
        "workload",
    }
    assert abs(sum(parts.values()) - doc["suggestions"][0]["score"]) < 0.05
    assert doc["excluded"] == {"active": 1}


def test_suggest_unknown_ref_and_bad_now(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["matching", "suggest", "NOPE"])
    assert result.exit_code == 1 and "No parent has the reference 'NOPE'" in result.output
    result = runner.invoke(args=["matching", "suggest", "NOPE", "--now", "yesterday"])
    assert result.exit_code == 2 and "not an ISO time" in result.output


def test_plan_json(app: Flask, session: SessionLike) -> None:
    c1 = make_case(session, make_parent(session, ref="A"))
    make_case(session, make_parent(session, ref="B"))
    make_volunteer(session, max_caseload=1, user_kw={"email": "v@example.org"})
    session.commit()
    result = app.test_cli_runner().invoke(args=["matching", "plan", "--json", "--now", NOW_ISO])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["pairs"]) == 1 and doc["pairs"][0]["volunteer_email"] == "v@example.org"
    assert doc["pairs"][0]["parent_ref"] in {"A", "B"}
    assert doc["total"] == doc["pairs"][0]["score"]
    assert c1.status == "waiting"  # the plan only proposes


def test_import_postcodes(app: Flask, session: SessionLike, tmp_path: Path) -> None:
    volunteer = make_volunteer(session, postcode="BS1 4DJ")
    session.commit()
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode,latitude,longitude\nBS1 4DJ,51.4,-2.6\nXX,,-2\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["matching", "import-postcodes", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:3: postcode: 'XX' is not a postcode" in result.output
    assert f"{bad}:3: latitude: '' is not a number from -90 to 90" in result.output
    assert session.scalars(select(PostcodeCentroid)).all() == []
    good = tmp_path / "good.csv"
    good.write_text("postcode,latitude,longitude\nbs14dj,51.4,-2.6\n", encoding="utf-8")
    result = runner.invoke(args=["matching", "import-postcodes", str(good)])
    assert result.exit_code == 0, result.output
    assert "filled coordinates of 0 parents and 1 volunteers" in result.output
    session.expire_all()
    profile = session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.user_id == volunteer.id)
    )
    assert profile is not None and (profile.latitude, profile.longitude) == (51.4, -2.6)
