"""The privacy notice: stored as an admin setting (``privacy.notice``), the default in code.

The retention period it states is read from the erasure side's setting
(``privacy.retention_months``, default 72) wherever that is stored: a settings row of its
own, or the ``retention_months`` value of the ``privacy`` settings row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.audit import record
from app.extensions import SessionLike
from app.models import Setting
from app.privacy.notice_text import DEFAULT_NOTICE, Block, blocks, with_retention

NOTICE_KEY = "privacy.notice"
RETENTION_KEY = "privacy.retention_months"
RETENTION_DEFAULT = 72
NOTICE_MAX = 20_000


def _months(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("retention_months", value.get("months"))
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def retention_months(session: SessionLike) -> int:
    """The months after a parent's last case closed that her details are kept (default 72)."""
    stored: dict[str, Any] = dict(
        session.execute(
            select(Setting.key, Setting.value).where(Setting.key.in_([RETENTION_KEY, "privacy"]))
        ).all()
    )
    for key in (RETENTION_KEY, "privacy"):
        months = _months(stored.get(key))
        if months is not None:
            return months
    return RETENTION_DEFAULT


def notice_source(session: SessionLike) -> str:
    """The notice as the admin edits it (the default until one is saved)."""
    value = session.scalar(select(Setting.value).where(Setting.key == NOTICE_KEY))
    text = value.get("text") if isinstance(value, dict) else None
    return text if isinstance(text, str) and text.strip() else DEFAULT_NOTICE


def notice_blocks(session: SessionLike) -> list[Block]:
    """The notice as the public page shows it, with the retention period filled in."""
    return blocks(with_retention(notice_source(session), retention_months(session)))


def save_notice(
    session: SessionLike, now: datetime, text: str, user_id: int | None, ip: str | None = None
) -> bool:
    """Store the notice and audit the change; False (nothing written) when it is unchanged."""
    if text == notice_source(session):
        return False
    setting = session.get(Setting, NOTICE_KEY)
    if setting is None:
        session.add(
            Setting(key=NOTICE_KEY, value={"text": text}, updated_at=now, updated_by_id=user_id)
        )
    else:
        setting.value = {"text": text}
        setting.updated_at = now
        setting.updated_by_id = user_id
    record(
        session,
        now,
        "privacy.notice_updated",
        actor_id=user_id,
        object_type="settings",
        object_id=NOTICE_KEY,
        ip=ip,
    )
    session.flush()
    return True
