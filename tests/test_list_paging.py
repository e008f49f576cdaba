"""Every list is paged: never more than 50 rows, page 2 has the rest, filters survive paging,
a bad ``page`` is page 1 (past the end: the last page), never a 500. On both databases.

Each list gets 60 rows that match a filter (named ``Pg000`` … ``Pg059``) and a few that do
not, inserted in one go (``add_all`` flushes them as one multi-row INSERT per table).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient

from app.domain import Role
from app.extensions import SessionLike
from app.models import (
    AuditEvent,
    Case,
    EscalationFlag,
    OutboxEmail,
    Parent,
    User,
    VolunteerProfile,
)
from tests.factories import NOW, PASSWORD, make_user
from tests.helpers import login

N = 60
TOKEN = re.compile(r"Pg(\d{3})")
HOUR = timedelta(hours=1)


def _parents_and_cases(session: SessionLike, n: int, prefix: str, **case_kw: object) -> list[Case]:
    parents = [
        Parent(
            ref=f"R{prefix.lower()}{i:05d}",
            first_name=f"{prefix}{i:03d}",
            last_name="Example",
            due_date=date(2027, 2, 1),
            referred_on=date(2026, 10, 1),
            created_at=NOW,
        )
        for i in range(n)
    ]
    cases = [
        Case(parent=p, status="waiting", referred_at=NOW - (n - i) * HOUR, created_at=NOW)
        for i, p in enumerate(parents)
    ]
    for case in cases:
        for key, value in case_kw.items():
            setattr(case, key, value)
    session.add_all([*parents, *cases])
    session.flush()
    return cases


def seed_waiting(session: SessionLike) -> None:
    _parents_and_cases(session, N, "Pg")
    born = _parents_and_cases(session, 3, "Xx")  # postnatal: left out by the filter
    for case in born:
        case.parent.birth_date = date(2026, 6, 1)


def seed_cases(session: SessionLike) -> None:
    _parents_and_cases(session, N, "Pg")
    _parents_and_cases(session, 3, "Xx", status="closed", close_reason="moved away")


def seed_flags(session: SessionLike) -> None:
    flagged = [*_parents_and_cases(session, N, "Pg"), *_parents_and_cases(session, 3, "Xx")]
    session.add_all(
        EscalationFlag(
            case_id=case.id,
            rule="UNMATCHED",
            severity="low" if case.parent.first_name.startswith("Xx") else "medium",
            evidence="",
            raised_at=NOW - (100 - i) * HOUR,
            status="open",
        )
        for i, case in enumerate(flagged)
    )


def _users(n: int, prefix: str, role: str, last_name: str) -> list[User]:
    return [
        User(
            email=f"{prefix.lower()}{i:03d}@example.org",
            first_name=f"{prefix}{i:03d}",
            last_name=last_name,
            role=role,
            created_at=NOW,
        )
        for i in range(n)
    ]


def seed_volunteers(session: SessionLike) -> None:
    for status, users in (
        ("active", _users(N, "Pg", Role.VOLUNTEER.value, "Walker")),
        ("paused", _users(3, "Xx", Role.VOLUNTEER.value, "Walker")),
    ):
        session.add_all(users)
        session.flush()
        session.add_all(
            VolunteerProfile(
                user_id=u.id,
                languages=["en"],
                stages=["pregnancy"],
                tags=[],
                availability=[],
                max_caseload=3,
                status=status,
                updated_at=NOW,
            )
            for u in users
        )


def seed_users(session: SessionLike) -> None:
    session.add_all(_users(N, "Pg", "coordinator", "Pagewalker"))
    session.add_all(_users(3, "Xx", "coordinator", "Other"))


def seed_emails(session: SessionLike) -> None:
    session.add_all(
        OutboxEmail(
            message_id=f"<{prefix}{i}@corner.test>",
            kind="weekly_digest",
            to_addrs=["duty@example.org"],
            subject=f"{prefix}{i:03d}",
            body_text="",
            body_html="",
            status=status,
            created_at=NOW - (100 - i) * HOUR,
            next_attempt_at=NOW,
        )
        for prefix, status, n in (("Pg", "failed", N), ("Xx", "sent", 3))
        for i in range(n)
    )


def seed_audit(session: SessionLike) -> None:
    session.add_all(
        AuditEvent(
            at=NOW - (100 - i) * HOUR,
            action=action,
            object_type="export",
            detail=f"{prefix}{i:03d}",
        )
        for prefix, action, n in (("Pg", "export.downloaded", N), ("Xx", "demo.loaded", 3))
        for i in range(n)
    )


@dataclass(frozen=True)
class ListPage:
    path: str
    #: the query string that keeps the seeded rows and drops the others
    filter: str
    seed: Callable[[SessionLike], None]


LISTS = {
    "waiting": ListPage("/waiting", "stage=pregnancy", seed_waiting),
    "cases": ListPage("/cases", "status=waiting", seed_cases),
    "flags": ListPage("/flags", "severity=medium", seed_flags),
    "volunteers": ListPage("/volunteers", "status=active", seed_volunteers),
    "users": ListPage("/admin/users", "q=pagewalker", seed_users),
    "emails": ListPage("/admin/emails", "show=failed", seed_emails),
    "audit": ListPage("/admin/audit", "action=export.downloaded", seed_audit),
}


def _tokens(client: FlaskClient, url: str) -> tuple[list[int], str]:
    """The seeded rows on the page (their numbers, in order) and the page's HTML."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    # (form tokens are random text that may hold "Xx": look at what the page shows)
    shown = re.sub(r'value="[^"]*"', "", body)
    assert "Xx" not in shown, f"{url}: a row the filter leaves out"
    rows = body.split("</tr>")[:-1]
    numbers = []
    for row in rows:
        found = {int(n) for n in TOKEN.findall(row)}
        assert len(found) == 1, row
        numbers.append(found.pop())
    return numbers, html


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_shows_fifty_rows_a_page_and_keeps_its_filters(
    name: str, client: FlaskClient, session: SessionLike
) -> None:
    listed = LISTS[name]
    admin = make_user(session, "admin", first_name="Ada", last_name="Admin")
    listed.seed(session)
    session.commit()
    login(client, admin.email, PASSWORD)
    base = f"{listed.path}?{listed.filter}"
    first, html = _tokens(client, base)
    assert len(first) == 50
    assert "Showing 1\u201350 of 60" in html
    assert '<nav aria-label="Pages" class="pager">' in html
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in html
    key, value = listed.filter.split("=")
    link = re.search(r'href="([^"]*page=2[^"]*)"', html)
    assert link is not None and f"{key}={value}" in link.group(1)  # the filter rides along
    second, html2 = _tokens(client, link.group(1).replace("&amp;", "&"))
    assert len(second) == N - 50 and "Showing 51\u201360 of 60" in html2
    assert sorted(first + second) == list(range(N))  # every row once, none twice
    for bad in ("page=0", "page=-3", "page=abc", "page=1.5", "page="):
        assert _tokens(client, f"{base}&{bad}")[0] == first, bad
    assert _tokens(client, f"{base}&page=99999")[0] == second  # past the end: the last page


def test_the_waiting_list_keeps_its_order_across_pages(
    client: FlaskClient, session: SessionLike
) -> None:
    """High risk first, then whoever has waited longest, from page 1 on to page 2."""
    admin = make_user(session, "admin")
    cases = _parents_and_cases(session, N, "Pg")
    risky = {7, 33, 58}
    for i in risky:
        cases[i].high_risk = True
    session.commit()
    login(client, admin.email)
    first, _ = _tokens(client, "/waiting")
    second, _ = _tokens(client, "/waiting?page=2")
    # referred_at grows with the number: the lowest number has waited longest
    assert first + second == sorted(risky) + [i for i in range(N) if i not in risky]


def test_a_short_list_has_no_page_links(client: FlaskClient, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    _parents_and_cases(session, 3, "Pg")
    session.commit()
    login(client, admin.email)
    numbers, html = _tokens(client, "/waiting")
    assert numbers == [0, 1, 2] and 'aria-label="Pages"' not in html
