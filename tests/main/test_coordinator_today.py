"""The coordinator's home: what needs them today, each a count and a link to the list."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.models import Area, EscalationFlag, OutboxEmail, User
from tests.factories import NOW, make_area, make_case, make_parent, make_user, make_volunteer
from tests.helpers import StatementCounter, login

TODAY = date(2026, 11, 2)


def flag(session: SessionLike, case, severity: str, status: str = "open", rule: str = "") -> None:
    session.add(
        EscalationFlag(
            case_id=case.id,
            rule=rule or {"urgent": "SAFEGUARDING"}.get(severity, "NO_CONTACT"),
            severity=severity,
            raised_at=NOW - timedelta(hours=2),
            status=status,
        )
    )
    session.flush()


def failed_email(session: SessionLike, n: int) -> None:
    session.add(
        OutboxEmail(
            message_id=f"<t.{n}@corner.test>",
            kind="urgent_flag",
            to_addrs=["a@b.example"],
            subject="Urgent flag",
            body_text="x",
            body_html="x",
            status="failed",
            created_at=NOW,
            next_attempt_at=NOW,
        )
    )


def card(html: str, href: str) -> int:
    """The number on the card that links to ``href``."""
    pattern = rf'<a class="card" href="{re.escape(href)}"><span class="big">(\d+)</span>'
    match = re.search(pattern, html)
    assert match, f"no card linking to {href}"
    return int(match.group(1))


def home(app: Flask, user: User) -> str:
    app.config["CORNER_NOW"] = NOW
    client = app.test_client()
    login(client, user.email)
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def build(session: SessionLike) -> tuple[User, Area, Area]:
    north, south = make_area(session, "North"), make_area(session, "South")
    coordinator = make_user(session, "coordinator", areas=[north])
    # north: what this coordinator sees
    urgent = make_case(session, area=north)
    flag(session, urgent, "urgent")
    flag(session, make_case(session, area=north), "urgent", "acknowledged")
    flag(session, make_case(session, area=north), "high")
    flag(session, make_case(session, area=north), "urgent", "resolved")
    make_case(session, area=north, status="referred")
    old = make_parent(session, area=north, first_name="Olwen", last_name="Longwait")
    make_case(session, old, referred_at=datetime(2026, 8, 1, 9, tzinfo=UTC))
    make_case(session, area=north, referred_at=datetime(2026, 10, 30, 9, tzinfo=UTC))
    make_volunteer(
        session,
        area=north,
        dbs_expires_on=TODAY + timedelta(days=10),
        user_kw={"first_name": "Dora", "last_name": "Soon"},
    )
    make_volunteer(
        session,
        area=north,
        dbs_expires_on=TODAY - timedelta(days=3),
        user_kw={"first_name": "Ernie", "last_name": "Expired"},
    )
    make_volunteer(session, area=north, dbs_expires_on=TODAY + timedelta(days=31))
    make_volunteer(  # the training runs out before the DBS check
        session,
        area=north,
        dbs_expires_on=TODAY + timedelta(days=200),
        training_expires_on=TODAY + timedelta(days=5),
        user_kw={"first_name": "Tess", "last_name": "Training"},
    )
    make_volunteer(  # training renewed long ahead: not listed
        session, area=north, dbs_expires_on=None, training_expires_on=TODAY + timedelta(days=90)
    )
    make_volunteer(session, area=north, dbs_expires_on=TODAY, status="left")
    # south: none of it counts for her
    for _ in range(3):
        case = make_case(session, area=south)
        flag(session, case, "urgent")
        make_case(session, area=south, status="referred")
    make_volunteer(session, area=south, dbs_expires_on=TODAY + timedelta(days=1))
    failed_email(session, 1)
    failed_email(session, 2)
    session.commit()
    return coordinator, north, south


def test_counts_and_links_cover_only_what_she_may_see(app: Flask, session: SessionLike) -> None:
    coordinator, _, _ = build(session)
    html = home(app, coordinator)
    assert card(html, "/flags?severity=urgent&amp;status=open") == 1
    assert card(html, "/cases?status=referred") == 1
    assert card(html, "/waiting") == 6  # every north case but the self-referral
    assert card(html, "/flags") == 3  # open + acknowledged, not resolved
    assert card(html, "/volunteers") == 3  # DBS 10 days ahead, 3 days past, training in 5
    assert card(html, "/cases?status=active") == 0
    assert "2 emails could not be sent." in html
    assert "/admin/emails" not in html  # coordinators cannot open the Emails page


def test_lists_the_longest_waiting_and_the_dbs_checks_to_renew(
    app: Flask, session: SessionLike
) -> None:
    coordinator, _, _ = build(session)
    html = home(app, coordinator)
    waiting = html[html.index('id="waiting-title"') : html.index('id="dbs-title"')]
    assert waiting.index("Olwen Longwait") < waiting.index("Parent")  # longest first
    assert "Referred Sat 1 Aug 2026" in waiting
    dbs = html[html.index('id="dbs-title"') :]
    assert dbs.index("Ernie Expired") < dbs.index("Tess Training") < dbs.index("Dora Soon")
    assert "DBS check: expired Fri 30 Oct 2026 (3 days ago)" in dbs
    assert "Training: expires Sat 7 Nov 2026 (in 5 days)" in dbs
    assert "DBS check: expires Thu 12 Nov 2026 (in 10 days)" in dbs


def test_the_urgent_link_lists_exactly_what_the_card_counts(
    app: Flask, session: SessionLike
) -> None:
    coordinator, _, _ = build(session)
    client = app.test_client()
    login(client, coordinator.email)
    html = client.get("/flags?severity=urgent&status=open").get_data(as_text=True)
    assert html.count('class="flag-row ') == 1


def test_nothing_waiting_says_so(app: Flask, session: SessionLike) -> None:
    coordinator = make_user(session, "coordinator")
    session.commit()
    html = home(app, coordinator)
    assert "Nobody is waiting for a volunteer." in html
    assert "No DBS check or training expires in the next 30 days." in html
    assert "could not be sent" not in html


def test_admin_home_links_to_the_failed_emails(app: Flask, session: SessionLike) -> None:
    admin = make_user(session, "admin")
    failed_email(session, 1)
    session.commit()
    assert card(home(app, admin), "/admin/emails?show=failed") == 1


def test_statement_count_does_not_grow(
    app: Flask, session: SessionLike, count_statements: StatementCounter
) -> None:
    coordinator, north, _ = build(session)
    client: FlaskClient = app.test_client()
    login(client, coordinator.email)

    def count() -> int:
        with count_statements() as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    small = count()
    for i in range(15):
        case = make_case(session, area=north)
        flag(session, case, "urgent")
        make_case(session, area=north, status="referred")
        make_volunteer(session, area=north, dbs_expires_on=TODAY + timedelta(days=i))
    session.commit()
    assert count() == small


def test_the_total_of_checks_to_renew_counts_past_the_few_listed(
    app: Flask, session: SessionLike
) -> None:
    from app.main.queries import expiring_checks

    coordinator, _, _ = build(session)
    listed, total = expiring_checks(session, coordinator, TODAY, limit=2)
    assert total == 3  # as the card counts, though only two are listed
    assert [row.user.first_name for row in listed] == ["Ernie", "Tess"]
    html = home(app, coordinator)
    assert "more: see" not in html  # the home page lists all three: nothing more to see
