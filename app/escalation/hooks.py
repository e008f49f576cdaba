"""What the cases area calls when a check-in is submitted (filled in by the escalation issue)."""

from __future__ import annotations

from datetime import datetime

from app.extensions import SessionLike
from app.models import CheckIn


def on_checkin_submitted(session: SessionLike, checkin: CheckIn, now: datetime) -> None:
    """Raise the immediate rules for a just-submitted check-in, in the caller's transaction.

    Until the escalation work lands this does nothing; the cases area already calls it.
    """
    return None
