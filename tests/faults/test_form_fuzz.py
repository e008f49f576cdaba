"""Fuzz every form and every query string, as every role: never a 500 (issue 9, item 8).

The routes come from ``app.url_map``, the ids from the seeded data of
tests/test_access_rules.py, and each form's fields (with its CSRF token) from the HTML of
the pages that show it, as the browser would send them. Each field then gets a fixed,
seeded set of bad values: a NUL byte, other control characters, huge and negative numbers,
an overlong string, or no value at all; ids in URLs get 2³¹ and 10³⁰. Every answer must be
below 500; ids past the database's integer must be a 404.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Rule

from app.auth.access import PUBLIC, access_rule
from app.extensions import SessionLike
from app.models import OutboxEmail
from app.settings import save_settings
from tests.factories import NOW, make_volunteer
from tests.helpers import login
from tests.test_access_rules import ROLES, _seed_one_of_everything

HUGE = ["2147483648", str(10**30), "-1"]
BAD_VALUES = {
    "nul": lambda v: f"{v}\x00",
    "control": lambda v: f"a\x01b\x1bc\x7f{v}",
    "int31": lambda v: HUGE[0],
    "int30": lambda v: HUGE[1],
    "negative": lambda v: HUGE[2],
    "overlong": lambda v: "x" * 20_000,
}
ALWAYS = ("nul", "missing", "overlong")  # every field; one more of the others is drawn
MIN_POSTS, MAX_POSTS = 1000, 2500  # ~20 s per database on a quiet machine
# an empty box, as a person would fill it in (so the bad value is the only thing wrong)
FILLED = {
    "email": "fuzz@example.org",
    "tel": "07700 900 982",
    "date": NOW.date().isoformat(),
    "datetime-local": NOW.strftime("%Y-%m-%dT%H:%M"),
    "number": "1",
    "password": "correct horse battery staple",
}


@dataclass
class Form:
    method: str
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # what a browser sends
    names: list[str] = field(default_factory=list)  # every named control, sent or not


class _PageForms(HTMLParser):
    """The forms of a page and the query arguments of its links."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._submitted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        form = self.forms[-1] if self.forms else None
        if tag == "a" and "?" in a.get("href", ""):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            action = urljoin(self.url, a.get("action") or self.url)
            self.forms.append(Form(a.get("method", "get").lower(), action))
            self._submitted = False
            self._picked: set[str] = set()
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if "selected" in a or (self._select_value in (None, "") and value):
                self._select_value = value
        elif form is None or not a.get("name"):
            return
        elif tag in ("input", "button"):
            self._control(form, tag, a)
        elif tag == "select":
            form.names.append(a["name"])
            self._select, self._select_value = a["name"], None
        elif tag == "textarea":
            form.names.append(a["name"])
            self._textarea, self._text = a["name"], ""

    def _control(self, form: Form, tag: str, a: dict[str, str]) -> None:
        """What a person filling the form in sends: a value in every box, one of each choice."""
        name, kind = a["name"], a.get("type", "text" if tag == "input" else "submit").lower()
        form.names.append(name)
        if kind in ("checkbox", "radio"):
            if "checked" not in a and (name in self._picked or name == "website"):
                return
            self._picked.add(name)
        elif kind == "submit":
            if self._submitted:
                return
            self._submitted = True
        if kind != "file":
            value = a.get("value", "")
            if not value and kind not in ("hidden", "submit") and name != "website":
                value = FILLED.get(kind, "Fuzz")
            form.fields.append((name, value or ("on" if kind == "checkbox" else "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None and self.forms:
            if self._select_value is not None:
                self.forms[-1].fields.append((self._select, self._select_value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self.forms:
            text = self._text.lstrip("\n") or "Fuzz"
            self.forms[-1].fields.append((self._textarea, text))
            self._textarea = None


@dataclass
class Discovered:
    posts: dict[str, Form] = field(default_factory=dict)  # by path
    queries: dict[str, set[str]] = field(default_factory=dict)  # path → argument names
    token: str = ""


def _discover(client: FlaskClient, urls: list[str]) -> Discovered:
    found = Discovered()
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()
            continue
        parser = _PageForms("http://localhost" + url)
        parser.feed(response.get_data(as_text=True))
        for form in parser.forms:
            path = urlsplit(form.action).path
            if form.method == "post":
                found.posts.setdefault(path, form)
                found.token = found.token or dict(form.fields).get("csrf_token", "")
            else:
                found.queries.setdefault(path, set()).update(form.names)
        for link in parser.links:
            split = urlsplit(link)
            names = {name for name, _ in parse_qsl(split.query, keep_blank_values=True)}
            found.queries.setdefault(split.path, set()).update(names)
    return found


def _mutations(form: Form, rng: random.Random) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(what, the fields to post): the form with one field spoilt at a time, then all at once."""
    names = list(dict.fromkeys([*form.names, *(name for name, _ in form.fields)]))
    base = form.fields or []
    for name in names:
        if name == "csrf_token":
            continue
        value = next((v for n, v in base if n == name), "")
        drawn = rng.sample(sorted(set(BAD_VALUES) - set(ALWAYS)), 1)
        for kind in [*ALWAYS, *drawn]:
            others = [(n, v) for n, v in base if n != name]
            yield (
                f"{name}={kind}",
                others
                if kind == "missing"
                else [
                    *others,
                    (name, BAD_VALUES[kind](value)),
                ],
            )
    for kind in ("control", "int30", "overlong"):
        spoilt = [(n, v if n == "csrf_token" else BAD_VALUES[kind](v)) for n, v in base]
        extra = [(n, BAD_VALUES[kind]("")) for n in names if n not in dict(base)]
        yield f"every field={kind}", [*spoilt, *extra]


def _allowed(app: Flask, rule: Rule, role: str) -> bool:
    access = access_rule(app.view_functions[rule.endpoint])
    return access == PUBLIC or (isinstance(access, frozenset) and role in access)


def _urls(rule: Rule, ids: dict[str, list[Any]], app: Flask) -> list[str]:
    adapter = app.url_map.bind("localhost")
    names = sorted(rule.arguments)
    return [
        adapter.build(rule.endpoint, dict(zip(names, values, strict=True)))
        for values in itertools.product(*(ids[name] for name in names))
    ]


def _huge_id_urls(rule: Rule, ids: dict[str, list[Any]]) -> list[str]:
    """The rule's path with each int argument in turn at 2³¹ and 10³⁰ (the others seeded)."""
    ints = [name for name, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
    urls = []
    for name, huge in itertools.product(ints, HUGE[:2]):
        path = rule.rule
        for arg in rule.arguments:
            value = huge if arg == name else str(ids[arg][0])
            path = path.replace(f"<int:{arg}>", value).replace(f"<{arg}>", value)
        urls.append(path)
    return urls


def _check(response: Any, what: str, failures: list[str]) -> int:
    status = int(response.status_code)
    response.close()
    if status >= 500:
        failures.append(f"{status}: {what}")
    return status


def test_no_bad_input_gives_a_server_error(app: Flask, session: SessionLike) -> None:
    started = time.monotonic()
    app.config["CORNER_NOW"] = NOW
    ids, emails = _seed_one_of_everything(session)
    # every accepted self-referral is taken (the limit counts only those)
    save_settings(session, NOW, "referrals", {"per_address": 10**4, "per_email": 10**4}, None)
    # the admin's deactivate/reactivate buttons act on a spare volunteer, so the
    # volunteer's own client stays logged in however the fuzz turns out
    ids["user_id"] = [make_volunteer(session).id]
    ids["email_id"] = [session.scalar(sa.select(OutboxEmail.id))]
    session.commit()
    clients = {role: app.test_client() for role in ROLES}
    for role, email in emails.items():
        assert login(clients[role], email).status_code == 302, role

    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))
    rules = [r for r in rules if r.endpoint != "static"]
    get_urls = [u for r in rules if "GET" in (r.methods or ()) for u in _urls(r, ids, app)]
    discovered = {role: _discover(client, get_urls) for role, client in clients.items()}
    rng = random.Random(9)
    failures: list[str] = []
    posts = 0

    for rule in rules:
        methods = rule.methods or set()
        for role, client in clients.items():
            found = discovered[role]
            # ids the database cannot hold: no route matches them
            for url in _huge_id_urls(rule, ids):
                for method in sorted(methods & {"GET", "POST"}):
                    data = {"csrf_token": found.token} if method == "POST" else None
                    what = f"{method} {url} as {role}"
                    status = _check(client.open(url, method=method, data=data), what, failures)
                    if status != 404:
                        failures.append(f"{status} (not 404): {what}")
            if "POST" in methods:
                for n, url in enumerate(_urls(rule, ids, app)):
                    form = found.posts.get(url) or next(
                        (d.posts[url] for d in discovered.values() if url in d.posts),
                        Form("post", url, [("csrf_token", "")]),
                    )
                    base = [(n, found.token if n == "csrf_token" else v) for n, v in form.fields]
                    if ("csrf_token", found.token) not in base:
                        base.append(("csrf_token", found.token))
                    form = Form("post", url, base, form.names)
                    chosen = list(_mutations(form, rng))
                    if n > 0 or not _allowed(app, rule, role):
                        # other seeded ids, or refused before the form is read: the
                        # whole-form mutations only
                        chosen = chosen[-3:]
                    for what, fields in chosen:
                        response = client.post(url, data=MultiDict(fields))
                        _check(response, f"POST {url} as {role}: {what}", failures)
                        posts += 1
            if "GET" in methods:
                for url in _urls(rule, ids, app):
                    for name in sorted(found.queries.get(url, ())):
                        for kind in sorted(BAD_VALUES):
                            value = BAD_VALUES[kind]("1")
                            response = client.get(url, query_string={name: value})
                            _check(response, f"GET {url}?{name}={kind} as {role}", failures)
    elapsed = time.monotonic() - started
    print(f"{posts} posts in {elapsed:.1f} s")
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(failures[:4000])
    assert posts > MIN_POSTS, f"only {posts} posts: the fuzz found too few forms"
    assert posts < MAX_POSTS, f"{posts} posts in {elapsed:.0f} s: keep the fuzz bounded"
