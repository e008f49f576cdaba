"""Erasure: a parent's details anonymised for good, her case history kept as counts.

Wiped: name (she shows as "Erased parent"), email, phone, postcode, coordinates, languages,
needs and experience, contact preferences, who referred her, the consent scope's words, the
search columns; her exact due and birth dates (replaced by stand-ins that give the same stage,
``app.privacy.anonymise``); every check-in's notes and topics; every flag's evidence and
resolution note; free words in close and end reasons. Kept: the charity's reference, cases,
assignments, check-ins' dates, modes, durations and scores, flags' rule, severity, dates and
outcome code, equality monitoring codes, consent date. A handful of statements whatever the
number of parents, check-ins or flags. Audited ``privacy.erased`` (a reason code, no values).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import case, func, insert, literal, select, text, update
from sqlalchemy.engine import Engine

from app.domain import (
    CLOSE_REASON_LABELS,
    CLOSE_REASONS,
    END_REASONS,
    CaseStatus,
    ServiceError,
    Severity,
)
from app.extensions import SessionLike
from app.models import Assignment, AuditEvent, Case, CheckIn, EscalationFlag, Parent
from app.privacy.anonymise import (
    ERASED_FIRST_NAME,
    ERASED_LAST_NAME,
    ERASURE_REASON_LABELS,
    stand_in_dates,
)
from app.privacy.settings import privacy_settings
from app.search_keys import parent_search_key
from app.timeutil import local_date

ERASED_EVIDENCE = "Erased with the parent's details."
OTHER_CLOSE = CLOSE_REASON_LABELS["other"]
OTHER_END = dict(END_REASONS)["other"]
CLOSED_BY_CASE = "case closed"  # app.cases.service's end reason for a closed case's volunteer


class ErasureRefused(ServiceError):
    """Erasure cannot go ahead now; the message says why and what to do."""


def unresolved_safeguarding(session: SessionLike, parent_ids: Sequence[int]) -> set[int]:
    """Parents (of ``parent_ids``) with an urgent flag no coordinator has resolved: still open,
    or resolved only automatically when the case closed."""
    if not parent_ids:
        return set()
    query = (
        select(Case.parent_id)
        .join(EscalationFlag, EscalationFlag.case_id == Case.id)
        .where(
            Case.parent_id.in_(parent_ids),
            EscalationFlag.severity == Severity.URGENT.value,
            EscalationFlag.resolved_by_id.is_(None),
        )
        .distinct()
    )
    return set(session.scalars(query))


def erasure_problem(session: SessionLike, parent: Parent) -> str | None:
    """Why ``parent`` cannot be erased now (plain words), or None."""
    if parent.erased_at is not None:
        return "This parent's details have already been erased."
    open_cases = session.scalar(
        select(func.count())
        .select_from(Case)
        .where(Case.parent_id == parent.id, Case.status != CaseStatus.CLOSED.value)
    )
    if open_cases:
        return (
            "Her case is still open. Record that she withdrew consent, or close the case, "
            "before erasing her details."
        )
    refuse = privacy_settings(session)["refuse_unresolved_safeguarding"]
    if refuse and unresolved_safeguarding(session, [parent.id]):
        return (
            "She has an urgent safeguarding flag that no coordinator has resolved. A "
            "coordinator must resolve it first (or an admin can change the setting "
            "“Refuse erasure while a safeguarding flag is unresolved”)."
        )
    return None


def erase_parent(
    session: SessionLike,
    parent_id: int,
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
    ip: str | None = None,
) -> Parent:
    """Erase one parent, or raise ``ErasureRefused`` (nothing written) saying why not."""
    parent = session.get(Parent, parent_id)
    if parent is None:
        raise ErasureRefused("There is no such parent.")
    if reason not in ERASURE_REASON_LABELS:
        raise ErasureRefused("Choose why her details are being erased.")
    problem = erasure_problem(session, parent)
    if problem:
        raise ErasureRefused(problem)
    erase_parents(session, [parent_id], actor_id=actor_id, reason=reason, now=now, ip=ip)
    session.refresh(parent)
    return parent


def erase_parents(
    session: SessionLike,
    parent_ids: Sequence[int],
    *,
    actor_id: int | None,
    reason: str,
    now: datetime,
    ip: str | None = None,
) -> list[str]:
    """Anonymise these parents (the caller has checked they may be): their refs, in order.

    Two reads and seven writes whatever the number of parents, check-ins or flags."""
    ids = sorted(set(parent_ids))
    if not ids:
        return []
    session.flush()
    parents = session.execute(
        select(Parent.id, Parent.ref, Parent.due_date, Parent.birth_date, Parent.referred_on)
        .where(Parent.id.in_(ids), Parent.erased_at.is_(None))
        .order_by(Parent.id)
    ).all()
    days: dict[int, set[date]] = {row.id: {row.referred_on} for row in parents}
    for parent_id, referred_at, closed_at in session.execute(
        select(Case.parent_id, Case.referred_at, Case.closed_at).where(Case.parent_id.in_(ids))
    ):
        days[parent_id].add(local_date(referred_at))
        if closed_at is not None:
            days[parent_id].add(local_date(closed_at))
    if not parents:
        return []
    rows = []
    for row in parents:
        due, birth = stand_in_dates(row.due_date, row.birth_date, days[row.id])
        rows.append(
            {
                "id": row.id,
                "due_date": due,
                "birth_date": birth,
                "search_key": parent_search_key(
                    ERASED_FIRST_NAME, ERASED_LAST_NAME, None, None, row.ref
                ),
            }
        )
    session.execute(update(Parent), rows)  # by primary key: one executemany
    erased = [row.id for row in parents]
    session.execute(
        update(Parent)
        .where(Parent.id.in_(erased))
        .values(
            first_name=ERASED_FIRST_NAME,
            last_name=ERASED_LAST_NAME,
            email=None,
            phone=None,
            phone_digits=None,
            postcode=None,
            latitude=None,
            longitude=None,
            languages=[],
            tags=[],
            availability=[],
            contact_mode=None,
            # referral_source is kept: it names the referring service ("Midwife"), not her,
            # and the funders' report counts referrals by it (docs/privacy.md)
            consent_scope=None,
            erased_at=now,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    _wipe_history(session, erased)
    session.execute(
        insert(AuditEvent),
        [
            {
                "at": now,
                "actor_id": actor_id,
                "action": "privacy.erased",
                "object_type": "parent",
                "object_id": str(row.id),
                "ip": ip,
                "detail": f"ref {row.ref}; reason: {reason}"[:255],
            }
            for row in parents
        ],
    )  # one executemany: the audit events, a reason code and the reference only
    session.flush()
    session.expire_all()  # the Core writes above bypassed the identity map
    return [row.ref for row in parents]


def _wipe_history(session: SessionLike, parent_ids: list[int]) -> None:
    """The free text about her in check-ins, flags, close and end reasons: four UPDATEs."""
    their_cases = select(Case.id).where(Case.parent_id.in_(parent_ids)).scalar_subquery()
    session.execute(
        update(CheckIn)
        .where(CheckIn.case_id.in_(their_cases))
        .values(notes="", topics=[])
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(EscalationFlag)
        .where(EscalationFlag.case_id.in_(their_cases))
        .values(evidence=ERASED_EVIDENCE, resolution_note=None)
        .execution_options(synchronize_session=False)
    )
    close_words = sorted({w for pair in CLOSE_REASONS for w in pair})
    session.execute(
        update(Case)
        .where(Case.parent_id.in_(parent_ids), Case.close_reason.is_not(None))
        .values(
            close_reason=case(
                (Case.close_reason.in_(close_words), Case.close_reason), else_=literal(OTHER_CLOSE)
            )
        )
        .execution_options(synchronize_session=False)
    )
    end_words = sorted({w for pair in END_REASONS for w in pair} | {CLOSED_BY_CASE})
    session.execute(
        update(Assignment)
        .where(Assignment.case_id.in_(their_cases), Assignment.end_reason.is_not(None))
        .values(
            end_reason=case(
                (Assignment.end_reason.in_(end_words), Assignment.end_reason),
                else_=literal(OTHER_END),
            )
        )
        .execution_options(synchronize_session=False)
    )


def checkpoint(engine: Engine) -> None:
    """After an erasure has committed: on SQLite in WAL mode copy the write-ahead log into the
    database file and empty it (old page versions in it held the erased values). Deleted
    content in the file itself is already zeroed (``PRAGMA secure_delete``, ``app.extensions``).
    Nothing to do on PostgreSQL or in the rollback-journal modes."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar()
        if str(mode).lower() == "wal":
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
