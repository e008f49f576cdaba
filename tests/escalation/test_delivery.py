"""Delivery you can see: the first failed send shows at once on the home pages and goes away
when a send succeeds; an urgent email not delivered in 5 minutes is a red banner on every
page for the case's coordinators until it is delivered or the flag acknowledged."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from app import delivery
from app.delivery import delivery_problem, undelivered_urgent
from app.email import send_pending
from app.escalation.hooks import on_checkin_submitted
from app.extensions import SessionLike
from app.models import EscalationFlag, OutboxEmail
from app.timeutil import date_time
from tests.escalation.test_email import queue
from tests.factories import (
    NOW,
    make_area,
    make_assignment,
    make_case,
    make_checkin,
    make_user,
    make_volunteer,
)
from tests.helpers import login, post_form
from tests.smtp import SmtpServer, free_port
from tests.tls import make_certificate, tls_smtp_server

MINUTE = timedelta(minutes=1)
PROBLEM = "Emails are not being delivered since"


def home(app: Flask, email: str) -> str:
    client = app.test_client()
    login(client, email)
    return client.get("/").get_data(as_text=True)


def test_the_first_failed_send_shows_at_once_and_goes_when_a_send_succeeds(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    admin = make_user(session, "admin")
    coordinator = make_user(session, "coordinator")
    volunteer = make_volunteer(session)
    queue(session, 2)
    working_port = smtp_server.port
    app.config.update(SMTP_PORT=free_port())  # nothing listens: the server is "down"
    app.config["CORNER_NOW"] = NOW + 3 * MINUTE
    result = send_pending(app, NOW)
    assert (result.sent, result.retried) == (0, 2)  # one failed try each, far from giving up
    problem = delivery_problem(session)
    assert problem is not None and problem.since == NOW
    sentence = f"{PROBLEM} {date_time(NOW)}: the mail server did not answer."
    assert sentence in home(app, admin.email)
    assert sentence in home(app, coordinator.email)
    assert PROBLEM not in home(app, volunteer.email)

    app.config.update(SMTP_PORT=free_port())
    send_pending(app, NOW + 2 * MINUTE)  # still down: the outage still dates from the first
    again = delivery_problem(session)
    assert again is not None and again.since == NOW

    app.config.update(SMTP_PORT=working_port)  # the server is back
    result = send_pending(app, NOW + 10 * MINUTE)
    assert result.sent == 2 and len(smtp_server.messages) == 2
    session.expire_all()
    assert delivery_problem(session) is None
    assert PROBLEM not in home(app, admin.email)
    assert PROBLEM not in home(app, coordinator.email)


def test_a_refused_email_is_its_own_problem_not_the_servers(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.fail_at = {1}
    smtp_server.handler.fail_code = "554 5.7.1 Message rejected"
    queue(session, 2)
    result = send_pending(app, NOW)
    assert (result.sent, result.retried) == (1, 1)
    assert delivery_problem(session) is None


def test_an_untrusted_certificate_shows_as_a_delivery_problem(
    app: Flask, session: SessionLike, tmp_path: Path
) -> None:
    admin = make_user(session, "admin")
    queue(session, 1)
    with tls_smtp_server(make_certificate(tmp_path), implicit=False) as server:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_STARTTLS=True)
        send_pending(app, NOW)
        assert server.messages == []
    app.config["CORNER_NOW"] = NOW
    page = home(app, admin.email)
    said = f"{PROBLEM} {date_time(NOW)}: the mail server&#39;s certificate could not be trusted."
    assert said in page, page


# --------------------------------------------------------------------------- the urgent banner


def urgent_case(session: SessionLike):
    north, south = make_area(session), make_area(session)
    coordinator = make_user(session, "coordinator", areas=[north])
    elsewhere = make_user(session, "coordinator", areas=[south])
    volunteer = make_volunteer(session, area=north)
    case = make_case(session, area=north, owner=coordinator)
    make_assignment(session, case, volunteer)
    checkin = make_checkin(session, case, volunteer, concerns=["safeguarding"])
    on_checkin_submitted(session, checkin, NOW)  # the urgent flag and its email, as in real life
    session.commit()
    return case, coordinator, elsewhere


BANNER = "Urgent email not delivered"


def page_at(app: Flask, email: str, minutes: float, path: str = "/cases") -> str:
    app.config["CORNER_NOW"] = NOW + minutes * MINUTE
    client = app.test_client()
    login(client, email)
    return client.get(path).get_data(as_text=True)


def test_an_urgent_email_not_delivered_in_five_minutes_is_a_banner_on_every_page(
    app: Flask, session: SessionLike
) -> None:
    case, coordinator, elsewhere = urgent_case(session)
    email = session.scalars(select(OutboxEmail)).one()
    assert (email.kind, email.case_id) == ("urgent_flag", case.id)
    admin = make_user(session, "admin")
    session.commit()
    assert BANNER not in page_at(app, coordinator.email, 4.9)  # not yet five minutes
    for path in ["/cases", "/", "/flags", "/account/password"]:
        page = page_at(app, coordinator.email, 6, path)
        assert BANNER in page and case.reference in page, path
        assert 'class="notice urgent-banner" role="alert"' in page
    assert BANNER not in page_at(app, elsewhere.email, 6)  # another area's coordinator
    assert BANNER not in page_at(app, admin.email, 6)
    # a failed email stays on until it is delivered or the flag is acknowledged
    email.status = "failed"
    session.commit()
    assert BANNER in page_at(app, coordinator.email, 60)


def test_acknowledging_the_flag_takes_the_banner_away(
    app: Flask, session: SessionLike, client: FlaskClient
) -> None:
    _, coordinator, _ = urgent_case(session)
    flag = session.scalars(select(EscalationFlag).where(EscalationFlag.severity == "urgent")).one()
    assert BANNER in page_at(app, coordinator.email, 6)
    login(client, coordinator.email)
    response = post_form(client, f"/flags/{flag.id}/acknowledge", {}, page=f"/flags/{flag.id}")
    assert response.status_code == 302
    assert BANNER not in page_at(app, coordinator.email, 7)


def test_delivering_the_email_takes_the_banner_away(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    case, coordinator, _ = urgent_case(session)
    assert BANNER in page_at(app, coordinator.email, 6)
    assert send_pending(app, NOW + 6 * MINUTE).sent == 1
    assert BANNER not in page_at(app, coordinator.email, 7)
    [received] = smtp_server.messages
    assert case.reference in received.text


def test_the_banner_costs_one_statement_whatever_the_number_of_emails(
    app: Flask,
    session: SessionLike,
    count_statements: Callable[[], AbstractContextManager[list[str]]],
) -> None:
    case, coordinator, _ = urgent_case(session)
    client = app.test_client()
    login(client, coordinator.email)
    app.config["CORNER_NOW"] = NOW + 6 * MINUTE

    def statements() -> int:
        with count_statements() as seen:
            assert BANNER in client.get("/account/password").get_data(as_text=True)
        return len(seen)

    one = statements()
    for _ in range(4):  # more undelivered urgent emails, made about her case
        urgent_case(session)
    for row in session.scalars(select(OutboxEmail)):
        row.case_id = case.id
    session.commit()
    assert len(undelivered_urgent(session, coordinator, NOW + 6 * MINUTE)) == 3  # the limit
    assert statements() == one


def test_a_failing_banner_query_never_breaks_the_page(
    app: Flask, session: SessionLike, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, coordinator, _ = urgent_case(session)

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise OperationalError("SELECT 1", {}, Exception("database went away"))

    monkeypatch.setattr(delivery, "undelivered_urgent", broken)
    client = app.test_client()
    login(client, coordinator.email)
    app.config["CORNER_NOW"] = NOW + 6 * MINUTE
    response = client.get("/account/password")
    assert response.status_code == 200 and BANNER not in response.get_data(as_text=True)


def test_the_banner_follows_a_coordinators_areas_as_they_change(
    app: Flask, session: SessionLike
) -> None:
    """The banner's statement is built once per coordinator and her areas (kept by
    ``app.scope.visibility_key``): given another area, she sees its cases at once."""
    case, _, elsewhere = urgent_case(session)
    assert BANNER not in page_at(app, elsewhere.email, 6)
    elsewhere.areas.append(case.area)
    session.commit()
    page = page_at(app, elsewhere.email, 6)
    assert BANNER in page and case.reference in page
    elsewhere.areas.remove(case.area)
    session.commit()
    assert BANNER not in page_at(app, elsewhere.email, 6)
