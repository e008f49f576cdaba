"""Walk every route of ``app.url_map`` with values that do not fit: never a 500 (issue 10,
item 12).

Generic: the routes come from ``url_map`` (a new route is walked the day it is added), the
ids from the seeded data of tests/test_access_rules.py, the query arguments from the whole
app's source (every ``request.args.get("…")`` and ``int_arg("…")``), from the pages' own
filter forms and links, and from a list of the usual names. As each role (anonymous,
volunteer, coordinator, admin):

* every URL argument in turn takes values its converter should refuse or the database
  cannot hold (``99999999999999999999999``, ``-1``, ``2147483648``: no route matches, a 404;
  tried as the admin, since routing does not depend on who asks) or that no record has
  (``0`` as every role, ``2147483647`` as one that may use the route): a 404 for a role that
  may use the route, the login page or a 403 for one that may not;
* every GET route gets bad query arguments (huge and negative numbers, dates at the ends of
  the calendar and past them, odd characters, unknown filter values, broken
  percent-encoding): every name at once and each of the route's own names alone, as one
  role that may use it (any such role reads them the same way); every other role sends the
  issue's values (``page=10**21&actor=10**21&date_to=0001-01-01…``); control characters
  are a 400 everywhere;
* every POST route gets, with a valid CSRF token, an empty form, a garbage form, broken
  percent-encoding, raw bytes, a binary body and a multipart file; and a form without a
  token. A role refused at the gate posts the empty form only.

Every answer must be below 500. The forms' own fields are fuzzed by test_form_fuzz.py.
"""

from __future__ import annotations

import inspect
import io
import itertools
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter, Rule

from app.auth.access import PUBLIC, access_rule
from app.extensions import SessionLike
from app.models import OutboxEmail
from tests.factories import NOW, make_volunteer
from tests.faults.test_form_fuzz import _discover
from tests.helpers import csrf_token, login
from tests.test_access_rules import ROLES, _seed_one_of_everything

APP_DIR = Path(__file__).resolve().parents[2] / "app"
#: the walk is bounded by its number of requests (its time depends on the machine's load:
#: about 10 s on a quiet machine per database)
MIN_REQUESTS, MAX_REQUESTS = 800, 3200  # the privacy, two-factor and reports pages: ~2400

HUGE = "99999999999999999999999"
#: what each kind of URL argument gets instead of a real value; the first two match an
#: ``int`` route (an id no record has), the others cannot
MATCHING_INTS = ["0", "2147483647"]
BAD_INTS = [*MATCHING_INTS, HUGE, "-1", "2147483648"]
BAD_STRINGS = [HUGE, "-1", "0", "x" * 3000, "%00", "%ff%fe", "..%2F..%2Fetc%2Fpasswd", "'%22<>"]
#: query values that do not fit (control characters are a 400: see CONTROL_QUERY)
BAD_QUERY_VALUES = [
    str(10**21),
    "-99999999999999999999999",
    "0",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "zzz",
    "%_*'\"\\<script>;-- Zoë ß İ 😀 \u202e \u2028 \ufeff",
    "x" * 5000,
    "",
]
#: the usual names of query arguments, sent to every GET route
USUAL_NAMES = [
    "page",
    "actor",
    "action",
    "object_type",
    "date_from",
    "date_to",
    "q",
    "severity",
    "status",
    "stage",
    "rule",
    "show",
    "area",
    "deleted",
    "next",
    "sort",
    "order",
]
#: the combination the issue names, in one request
ISSUE_QUERY = {
    "page": str(10**21),
    "actor": str(10**21),
    "date_from": "9999-12-31",
    "date_to": "0001-01-01",
    "q": "%' OR 1=1 --",
    "severity": "zzz",
    "status": "zzz",
    "stage": "zzz",
}
CONTROL_QUERY = {"q": "a\x00b"}  # unreadable: 400 on every route
RAW_QUERY = "page=%ff%fe&status=%e2%80&q=%zz&&=&stage&show=%&actor=%c0%af&date_from=%2"
TOKENS: dict[str, str] = {}  # a valid CSRF token of each role's client, for the walk
ARG_RE = re.compile(r"""(?:request\.args\.get|int_arg)\(\s*["']([A-Za-z_][\w-]*)["']""")
#: a form full of fields that do not fit, whatever the view expects
GARBAGE_FORM = {
    **{name: value for name, value in zip(USUAL_NAMES, itertools.cycle(BAD_QUERY_VALUES))},
    "id": HUGE,
    "case_id": "-1",
    "volunteer_id": HUGE,
    "user_id": "0",
    "reason": "zzz",
    "outcome": "zzz",
    "note": "x" * 20_000,
    "email": "not an email",
    "role": "emperor",
    "areas": ["zzz", HUGE, "-1"],
    "file": "not a file",
    "date": "9999-12-31",
    "occurred_at": "0001-01-01T00:00",
    "confirm": "maybe",
}


def _names_in_source(source: str) -> set[str]:
    return set(ARG_RE.findall(source))


def _query_names_of_app() -> set[str]:
    """Every query argument some part of the app reads by name."""
    names: set[str] = set()
    for path in APP_DIR.rglob("*.py"):
        names |= _names_in_source(path.read_text(encoding="utf-8"))
    return names


def _allowed(app: Flask, rule: Rule, role: str) -> bool:
    access = access_rule(app.view_functions[rule.endpoint])
    return access == PUBLIC or (isinstance(access, frozenset) and role in access)


def _path(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with these raw (already URL-encoded) values, bypassing the converters."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", values[name], path)
    return path


def _bad_paths(rule: Rule, ids: dict[str, list[Any]]) -> Iterator[tuple[str, bool]]:
    """(path, may match the rule): each URL argument in turn spoilt, the others seeded."""
    seeded = {name: str(ids[name][0]) for name in rule.arguments}
    for name, converter in rule._converters.items():
        is_int = isinstance(converter, IntegerConverter)
        for value in BAD_INTS if is_int else BAD_STRINGS:
            yield _path(rule, {**seeded, name: value}), not is_int or value in MATCHING_INTS


def _seeded_urls(app: Flask, rule: Rule, ids: dict[str, list[Any]]) -> list[str]:
    adapter = app.url_map.bind("localhost")
    names = sorted(rule.arguments)
    return [
        adapter.build(rule.endpoint, dict(zip(names, values, strict=True)))
        for values in itertools.product(*(ids[name] for name in names))
    ]


class Walk:
    """The answers, and every one of 500 or more (or of the wrong kind) written down."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.requests = 0

    def check(self, response: Any, what: str, expected: set[int] | None = None) -> int:
        status = int(response.status_code)
        response.close()
        self.requests += 1
        if status >= 500:
            self.failures.append(f"{status}: {what}")
        elif expected is not None and status not in expected:
            self.failures.append(f"{status} (expected {sorted(expected)}): {what}")
        return status


def _walk_ids(
    app: Flask, walk: Walk, rule: Rule, role: str, client: FlaskClient, ids: dict[str, Any]
) -> None:
    """Each URL argument spoilt in turn. Routing does not depend on who asks, so the values
    no route matches are tried as the admin only; the largest id the database holds is tried
    by one role that may use the route, ``0`` by every role."""
    methods = (rule.methods or set()) & {"GET", "POST"}
    allowed = _allowed(app, rule, role)
    for path, may_match in _bad_paths(rule, ids):
        if not may_match and role != "admin":
            continue
        if "2147483647" in path and role != _full_query_walker(app, rule):
            continue
        for method in sorted(methods):
            if rule.endpoint == "static" or not may_match:
                expected = {404}  # no route holds such an id (no such file)
            elif allowed:
                # an unknown invitation is "gone" (410); an unknown id is not found
                expected = {404} if rule.arguments - {"token"} else {200, 302, 400, 404, 410}
            else:
                # refused before the id is read: the login page, or 403
                expected = {302 if role == "anonymous" else 403}
            data = {"csrf_token": TOKENS[role]} if method == "POST" else None
            response = client.open(path, method=method, data=data)
            walk.check(response, f"{method} {path[:80]} as {role}", expected)


def _walk_query(
    walk: Walk, url: str, role: str, client: FlaskClient, names: set[str] | None, usual: set[str]
) -> None:
    """Bad query arguments: every name at once with each bad value, then each of the route's
    own ``names`` alone with each, an unreadable query, and the issue's values together.
    ``names`` None: the issue's values only (another role walks this route in full)."""
    if names is not None:
        for value in BAD_QUERY_VALUES:
            query = {name: value for name in sorted(usual | names)}
            response = client.get(url, query_string=query)
            walk.check(response, f"GET {url}?<every name>={value[:30]!r} as {role}")
        for name, value in itertools.product(sorted(names), BAD_QUERY_VALUES):
            response = client.get(url, query_string={name: value})
            walk.check(response, f"GET {url}?{name}={value[:30]!r} as {role}")
        response = client.get(url, query_string=CONTROL_QUERY)
        walk.check(response, f"GET {url}?q=NUL as {role}", {400})
        response = client.get(url, query_string=RAW_QUERY)
        walk.check(response, f"GET {url}?<broken percent-encoding> as {role}")
    walk.check(client.get(url, query_string=ISSUE_QUERY), f"GET {url}?<issue's values> as {role}")


def _walk_post(walk: Walk, url: str, role: str, client: FlaskClient, allowed: bool) -> None:
    """An empty form, a garbage one, an unreadable body, a binary one, one with no token.
    A role refused at the gate (before the form is read) posts the empty form only."""
    token = TOKENS[role]
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("empty", {"data": {"csrf_token": token}}),
        ("garbage", {"data": {**GARBAGE_FORM, "csrf_token": token}}),
        (  # broken percent-encoding (Werkzeug keeps it as text)
            "unreadable",
            {
                "data": b"csrf_token=" + token.encode() + b"&%zz=%ff%fe&&==&reason=%ff"
                b"&note=%e2%80&first_name=%c0%af&email=%&page=%2",
                "content_type": "application/x-www-form-urlencoded",
            },
        ),
        # raw bytes that are no text: Werkzeug drops the whole form (so the token: a 400)
        (
            "raw bytes",
            {
                "data": b"csrf_token=" + token.encode() + b"&x=\xff\xfe",
                "content_type": "application/x-www-form-urlencoded",
            },
        ),
        ("binary", {"data": b"\x00\xff" * 512, "content_type": "application/octet-stream"}),
        ("multipart", {"data": {"csrf_token": token, "file": (io.BytesIO(b"\xff\x00"), "x.csv")}}),
        ("no token", {"data": {"reason": "zzz"}}),
    ]
    for what, kwargs in bodies if allowed else bodies[:1]:
        walk.check(client.post(url, **kwargs), f"POST {url} ({what}) as {role}")


def _full_query_walker(app: Flask, rule: Rule) -> str | None:
    """The one role that walks a GET route's query arguments in full (any that may use it
    reads them the same way): anonymous for a public page, else a coordinator (her cases
    are limited by area), the admin, a volunteer."""
    for role in ("anonymous", "coordinator", "admin", "volunteer"):
        if _allowed(app, rule, role):
            return role
    return None


def test_every_route_refuses_what_does_not_fit_without_a_500(
    app: Flask, session: SessionLike
) -> None:
    started = time.monotonic()
    app.config["CORNER_NOW"] = NOW
    app.config["SELF_REFERRAL_LIMIT"] = 10**9  # every post reaches the view
    ids, emails = _seed_one_of_everything(session)
    # the admin's deactivate/reactivate buttons act on a spare volunteer, so the
    # volunteer's own client stays logged in whatever the walk posts
    ids["user_id"] = [make_volunteer(session).id]
    ids["email_id"] = [session.scalar(sa.select(OutboxEmail.id))]
    session.commit()
    clients = {role: app.test_client() for role in ROLES}
    for role, email in emails.items():
        assert login(clients[role], email).status_code == 302, role
    for role, client in clients.items():
        page = client.get("/login" if role == "anonymous" else "/account/password")
        TOKENS[role] = csrf_token(page.get_data(as_text=True))

    # logging out last, so every client stays who it is until then
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))
    missing = {name for rule in rules for name in rule.arguments} - set(ids)
    assert not missing, f"give the seeded data an id for {missing}"
    # the query arguments each page's filter forms and links use, as the roles that see it
    page_names: dict[str, set[str]] = {}
    for role, client in clients.items():
        urls = [
            url
            for rule in rules
            if "GET" in (rule.methods or ()) and rule.endpoint != "static"
            if _allowed(app, rule, role) and rule.endpoint != "auth.logout"
            for url in _seeded_urls(app, rule, ids)[:1]
        ]
        for path, found in _discover(client, urls).queries.items():
            page_names.setdefault(path, set()).update(found)
    app_names = _query_names_of_app()
    assert {"page", "status"} <= app_names, "the source scan found no query arguments"
    usual = set(USUAL_NAMES) | app_names

    walk = Walk()
    for rule, (role, client) in itertools.product(rules, clients.items()):
        methods = rule.methods or set()
        _walk_ids(app, walk, rule, role, client, ids)
        if rule.endpoint == "static":
            continue
        allowed = _allowed(app, rule, role)
        urls = _seeded_urls(app, rule, ids)
        if "GET" in methods:
            # in full on the first seeded record; the issue's values on each of them (the
            # volunteer's own case is the second)
            for n, url in enumerate(urls):
                names: set[str] | None = None
                if n == 0 and role == _full_query_walker(app, rule):
                    view = inspect.unwrap(app.view_functions[rule.endpoint])
                    names = _names_in_source(inspect.getsource(view)) | page_names.get(url, set())
                _walk_query(walk, url, role, client, names, usual)
        if "POST" in methods:
            _walk_post(walk, urls[0], role, client, allowed)

    elapsed = time.monotonic() - started
    print(f"{walk.requests} requests in {elapsed:.1f} s")
    assert not walk.failures, f"{len(walk.failures)} bad answers:\n" + "\n".join(
        walk.failures[:300]
    )
    assert walk.requests > MIN_REQUESTS, "the walk made too few requests: did it find the routes?"
    assert walk.requests < MAX_REQUESTS, f"{walk.requests} requests: keep the walk bounded"
