"""The privacy notice: stored as an admin setting (``privacy.notice``), the default in code.

The retention period it states is the one the retention job uses (``app.privacy.settings``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.audit import record
from app.extensions import SessionLike
from app.models import Setting
from app.privacy.notice_text import DEFAULT_NOTICE, Block, blocks, with_retention
from app.privacy.settings import DEFAULT_RETENTION_MONTHS, privacy_settings

NOTICE_KEY = "privacy.notice"
RETENTION_DEFAULT = DEFAULT_RETENTION_MONTHS
NOTICE_MAX = 20_000


def retention_months(session: SessionLike) -> int:
    """The months after a parent's last case closed that her details are kept (default 72)."""
    return int(privacy_settings(session)["retention_months"])


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
