"""When the scan last completed, and the refusal of a scan "as of" an earlier time.

A scan as of a past instant would resolve real open flags whose condition held later (a
contact recorded since, say, looks like it never happened), so ``escalation scan --now T``
refuses a T earlier than the last completed scan unless forced. The latest completed scan's
``now`` is kept in the settings table under ``SETTINGS_KEY`` (written by the scan command and
the scheduler's daily job; never audited: it is bookkeeping, not an admin's choice).
"""

from __future__ import annotations

from datetime import datetime

from app.domain import ServiceError
from app.extensions import SessionLike
from app.models import Setting
from app.timeutil import date_time

SETTINGS_KEY = "escalation.last_scan"


class ScanTimeError(ServiceError):
    """A scan as of a time earlier than the last completed scan."""


def last_completed_scan(session: SessionLike) -> datetime | None:
    """The ``now`` of the latest completed scan (None before the first)."""
    setting = session.get(Setting, SETTINGS_KEY)
    if setting is None or not isinstance(setting.value, dict):
        return None
    stored = setting.value.get("completed_at")
    try:
        return datetime.fromisoformat(stored) if isinstance(stored, str) else None
    except ValueError:
        return None


def record_completed_scan(session: SessionLike, now: datetime) -> None:
    """Remember a completed scan as of ``now`` (the latest one wins). Flushes."""
    latest = last_completed_scan(session)
    if latest is not None and latest >= now:
        return
    value = {"completed_at": now.isoformat()}
    setting = session.get(Setting, SETTINGS_KEY)
    if setting is None:
        session.add(Setting(key=SETTINGS_KEY, value=value, updated_at=now, updated_by_id=None))
    else:
        setting.value = value
        setting.updated_at = now
    session.flush()


def refuse_scan_before_last(session: SessionLike, now: datetime) -> None:
    """Raise ``ScanTimeError`` when ``now`` is earlier than the last completed scan."""
    latest = last_completed_scan(session)
    if latest is not None and now < latest:
        raise ScanTimeError(
            f"Not scanning as of {date_time(now)}: the last scan completed as of "
            f"{date_time(latest)}, later than that. A scan as of an earlier time would "
            "resolve open flags whose condition still holds. Pass --force to scan anyway "
            "(for tests and replays, never on live data)."
        )
