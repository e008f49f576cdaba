"""The flag inbox: filters, one row per case, scope, pages, bad arguments, statement count."""

from __future__ import annotations

import re
from datetime import timedelta

from flask.testing import FlaskClient

from app.escalation.inbox_filters import UNRESOLVED, InboxFilters, parse_inbox_args
from app.extensions import SessionLike
from app.models import Case, EscalationFlag, User
from tests.factories import NOW, make_area, make_case, make_parent, make_user, make_volunteer
from tests.helpers import StatementCounter, login

DAY = timedelta(days=1)
ROW = re.compile(r'<tr class="flag-row flag-row-(\w+)">.*?href="/flags/(\d+)"', re.S)


def flag(
    session: SessionLike,
    case: Case,
    rule: str,
    severity: str,
    age_days: float,
    status: str = "open",
) -> EscalationFlag:
    row = EscalationFlag(
        case_id=case.id,
        rule=rule,
        severity=severity,
        evidence="",
        raised_at=NOW - age_days * DAY,
        status=status,
    )
    if status == "resolved":
        row.resolved_at = NOW
        row.outcome = "no_further_action"
    session.add(row)
    session.flush()
    return row


def rows(client: FlaskClient, query: str = "") -> list[tuple[str, int]]:
    """(worst severity, flag id opened) of each row on the page, in order."""
    response = client.get(f"/flags{query}")
    assert response.status_code == 200, query
    return [(sev, int(fid)) for sev, fid in ROW.findall(response.get_data(as_text=True))]


class World:
    def __init__(self, session: SessionLike) -> None:
        self.north, self.south = make_area(session, "North"), make_area(session, "South")
        self.west = make_area(session, "West")
        self.me = make_user(session, "coordinator", areas=[self.north, self.west])
        self.colleague = make_user(session, "coordinator", areas=[self.north])
        self.mine = make_case(session, area=self.north, owner=self.me)
        self.theirs = make_case(session, area=self.north, owner=self.colleague)
        self.western = make_case(session, area=self.west)
        self.southern = make_case(session, area=self.south)
        self.f = {
            "mine_urgent": flag(session, self.mine, "SAFEGUARDING", "urgent", 1),
            "mine_low": flag(session, self.mine, "STALE_DRAFT", "low", 8),
            "mine_ack": flag(session, self.mine, "NO_CONTACT", "medium", 4, "acknowledged"),
            "theirs_high": flag(session, self.theirs, "WELLBEING_LOW", "high", 2),
            "theirs_done": flag(session, self.theirs, "LOW_MOOD", "high", 20, "resolved"),
            "west_medium": flag(session, self.western, "NO_CONTACT", "medium", 6),
            "south_urgent": flag(session, self.southern, "SELF_HARM", "urgent", 3),
        }
        session.commit()


def test_default_shows_unresolved_flags_one_row_per_visible_case(
    client: FlaskClient, session: SessionLike
) -> None:
    w = World(session)
    login(client, w.me.email)
    assert rows(client) == [
        ("urgent", w.f["mine_urgent"].id),
        ("high", w.f["theirs_high"].id),
        ("medium", w.f["west_medium"].id),
    ]
    html = client.get("/flags").get_data(as_text=True)
    assert w.mine.parent.full_name in html and w.mine.reference in html
    assert w.southern.reference not in html  # another area's case
    assert "Acknowledged" in html or "acknowledged" in html  # the acknowledged flag's status
    assert "5 flags for 3 parents." in html


def test_filters_by_severity_rule_status_area_and_mine(
    client: FlaskClient, session: SessionLike
) -> None:
    w = World(session)
    login(client, w.me.email)
    f = w.f
    assert rows(client, "?severity=urgent") == [("urgent", f["mine_urgent"].id)]
    assert rows(client, "?severity=medium") == [  # the older first
        ("medium", f["west_medium"].id),
        ("medium", f["mine_ack"].id),
    ]
    assert rows(client, "?rule=NO_CONTACT") == [
        ("medium", f["west_medium"].id),
        ("medium", f["mine_ack"].id),
    ]
    assert rows(client, "?status=acknowledged") == [("medium", f["mine_ack"].id)]
    assert rows(client, "?status=open&severity=medium") == [("medium", f["west_medium"].id)]
    # resolved flags can be found
    assert rows(client, "?status=resolved") == [("high", f["theirs_done"].id)]
    assert len(rows(client, "?status=all")) == 3
    assert rows(client, f"?area={w.west.id}") == [("medium", f["west_medium"].id)]
    assert rows(client, "?mine=1") == [("urgent", f["mine_urgent"].id)]
    assert rows(client, "?mine=1&severity=low") == [("low", f["mine_low"].id)]
    assert rows(client, "?rule=SELF_HARM") == []  # only in the area I do not work in


def test_severity_boxes_count_parents_and_link_to_the_filter(
    client: FlaskClient, session: SessionLike
) -> None:
    w = World(session)
    login(client, w.me.email)
    html = client.get(f"/flags?area={w.north.id}").get_data(as_text=True)
    boxes = html[html.index('class="flag-counts"') : html.index("</ul>", html.index("flag-counts"))]
    assert f'href="/flags?severity=urgent&amp;area={w.north.id}"' in boxes
    assert '<span class="big">1</span> urgent' in boxes
    assert '<span class="big">1</span> medium' in boxes  # the acknowledged one; not West's
    assert '<span class="big">2</span>' not in boxes


def test_another_areas_filter_is_ignored_with_a_message_and_shows_nothing_of_it(
    client: FlaskClient, session: SessionLike
) -> None:
    w = World(session)
    login(client, w.me.email)
    response = client.get(f"/flags?area={w.south.id}&severity=urgent")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "That area is not one of yours" in html
    assert w.southern.reference not in html
    assert rows(client, f"?area={w.south.id}&severity=urgent") == [
        ("urgent", w.f["mine_urgent"].id)
    ]


def test_unknown_values_are_ignored_with_a_message_never_a_500(
    client: FlaskClient, session: SessionLike
) -> None:
    w = World(session)
    login(client, w.me.email)
    everything = rows(client)
    for query, words in [
        ("?severity=catastrophic", "That severity is not one Corner knows"),
        ("?rule=DROP%20TABLE", "That kind of flag is not one Corner knows"),
        ("?status=pending", "That status is not one Corner knows"),
        ("?area=abc", "That area is not one of yours"),
        ("?area=99999999999999999999", "That area is not one of yours"),
        ("?mine=perhaps", "'My cases' was not understood"),
    ]:
        response = client.get(f"/flags{query}")
        assert response.status_code == 200, query
        assert words.replace("'", "&#39;") in response.get_data(as_text=True), query
        assert rows(client, query) == everything, query
    for query in ["?page=abc", "?page=-3", "?page=0", "?page=99999999999999999999"]:
        assert rows(client, query) == everything, query


def test_fifty_parents_a_page_and_the_page_is_clamped(
    client: FlaskClient, session: SessionLike
) -> None:
    coordinator = make_user(session, "coordinator")
    for i in range(51):
        case = make_case(session)
        flag(session, case, "UNMATCHED", "medium", 60 - i)
        flag(session, case, "NO_CONTACT", "medium", 1)
    session.commit()
    login(client, coordinator.email)
    first, second = rows(client), rows(client, "?page=2")
    assert len(first) == 50 and len(second) == 1
    assert not {fid for _, fid in first} & {fid for _, fid in second}
    html = client.get("/flags?page=2").get_data(as_text=True)
    assert "Showing 51 of 51 parents" in html and 'href="/flags?page=1"' in html
    assert rows(client, "?page=500") == second  # past the end: the last page
    kept = client.get("/flags?page=1&severity=medium").get_data(as_text=True)
    assert 'href="/flags?page=2&amp;severity=medium"' in kept  # filters carried along


def test_volunteers_may_not_open_the_inbox(client: FlaskClient, session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    session.commit()
    login(client, volunteer.email)
    assert client.get("/flags").status_code == 403


def test_admin_sees_every_case_and_every_area_to_filter_by(
    client: FlaskClient, session: SessionLike
) -> None:
    w = World(session)
    admin = make_user(session, "admin")
    session.commit()
    login(client, admin.email)
    assert len(rows(client)) == 4
    assert rows(client, f"?area={w.south.id}") == [("urgent", w.f["south_urgent"].id)]
    assert "That area" not in client.get(f"/flags?area={w.south.id}").get_data(as_text=True)


def add_flagged_cases(session: SessionLike, coordinator: User, n: int) -> None:
    area = coordinator.areas[0]
    for i in range(n):
        case = make_case(session, make_parent(session, area=area), owner=coordinator)
        flag(session, case, "SAFEGUARDING", "urgent", i + 1)
        flag(session, case, "NO_CONTACT", "medium", i + 2, "acknowledged")
        flag(session, case, "LOW_MOOD", "high", i + 3, "resolved")
    session.commit()


def test_statement_count_does_not_grow_with_the_flags(
    client: FlaskClient, session: SessionLike, count_statements: StatementCounter
) -> None:
    north, south = make_area(session), make_area(session)
    coordinator = make_user(session, "coordinator", areas=[north, south])
    session.commit()
    login(client, coordinator.email)
    queries = ["", "?status=all", "?mine=1&severity=urgent", f"?area={north.id}&page=2"]

    def counts() -> list[int]:
        out = []
        for query in queries:
            with count_statements() as statements:
                assert client.get(f"/flags{query}").status_code == 200
            out.append(len(statements))
        return out

    add_flagged_cases(session, coordinator, 3)
    small = counts()
    add_flagged_cases(session, coordinator, 60)
    assert counts() == small


# --------------------------------------------------------------------------- pure parsing


def test_parse_reads_every_filter_and_round_trips_through_args() -> None:
    parsed = parse_inbox_args(
        {"severity": "HIGH", "rule": "no_contact", "status": "resolved", "area": "7", "mine": "1"},
        {7},
    )
    assert parsed.messages == []
    assert parsed.filters == InboxFilters("high", "NO_CONTACT", "resolved", 7, True, 1)
    again = parse_inbox_args(parsed.filters.args(), {7})
    assert again.filters == parsed.filters
    assert InboxFilters().args() == {}
    assert InboxFilters(status=UNRESOLVED).args(severity="urgent") == {"severity": "urgent"}
