"""Helpers shared by the whole suite: the test app, forms and logins, the accessibility check.

Fixtures live in ``tests/conftest.py``; everything a test imports lives here.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from flask.testing import FlaskClient
from playwright.sync_api import Page

from app import create_app
from tests.factories import PASSWORD

# --------------------------------------------------------------------------- the app


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own application context.

    The fixtures keep an app context open for the test's own session; without this,
    requests would share its ``g`` (and so Flask-Login's cached user) and its session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        ctx = self.application.app_context()
        ctx.push()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.pop()


def make_app(database_uri: str, **extra: Any) -> Flask:
    """A Corner app in the testing config on this database (``extra`` overrides config)."""
    config: dict[str, Any] = {
        "CORNER_ENV": "testing",
        "SQLALCHEMY_DATABASE_URI": database_uri,
    }
    config.update(extra)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


# --------------------------------------------------------------------------- forms and logins

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    """The CSRF token from the first form on a page."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Log in through the real login form (GET for the token, then POST)."""
    page = client.get("/login")
    token = csrf_token(page.get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def post_form(client: FlaskClient, url: str, data: dict[str, Any], page: str | None = None) -> Any:
    """POST a form with a CSRF token taken from ``page`` (default: GET the same URL)."""
    html = client.get(page or url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(html)})


# --------------------------------------------------------------------------- SQL statements

StatementCounter = Callable[[], AbstractContextManager[list[str]]]
"""The ``count_statements`` fixture: ``with count_statements() as statements: ...``."""


# --------------------------------------------------------------------------- accessibility

SERIOUS = frozenset({"serious", "critical"})
AXE = Axe()  # axe-playwright-python bundles axe-core, so this runs offline


def assert_accessible(
    page: Page, where: str, *, strict: bool = False, rules: dict[str, Any] | None = None
) -> None:
    """Run axe-core on the page: fail on serious or critical problems (``strict``: on any).

    ``rules`` switches axe rules on or off, e.g. ``{"target-size": {"enabled": True}}``.
    """
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules:
        options["rules"] = rules
    response: dict[str, Any] = AXE.run(page, options=options).response
    # axe really ran and checked something (tests/e2e/test_accessibility.py shows it finds
    # problems when they are there)
    assert response["testEngine"]["name"] == "axe-core"
    assert response["passes"], f"{where}: axe checked nothing"
    violations: list[dict[str, Any]] = response["violations"]
    blocking = [v for v in violations if strict or v.get("impact") in SERIOUS]
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in blocking
    )
    assert not blocking, f"{where}: accessibility problems:\n{details}"


def together(n: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(0)`` … ``work(n-1)`` in n threads released at once; the errors raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as error:  # reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors
