"""Emails to volunteers about who they support: a new parent, a parent moved to someone else.

Queued through the outbox in the assignment's own transaction (``app.email``), so an email
exists exactly when the assignment was committed. They carry no names, case details or
notes: neutral words and a link to Corner, where the volunteer logs in to see who.
Each is keyed (the assignment's id), so it is queued at most once. Set-based: one query for
the addresses of all the volunteers concerned, one INSERT for all the emails.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select

from app.email import Outgoing, link, queue_emails
from app.extensions import SessionLike
from app.models import Assignment, User

NEW_PARENT_SUBJECT = "Corner: you have a new parent to support"
MOVED_SUBJECT = "Corner: one of your parents is now supported by another volunteer"


def _addresses(session: SessionLike, volunteer_ids: Iterable[int]) -> dict[int, str]:
    """The active volunteers' email addresses, by id (one query)."""
    ids = sorted(set(volunteer_ids))
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.email).where(User.id.in_(ids), User.active))
    return {int(user_id): email for user_id, email in rows}


def queue_new_parents(session: SessionLike, now: datetime, made: Sequence[Assignment]) -> int:
    """One email per volunteer who has just been given one or more parents. Flushes only."""
    by_volunteer: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in made:
        by_volunteer[assignment.volunteer_id].append(assignment)
    addresses = _addresses(session, by_volunteer)
    url = link("cases.my_parents")
    emails = [
        Outgoing(
            to=addresses[volunteer_id],
            subject=NEW_PARENT_SUBJECT,
            context={"count": len(assignments), "url": url},
            dedupe_key=f"assignment-{min(a.id for a in assignments)}",
        )
        for volunteer_id, assignments in sorted(by_volunteer.items())
        if volunteer_id in addresses
    ]
    return queue_emails(session, now, kind="new_parent", template="new_parent", emails=emails)


def queue_moved(session: SessionLike, now: datetime, ended: Assignment) -> int:
    """The volunteer whose parent was moved to another volunteer: neutral words. Flushes only."""
    addresses = _addresses(session, [ended.volunteer_id])
    if ended.volunteer_id not in addresses:
        return 0
    email = Outgoing(
        to=addresses[ended.volunteer_id],
        subject=MOVED_SUBJECT,
        context={"url": link("cases.my_parents")},
        dedupe_key=f"moved-{ended.id}",
    )
    return queue_emails(session, now, kind="parent_moved", template="parent_moved", emails=[email])
