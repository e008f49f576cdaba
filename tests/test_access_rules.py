"""Meta-tests over every route: each declares who may use it, and no GET changes anything."""

from __future__ import annotations

import itertools
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.audit import record
from app.auth.access import PUBLIC, access_rule
from app.auth.reset import request_password_reset
from app.auth.service import issue_invitation
from app.extensions import SessionLike, db
from app.health.checks import HEARTBEAT_KEY
from app.models import (
    AuditEvent,
    BackgroundJob,
    EscalationFlag,
    FlagChase,
    MatchExclusion,
    OutboxEmail,
    PostcodeCentroid,
    RateLimitCounter,
    RecoveryCode,
    Setting,
    WeeklyDigest,
)
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)
from tests.helpers import login

# The only routes anyone may reach without logging in.
PUBLIC_ENDPOINTS = {
    "auth.login",
    "auth.accept",
    "auth.forgot_password",
    "auth.reset_password_page",
    "auth.two_factor_code",  # the code after the password: only with a half-signed-in session
    "static",
    "main.favicon",
    "rights.notice",
    "health.healthz",
}  # the icon and the health check: no data; the privacy notice: the charity's words
PUBLIC_ALLOWED_LATER = {"cases.self_referral", "cases.self_referral_done"}
KNOWN_ROLES = {"admin", "coordinator", "volunteer"}


def test_every_route_has_an_access_rule(app: Flask) -> None:
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        access = access_rule(view)
        if access is None:
            missing.append(f"{rule.rule} -> {rule.endpoint}")
        elif access != PUBLIC:
            assert isinstance(access, frozenset) and access <= KNOWN_ROLES, rule.endpoint
    assert not missing, "routes without @public or @roles(...):\n" + "\n".join(missing)


def test_public_routes_are_only_the_allow_list(app: Flask) -> None:
    public = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "static" or access_rule(app.view_functions[rule.endpoint]) == PUBLIC
    }
    assert public - PUBLIC_ALLOWED_LATER == PUBLIC_ENDPOINTS


# What a GET may write, and why: reading a parent's details or a check-in is itself audited
# (data protection: who looked at whose record). Nothing else: the rate-limit counters are
# written only by POSTs (the self-referral form), so they get no allowance.
GET_MAY_WRITE: dict[str, sa.ColumnElement[bool]] = {
    "audit_events": AuditEvent.__table__.c.action.like("%.viewed"),
}
ROLES = ("anonymous", "volunteer", "coordinator", "admin")


def test_no_route_changes_state_on_get(app: Flask, session: SessionLike) -> None:
    """Every GET route, as each role, with real ids: no table changes (but GET_MAY_WRITE).

    State-changing views are POST-only (no PUT, PATCH or DELETE either); a GET+POST view
    must only render on GET.
    """
    for rule in app.url_map.iter_rules():
        methods = rule.methods or set()
        assert not ({"PUT", "PATCH", "DELETE"} & methods), rule.rule
    app.config["CORNER_NOW"] = NOW
    ids, emails = _seed_one_of_everything(session)
    clients = {role: app.test_client() for role in ROLES}
    for role, email in emails.items():
        assert login(clients[role], email).status_code == 302, role
    adapter = app.url_map.bind("localhost")
    before = _snapshot()
    empty = [table for table, rows in before.items() if not rows]
    assert not empty, f"seed {empty} too, so that an update or delete there would show"

    served: dict[str, set[str]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()):
            continue
        missing = set(rule.arguments) - set(ids)
        assert not missing, f"{rule.rule}: give the seeded data an id for {missing}"
        names = sorted(rule.arguments)
        for values in itertools.product(*(ids[name] for name in names)):
            url = adapter.build(rule.endpoint, dict(zip(names, values, strict=True)))
            for role, client in clients.items():
                response = client.get(url)
                response.close()  # (static files are streamed)
                status = response.status_code
                assert status < 500, f"GET {url} as {role}: {status}"
                if status == 200:
                    served.setdefault(rule.endpoint, set()).add(role)
                after = _snapshot()
                changed = [t for t in before if after[t] != before[t]]
                assert not changed, f"GET {url} as {role} changed {changed}"
    with db.engine.connect() as conn:
        allowed_rows = conn.scalar(sa.select(sa.func.count()).where(GET_MAY_WRITE["audit_events"]))
    assert allowed_rows, "no GET wrote a viewed event: the allowance is not needed any more"
    # the requests reached the views: each route served the roles it allows, at least once
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()):
            continue
        access = access_rule(app.view_functions[rule.endpoint])
        public = access == PUBLIC or rule.endpoint == "static"
        allowed = {"anonymous"} if public else set(access or ())
        assert allowed & served.get(rule.endpoint, set()), f"{rule.rule} served no one"


def _seed_one_of_everything(session: SessionLike) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """One of each kind of record, and the ids to put in URLs (by URL argument name)."""
    area = make_area(session, "Bristol", duty_email="duty@bristol.example")
    coordinator = make_user(session, "coordinator", areas=[area])
    admin = make_user(session, "admin")
    volunteer = make_volunteer(session, area=area)
    other = make_volunteer(session, area=area)  # free to be matched
    waiting = make_case(session, area=area, owner=coordinator)
    active = make_case(session, area=area, owner=coordinator)
    make_assignment(session, active, volunteer)
    submitted = make_checkin(session, active, volunteer, concerns=["safeguarding"])
    draft = make_checkin(session, active, volunteer, status="draft", submitted_at=None)
    flag = EscalationFlag(
        case_id=active.id, rule="LOW_MOOD", severity="high", raised_at=NOW, checkin_id=submitted.id
    )
    invited = make_user(session, "coordinator", password=None, areas=[area])
    token = issue_invitation(session, NOW, invited, admin)
    reset_token = request_password_reset(session, NOW, volunteer)
    session.add_all(
        [
            flag,
            MatchExclusion(
                parent_id=waiting.parent_id, volunteer_id=volunteer.id, reason="declined",
                created_at=NOW,
            ),
            OutboxEmail(
                message_id="<urgent_flag.1@corner.test>", kind="urgent_flag",
                to_addrs=["duty@bristol.example"], subject="Urgent", body_text="x",
                body_html="<p>x</p>", status="failed", attempts=1, created_at=NOW,
                next_attempt_at=NOW, case_id=active.id,
            ),
            WeeklyDigest(coordinator_id=coordinator.id, iso_year=2026, iso_week=44, created_at=NOW),
            PostcodeCentroid(postcode="BS1 1AA", latitude=51.45, longitude=-2.59),
            RateLimitCounter(key="self_referral:127.0.0.1", window_start=0, hits=1),
            Setting(key="test.unused", value={}, updated_at=NOW, updated_by_id=admin.id),
            RecoveryCode(user_id=coordinator.id, code_hash="0" * 64, created_at=NOW),
            Setting(key=HEARTBEAT_KEY, value={}, updated_at=NOW),  # /healthz answers 200
            BackgroundJob(
                kind="import", status="queued", created_by_id=admin.id, created_at=NOW,
                input_files=["parents.csv"],
            ),
        ]
    )  # fmt: skip
    session.flush()
    session.add(FlagChase(flag_id=flag.id, step="leads", taken_at=NOW))
    record(session, NOW, "seeded", actor_id=admin.id)
    session.commit()
    ids: dict[str, list[Any]] = {
        "case_id": [waiting.id, active.id],
        "volunteer_id": [other.id],
        "checkin_id": [submitted.id, draft.id],
        "flag_id": [flag.id],
        "user_id": [volunteer.id],
        "area_id": [area.id],
        "token": [token, reset_token],
        "filename": ["corner.css"],
        "email_id": list(session.scalars(sa.select(OutboxEmail.id))),
        "table": ["referrals-by-source"],  # /reports/<table>.csv
        "job_id": list(session.scalars(sa.select(BackgroundJob.id))),
    }
    emails = {"volunteer": volunteer.email, "coordinator": coordinator.email, "admin": admin.email}
    return ids, emails


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the GET_MAY_WRITE rows left out), read afresh."""
    rows = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            query = sa.select(table).order_by(*table.primary_key.columns)
            if table.name in GET_MAY_WRITE:
                query = query.where(~GET_MAY_WRITE[table.name])
            rows[table.name] = [tuple(row) for row in conn.execute(query)]
    return rows


def test_volunteer_routes_with_ids_are_covered_by_the_cross_volunteer_test(app: Flask) -> None:
    """A route taking an id that a volunteer may call must be in tests/cross_volunteer.py.

    That registry drives tests/cases/test_cross_volunteer.py, which tries each such route with
    another volunteer's ids and expects 404 with nothing changed. Public routes take tokens,
    not ids of people's records, and are covered by their own tests.
    """
    from tests.cross_volunteer import CROSS_VOLUNTEER_ROUTES

    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        access = access_rule(app.view_functions[rule.endpoint])
        if isinstance(access, frozenset) and "volunteer" in access:
            if rule.endpoint not in CROSS_VOLUNTEER_ROUTES:
                missing.append(f"{rule.rule} -> {rule.endpoint}")
            else:
                assert CROSS_VOLUNTEER_ROUTES[rule.endpoint].param in rule.arguments, rule.rule
    assert not missing, "volunteer routes with ids but no cross-volunteer test:\n" + "\n".join(
        missing
    )
    known = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert set(CROSS_VOLUNTEER_ROUTES) <= known, "registry lists routes that no longer exist"
