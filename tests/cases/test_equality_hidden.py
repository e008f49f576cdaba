"""Volunteers never see equality monitoring answers: no page they can open, no email to them."""

from __future__ import annotations

import itertools
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from app.auth.access import PUBLIC, access_rule
from app.equality import FIELDS, answers
from app.extensions import SessionLike
from app.matching.notify import queue_new_parents
from app.models import Assignment, OutboxEmail
from app.reminders import queue_reminders
from tests.cases.conftest import World
from tests.factories import NOW, make_checkin
from tests.helpers import login

#: All five set, to answers whose words appear nowhere else on a volunteer's pages.
SET = {
    "ethnic_group": "white_gypsy_traveller",
    "age_band": "35_plus",
    "first_time_parent": "prefer_not",
    "disability": "yes",
    "interpreter_needed": "no",
}


def tell_tales() -> list[str]:
    """What would give the answers away: each question, each distinctive answer, each code,
    and the section's own words."""
    words = [question for question, _answer in answers(SET)]
    words += ["Gypsy or Irish Traveller", "35 or over", "Prefer not to say", "Not recorded"]
    words += ["white_gypsy_traveller", "35_plus", "prefer_not", "Equality monitoring"]
    words += [field.name for field in FIELDS]
    return words


def test_no_page_a_volunteer_can_open_shows_the_answers(
    app: Flask, session: SessionLike, world: World
) -> None:
    parent = world.alice_case.parent
    for name, code in SET.items():
        setattr(parent, name, code)
    submitted = make_checkin(session, world.alice_case, world.alice)
    draft = make_checkin(session, world.alice_case, world.alice, status="draft", submitted_at=None)
    session.commit()
    ids = {"case_id": [world.alice_case.id], "checkin_id": [submitted.id, draft.id]}
    client = app.test_client()
    login(client, world.alice.email)
    adapter = app.url_map.bind("localhost")
    seen = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        access = access_rule(app.view_functions[rule.endpoint])
        if access == PUBLIC or "volunteer" not in (access or ()):
            continue
        missing = set(rule.arguments) - set(ids)
        assert not missing, f"{rule.rule}: give the test an id for {missing}"
        names = sorted(rule.arguments)
        for values in itertools.product(*(ids[name] for name in names)):
            url = adapter.build(rule.endpoint, dict(zip(names, values, strict=True)))
            response = client.get(url)
            if response.status_code != 200:
                assert response.status_code in (302, 404), url
                continue
            html = response.get_data(as_text=True)
            seen.append(url)
            for word in tell_tales():
                assert word not in html, f"{url} shows {word!r} to a volunteer"
    # the pages that matter were really looked at
    case_url = f"/cases/{world.alice_case.id}"
    assert {case_url, "/my/parents", "/my/drafts", f"{case_url}/checkins/new"} <= set(seen)
    assert f"/checkins/{submitted.id}" in seen


def test_no_email_to_a_volunteer_carries_the_answers(
    app: Flask, session: SessionLike, world: World
) -> None:
    parent = world.alice_case.parent
    for name, code in SET.items():
        setattr(parent, name, code)
    assignment = session.scalar(select(Assignment).where(Assignment.case_id == world.alice_case.id))
    assert assignment is not None
    assert queue_new_parents(session, NOW, [assignment]) == 1  # "a new parent for you"
    queue_reminders(session, NOW + timedelta(days=6))  # the first call is overdue
    session.commit()
    emails = [e for e in session.scalars(select(OutboxEmail)) if world.alice.email in e.to_addrs]
    assert len({email.kind for email in emails}) == 2, [email.kind for email in emails]
    for email in emails:
        text = " ".join([email.subject, email.body_text, email.body_html])
        for word in tell_tales():
            assert word not in text, f"{email.kind} email says {word!r}"
