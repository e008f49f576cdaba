"""Volunteers are emailed when given a parent, and when a parent moves to someone else:
through the outbox (queued in the assignment's transaction), once each, no names."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from app.email import send_pending
from app.extensions import SessionLike
from app.matching import assignments, notify, planning
from app.matching.errors import MatchError
from app.models import Assignment, Case, OutboxEmail
from tests.factories import NOW, make_case, make_parent, make_user, make_volunteer
from tests.helpers import StatementCounter
from tests.smtp import SmtpServer

#: personal details that must never reach an email
CANARIES = ["Zephyrine", "Quillfeather", "07999 123456", "ZZ9 9ZZ", "canary note", "Volunteerina"]


def canary_case(session: SessionLike) -> Case:
    parent = make_parent(
        session,
        first_name="Zephyrine",
        last_name="Quillfeather",
        phone="07999 123456",
        postcode="ZZ9 9ZZ",
        contact_mode="phone",  # remote support: the made-up postcode's distance does not matter
    )
    return make_case(session, parent)


def assert_no_canary(smtp: SmtpServer) -> None:
    for message in smtp.handler.messages:
        text = message.text
        assert not [c for c in CANARIES if c.lower() in text.lower()], text


def outbox_count(session: SessionLike) -> int:
    session.expire_all()
    return int(session.scalar(select(func.count(OutboxEmail.id))) or 0)


def test_assigning_emails_the_volunteer_once_with_a_link_and_no_names(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    coordinator = make_user(session)
    volunteer = make_volunteer(session, user_kw={"first_name": "Volunteerina"})
    case = canary_case(session)
    session.commit()

    assignments.assign(session, NOW, case.id, volunteer.id, coordinator.id)
    session.commit()
    assert send_pending(app, NOW).sent == 1
    assert send_pending(app, NOW).sent == 0  # nothing more

    [message] = smtp_server.handler.messages
    assert message.recipients == [volunteer.email]
    assert message.message["Subject"] == notify.NEW_PARENT_SUBJECT
    assert "You have a new parent to support." in message.text
    assert "http://corner.test/my/parents" in message.text
    assert_no_canary(smtp_server)


def test_a_refused_assignment_queues_no_email(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session, max_caseload=0)
    case = make_case(session)
    session.commit()
    try:
        assignments.assign(session, NOW, case.id, volunteer.id, None)
    except MatchError:
        session.rollback()
    else:  # pragma: no cover - the gate must refuse
        raise AssertionError("a full volunteer was assigned")
    assert outbox_count(session) == 0


def test_reassigning_tells_both_volunteers_in_neutral_words(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    old = make_volunteer(session, user_kw={"first_name": "Volunteerina"})
    new = make_volunteer(session)
    case = canary_case(session)
    session.commit()
    assignments.assign(session, NOW, case.id, old.id, None)
    session.commit()
    send_pending(app, NOW)
    smtp_server.handler.messages.clear()

    assignments.reassign(session, NOW, case.id, new.id, "Closer to home", None)
    session.commit()
    assert send_pending(app, NOW).sent == 2
    assert send_pending(app, NOW).sent == 0

    by_recipient = {m.recipients[0]: m for m in smtp_server.handler.messages}
    assert set(by_recipient) == {old.email, new.email}
    assert "You have a new parent to support." in by_recipient[new.email].text
    moved = by_recipient[old.email]
    assert moved.message["Subject"] == notify.MOVED_SUBJECT
    assert "One of your parents is now supported by another volunteer." in moved.text
    assert "Closer to home" not in moved.text  # the reason stays in Corner
    assert_no_canary(smtp_server)


def test_a_confirmed_plan_sends_one_email_per_volunteer(
    app: Flask, session: SessionLike, smtp_server: SmtpServer
) -> None:
    a = make_volunteer(session, max_caseload=3)
    b = make_volunteer(session, max_caseload=3)
    cases = [canary_case(session) for _ in range(3)]
    session.commit()
    pairs = [(cases[0].id, a.id), (cases[1].id, a.id), (cases[2].id, b.id)]
    result = planning.confirm_plan(session, NOW, pairs, None)
    session.commit()
    assert len(result.made) == 3
    assert send_pending(app, NOW).sent == 2
    texts = {m.recipients[0]: m.text for m in smtp_server.handler.messages}
    assert set(texts) == {a.email, b.email}
    assert "You have 2 new parents to support." in texts[a.email]
    assert "You have a new parent to support." in texts[b.email]
    assert_no_canary(smtp_server)


def test_queueing_for_a_plan_is_two_statements_whatever_its_size(
    app: Flask, session: SessionLike, count_statements: StatementCounter
) -> None:
    def made(n: int) -> list[Assignment]:
        out = []
        for _ in range(n):
            volunteer = make_volunteer(session)
            out.append(
                assignments.start_assignment(session, NOW, make_case(session), volunteer.id, None)
            )
        return out

    small, large = made(2), made(12)
    session.flush()
    with count_statements() as few:
        assert notify.queue_new_parents(session, NOW, small) == 2
    with count_statements() as many:
        assert notify.queue_new_parents(session, NOW, large) == 12
    assert len(few) == len(many) == 2, many
    # queued again (a retried transaction): keyed, so nothing more
    assert notify.queue_new_parents(session, NOW, large) == 0
    assert outbox_count(session) == 14


def test_a_closed_account_gets_no_email(app: Flask, session: SessionLike) -> None:
    volunteer = make_volunteer(session)
    assignment = assignments.start_assignment(session, NOW, make_case(session), volunteer.id, None)
    volunteer.active = False
    session.flush()
    assert notify.queue_new_parents(session, NOW, [assignment]) == 0
