"""Whether Corner's emails are being delivered, for the pages that must say so at once.

* ``note_delivery``: the outbox job (``app.email.send_pending``) records the first failure of
  the mail server itself (refused or lost connection, timeout, TLS, login:
  ``app.smtp.is_delivery_problem``) with its time, and clears it when a send succeeds. The
  state is one row of ``settings`` (key ``mail.delivery``), written only when it changes.
* ``delivery_problem``: what the admin's and coordinators' home pages show ("Emails are not
  being delivered since 10:42: the mail server did not answer").
* ``undelivered_urgent``: urgent emails about cases a coordinator sees that are not delivered
  ``URGENT_DELIVERY_WAIT`` after queueing while their flag is still unacknowledged: a red
  banner on every page (``banner_context``, one query, at most once per request).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Integer, bindparam, exists, select
from sqlalchemy.exc import SQLAlchemyError

from app.domain import EmailStatus, FlagStatus, Role, Severity, case_reference
from app.extensions import SessionLike, db
from app.models import Case, EscalationFlag, OutboxEmail, Setting
from app.scope import visibility_key, visible_cases
from app.smtp import problem_words
from app.sqlcompat import insert_ignoring
from app.types import UTCDateTime
from app.web import now as request_now

log = logging.getLogger(__name__)

DELIVERY_KEY = "mail.delivery"
#: the kinds of email that carry an urgent concern
URGENT_KINDS = ("urgent_flag",)
URGENT_DELIVERY_WAIT = timedelta(minutes=5)
BANNER_LIMIT = 3
NOT_DELIVERED = (EmailStatus.QUEUED.value, EmailStatus.SENDING.value, EmailStatus.FAILED.value)


@dataclass(frozen=True)
class DeliveryProblem:
    since: datetime
    problem: str  # "ExceptionName: detail", as the outbox stores it

    @property
    def words(self) -> str:
        """'the mail server did not answer': the problem as the end of a sentence."""
        sentence = problem_words(self.problem).rstrip(".")
        return sentence[:1].lower() + sentence[1:]


class DeliveryNote:
    """What a batch of sends found, written to ``settings`` only when it changes; commits
    (the outbox sender commits each step itself, outside any request)."""

    def __init__(self) -> None:
        self._failing: bool | None = None  # unknown until the first outcome

    def failed(self, session: SessionLike, now: datetime, error: BaseException) -> None:
        if self._failing:
            return
        problem = f"{type(error).__name__}: {error}"[:500]
        blank = {"key": DELIVERY_KEY, "value": {}, "updated_at": now}
        session.execute(insert_ignoring(session, Setting.__table__, ["key"]), [blank])
        row = session.get(Setting, DELIVERY_KEY, populate_existing=True)
        if row is not None and not (row.value or {}).get("failing_since"):
            row.value = {"failing_since": now.isoformat(), "problem": problem}
            row.updated_at = now
        session.commit()
        self._failing = True

    def delivered(self, session: SessionLike, now: datetime) -> None:
        if self._failing is False:
            return
        row = session.get(Setting, DELIVERY_KEY)
        if row is not None and (row.value or {}).get("failing_since"):
            row.value = {}
            row.updated_at = now
            session.commit()
        self._failing = False


def delivery_problem(session: SessionLike) -> DeliveryProblem | None:
    """Since when, and why, emails are not being delivered; None while they are."""
    value = session.scalar(select(Setting.value).where(Setting.key == DELIVERY_KEY)) or {}
    since = value.get("failing_since")
    if not since:
        return None
    return DeliveryProblem(datetime.fromisoformat(since), str(value.get("problem", "")))


@dataclass(frozen=True)
class UndeliveredUrgent:
    case_id: int
    reference: str
    queued_at: datetime


def undelivered_urgent(
    session: SessionLike, user: Any, now: datetime, limit: int = BANNER_LIMIT
) -> list[UndeliveredUrgent]:
    """Urgent emails about cases ``user`` sees, queued ``URGENT_DELIVERY_WAIT`` ago or more
    and not delivered, whose case still has an urgent flag nobody acknowledged (raised by the
    time the email was queued); oldest first. One statement."""
    rows = session.execute(
        _undelivered_statement(visibility_key(user), user),
        {"queued_by": now - URGENT_DELIVERY_WAIT, "limit": limit},
    )
    return [UndeliveredUrgent(case_id, case_reference(case_id), at) for case_id, at in rows]


#: the banner's statement by ``visibility_key``: built once per coordinator (and her areas),
#: not on each of her pages; a handful of entries, emptied when it grows past them
_STATEMENTS: dict[tuple[Any, ...], Any] = {}
_KEEP = 64


def _undelivered_statement(key: tuple[Any, ...], user: Any) -> Any:
    statement = _STATEMENTS.get(key)
    if statement is not None:
        return statement
    flag_open = exists().where(
        EscalationFlag.case_id == OutboxEmail.case_id,
        EscalationFlag.severity == Severity.URGENT.value,
        EscalationFlag.status == FlagStatus.OPEN.value,
        EscalationFlag.raised_at <= OutboxEmail.created_at,
    )
    statement = (
        select(Case.id, OutboxEmail.created_at)
        .join(Case, Case.id == OutboxEmail.case_id)
        .where(
            OutboxEmail.status.in_(NOT_DELIVERED),
            OutboxEmail.kind.in_(URGENT_KINDS),
            OutboxEmail.created_at <= bindparam("queued_by", type_=UTCDateTime()),
            flag_open,
            visible_cases(user),
        )
        .order_by(OutboxEmail.created_at, OutboxEmail.id)
        .limit(bindparam("limit", type_=Integer()))
    )
    if len(_STATEMENTS) >= _KEEP:
        _STATEMENTS.clear()
    _STATEMENTS[key] = statement
    return statement


def _banner_rows() -> list[UndeliveredUrgent]:
    """For the page being rendered: the current coordinator's undelivered urgent emails,
    looked up at most once per request (and only by pages that show the banner)."""
    if not has_request_context() or not current_user.is_authenticated:
        return []
    if current_user.role != Role.COORDINATOR:
        return []
    if "undelivered_urgent" not in g:
        try:
            g.undelivered_urgent = undelivered_urgent(db.session, current_user, request_now())
        except SQLAlchemyError:  # an error page for a failing database still renders
            db.session.rollback()
            log.exception("Could not look up undelivered urgent emails")
            g.undelivered_urgent = []
    rows: list[UndeliveredUrgent] = g.undelivered_urgent
    return rows


def banner_context() -> dict[str, Any]:
    """The context processor: ``undelivered_urgent()`` for base.html."""
    return {"undelivered_urgent": _banner_rows}
