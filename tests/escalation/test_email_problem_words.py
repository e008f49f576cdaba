"""The Emails page says what went wrong in a sentence; the raw detail waits in a details element."""

from __future__ import annotations

import smtplib
import socket
import ssl

import pytest
from flask.testing import FlaskClient

from app.extensions import SessionLike
from app.models import OutboxEmail
from app.smtp import OutcomeUnknown, problem_words
from tests.factories import NOW, make_user
from tests.helpers import login


def _stored(error: BaseException) -> str:
    """``last_error`` as the outbox stores it (app.email.after_failure)."""
    return f"{type(error).__name__}: {error}"[:500]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "The mail server did not answer."),
        (TimeoutError("timed out"), "The mail server took too long to answer."),
        (socket.gaierror(-2, "Name or service not known"), "name could not be found"),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "was lost"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), "user name or password"),
        (smtplib.SMTPDataError(451, b"4.3.0 Try again later"), "try again later"),
        (smtplib.SMTPDataError(554, b"5.7.1 Rejected"), "refused the email"),
        (smtplib.SMTPRecipientsRefused({"a@b.example": (550, b"no")}), "refused the address"),
        (ssl.SSLCertVerificationError("certificate verify failed"), "could not be trusted"),
        (OutcomeUnknown(TimeoutError("timed out")), "may have been delivered"),
        (RuntimeError("something odd"), "The email could not be sent."),
    ],
)
def test_each_kind_of_failure_has_a_sentence(error: BaseException, words: str) -> None:
    sentence = problem_words(_stored(error))
    assert words in sentence
    assert "Errno" not in sentence and type(error).__name__ not in sentence


def test_words_written_by_corner_stay_as_they_are() -> None:
    plain = "The sender stopped mid-send twice: the email may have been delivered"
    assert problem_words(plain) == plain
    assert problem_words(None) == ""


def test_emails_page_shows_the_sentence_and_keeps_the_detail_folded(
    client: FlaskClient, session: SessionLike
) -> None:
    admin = make_user(session, "admin")
    raw = _stored(ConnectionRefusedError(111, "Connection refused"))
    session.add(
        OutboxEmail(
            message_id="<t.2@corner.test>",
            kind="urgent_flag",
            to_addrs=["a@b.example"],
            subject="Urgent flag for case C-00001",
            body_text="x",
            body_html="x",
            status="failed",
            attempts=6,
            created_at=NOW,
            next_attempt_at=NOW,
            last_error=raw,
        )
    )
    session.commit()
    login(client, admin.email)
    html = client.get("/admin/emails?show=failed").get_data(as_text=True)
    row = html.split("<tbody>")[1]
    cell = row.split("The mail server did not answer.")[1]
    assert cell.startswith('<details class="problem-detail">')
    assert row.index("<details") < row.index("ConnectionRefusedError: [Errno 111]")
