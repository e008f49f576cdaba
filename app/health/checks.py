"""The health report: the database answers, the scheduler's heartbeat is recent, the outbox
is moving. Counts and ages only; nothing about anyone.

The scheduler writes its heartbeat (``record_heartbeat``) into the ``settings`` row
``scheduler.heartbeat`` at every lock check (every ``SCHEDULER_LOCK_CHECK_SECONDS``, 30 s),
so its age says whether a scheduler is alive and acting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.domain import EmailStatus
from app.extensions import SessionLike
from app.models import OutboxEmail, Setting

HEARTBEAT_KEY = "scheduler.heartbeat"
#: emails not sent yet: waiting for a (next) try, or being sent
UNSENT = (EmailStatus.QUEUED.value, EmailStatus.SENDING.value)


def record_heartbeat(session: SessionLike, now: datetime) -> None:
    """The scheduler is alive at ``now`` (one small row, rewritten in place)."""
    setting = session.get(Setting, HEARTBEAT_KEY)
    value = {"at": now.isoformat()}
    if setting is None:
        session.add(Setting(key=HEARTBEAT_KEY, value=value, updated_at=now, updated_by_id=None))
    else:
        setting.value = value
        setting.updated_at = now
    session.flush()


def _age(now: datetime, then: datetime | None) -> int | None:
    if then is None:
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max(0, int((now - then).total_seconds()))


def health_report(
    session: SessionLike, now: datetime, heartbeat_max_seconds: float, outbox_max_seconds: float
) -> dict[str, Any]:
    """The /healthz document; ``status`` is "ok" only when every part is within bounds."""
    try:
        beat = session.scalar(select(Setting.updated_at).where(Setting.key == HEARTBEAT_KEY))
        backlog, oldest = session.execute(
            select(func.count(), func.min(OutboxEmail.created_at)).where(
                OutboxEmail.status.in_(UNSENT)
            )
        ).one()
    except SQLAlchemyError:
        session.rollback()
        return {
            "status": "fail",
            "database": "error",
            "scheduler_heartbeat_age_seconds": None,
            "outbox_backlog": None,
            "oldest_unsent_email_age_seconds": None,
        }
    heartbeat_age = _age(now, beat)
    oldest_age = _age(now, oldest)
    healthy = (
        heartbeat_age is not None
        and heartbeat_age <= heartbeat_max_seconds
        and (oldest_age is None or oldest_age <= outbox_max_seconds)
    )
    return {
        "status": "ok" if healthy else "fail",
        "database": "ok",
        "scheduler_heartbeat_age_seconds": heartbeat_age,
        "outbox_backlog": int(backlog or 0),
        "oldest_unsent_email_age_seconds": oldest_age,
    }
