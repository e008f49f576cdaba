"""What the escalation pages and commands list: the inbox, one flag, a case's flags, the
outbox. Read-only; each name says what it returns."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased, load_only

from app.domain import EmailStatus, FlagStatus, Role, Severity
from app.escalation.inbox_filters import ALL, UNRESOLVED, InboxFilters
from app.extensions import SessionLike
from app.models import Area, Case, CheckIn, EscalationFlag, FlagChase, OutboxEmail, Parent, User
from app.paging import Page
from app.paging_sql import page_of
from app.scope import visible_cases

#: most severe first (ORDER BY)
SEVERITY_RANK = sql_case(
    {"urgent": 0, "high": 1, "medium": 2, "low": 3}, value=EscalationFlag.severity, else_=4
)


@dataclass
class InboxRow:
    """One case in the inbox with the flags of it that match the filters."""

    case: Case
    parent: Parent
    area_name: str | None
    #: most severe first, then oldest
    flags: list[EscalationFlag]

    @property
    def worst(self) -> EscalationFlag:
        """The flag to open first: the most severe, then the oldest."""
        return self.flags[0]

    @property
    def oldest_raised_at(self) -> datetime:
        return min(flag.raised_at for flag in self.flags)


@dataclass
class InboxPage:
    rows: list[InboxRow]
    #: cases and flags matching the filters (all pages)
    cases: int
    flags: int
    #: the page shown (cases are its rows)
    page: Page
    #: {severity: cases with a flag of that severity}, every other filter applied
    by_severity: dict[str, int]


def _flag_clauses(filters: InboxFilters, *, severity: bool = True) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if filters.status == UNRESOLVED:
        clauses.append(EscalationFlag.status != FlagStatus.RESOLVED.value)
    elif filters.status != ALL:
        clauses.append(EscalationFlag.status == filters.status)
    if filters.rule:
        clauses.append(EscalationFlag.rule == filters.rule)
    if severity and filters.severity:
        clauses.append(EscalationFlag.severity == filters.severity)
    return clauses


def _case_clauses(user: User, filters: InboxFilters) -> list[ColumnElement[bool]]:
    clauses = [visible_cases(user)]
    if filters.area_id is not None:
        clauses.append(Case.area_id == filters.area_id)
    if filters.mine:
        clauses.append(Case.owner_id == user.id)
    return clauses


def inbox_page(session: SessionLike, user: User, filters: InboxFilters) -> InboxPage:
    """One page of the inbox: cases with flags matching ``filters``, one row per case, the
    case with the most severe flag first, then the one waiting longest. Three statements,
    however many flags there are: the totals, the count by severity, the page."""
    where = [*_flag_clauses(filters), *_case_clauses(user, filters)]
    cases, flags = session.execute(
        select(func.count(distinct(EscalationFlag.case_id)), func.count(EscalationFlag.id))
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(*where)
    ).one()
    by_severity = {
        severity: count
        for severity, count in session.execute(
            select(EscalationFlag.severity, func.count(distinct(EscalationFlag.case_id)))
            .join(Case, Case.id == EscalationFlag.case_id)
            .where(*_flag_clauses(filters, severity=False), *_case_clauses(user, filters))
            .group_by(EscalationFlag.severity)
        )
    }
    page = Page.at(filters.page, int(cases))
    rows: list[InboxRow] = []
    if cases:
        rows = _inbox_rows(session, where, filters, page)
    return InboxPage(rows, int(cases), int(flags), page, by_severity)


#: what the inbox shows of each flag, case and parent, and nothing else (no evidence, no
#: health details, no decoding of the parent's lists); another column read is loaded then
#: (one statement each: tests/cases/test_statement_counts.py would see it), never an error
INBOX_COLUMNS = (
    load_only(
        EscalationFlag.id,
        EscalationFlag.case_id,
        EscalationFlag.rule,
        EscalationFlag.severity,
        EscalationFlag.status,
        EscalationFlag.raised_at,
    ),
    load_only(Case.id, Case.parent_id, Case.area_id, Case.status, Case.high_risk),
    load_only(Parent.id, Parent.first_name, Parent.last_name, Parent.due_date, Parent.birth_date),
)


def _inbox_rows(
    session: SessionLike, where: list[ColumnElement[bool]], filters: InboxFilters, page: Page
) -> list[InboxRow]:
    """The page's cases (grouped, ordered, limited in the database) with their flags."""
    worst = func.min(SEVERITY_RANK).label("worst")
    oldest = func.min(EscalationFlag.raised_at).label("oldest")
    groups: Any = (
        select(EscalationFlag.case_id.label("case_id"), worst, oldest)
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(*where)
        .group_by(EscalationFlag.case_id)
        .order_by(worst, oldest, EscalationFlag.case_id)
        .limit(page.size)
        .offset(page.offset)
        .subquery()
    )
    result = session.execute(
        select(EscalationFlag, Case, Parent, Area.name)
        .options(*INBOX_COLUMNS)
        .join(groups, groups.c.case_id == EscalationFlag.case_id)
        .join(Case, Case.id == EscalationFlag.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .outerjoin(Area, Area.id == Case.area_id)
        .where(*_flag_clauses(filters))
        .order_by(
            groups.c.worst,
            groups.c.oldest,
            groups.c.case_id,
            SEVERITY_RANK,
            EscalationFlag.raised_at,
            EscalationFlag.id,
        )
    )
    rows: list[InboxRow] = []
    for flag, case, parent, area_name in result:
        if not rows or rows[-1].case.id != case.id:
            rows.append(InboxRow(case, parent, area_name, []))
        rows[-1].flags.append(flag)
    return rows


def inbox_areas(session: SessionLike, user: User) -> list[Area]:
    """The areas this user may filter the inbox by: a coordinator's own, else every area."""
    if user.role == Role.COORDINATOR and user.areas:
        return sorted(user.areas, key=lambda area: area.name)
    return list(session.scalars(select(Area).order_by(Area.name)))


def flag_for(session: SessionLike, user: User, flag_id: int) -> EscalationFlag | None:
    """The flag if ``user`` may see its case, else None (views answer 404)."""
    return session.scalar(
        select(EscalationFlag)
        .join(Case, Case.id == EscalationFlag.case_id)
        .where(EscalationFlag.id == flag_id, visible_cases(user))
    )


def case_flags(session: SessionLike, case_id: int) -> list[EscalationFlag]:
    """Every flag of a case, newest first (the case page's history)."""
    return list(
        session.scalars(
            select(EscalationFlag)
            .where(EscalationFlag.case_id == case_id)
            .order_by(EscalationFlag.raised_at.desc(), EscalationFlag.id.desc())
        )
    )


def chase_steps(session: SessionLike, flag_id: int) -> list[FlagChase]:
    """The chase steps taken for one flag, oldest first (the flag page's history)."""
    return list(
        session.scalars(
            select(FlagChase)
            .where(FlagChase.flag_id == flag_id)
            .order_by(FlagChase.taken_at, FlagChase.id)
        )
    )


@dataclass(frozen=True)
class PickedUp:
    """An urgent concern this volunteer raised that a coordinator has picked up."""

    parent_first_name: str
    by_first_name: str | None
    at: datetime


#: how long the volunteer's home page says a concern was picked up
PICKED_UP_FOR = timedelta(days=14)


def picked_up_concerns(session: SessionLike, volunteer: User, now: datetime) -> list[PickedUp]:
    """Urgent flags raised by this volunteer's check-ins and acknowledged in the last
    ``PICKED_UP_FOR``, on cases still theirs (newest first, one statement)."""
    acknowledger = aliased(User)
    rows = session.execute(
        select(Parent.first_name, acknowledger.first_name, EscalationFlag.acknowledged_at)
        .join(CheckIn, CheckIn.id == EscalationFlag.checkin_id)
        .join(Case, Case.id == EscalationFlag.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .outerjoin(acknowledger, acknowledger.id == EscalationFlag.acknowledged_by_id)
        .where(
            CheckIn.volunteer_id == volunteer.id,
            EscalationFlag.severity == Severity.URGENT.value,
            EscalationFlag.acknowledged_at.is_not(None),
            EscalationFlag.acknowledged_at >= now - PICKED_UP_FOR,
            visible_cases(volunteer),
        )
        .order_by(EscalationFlag.acknowledged_at.desc(), EscalationFlag.id.desc())
    )
    seen: set[tuple[str, str | None]] = set()
    picked: list[PickedUp] = []
    for parent, by, at in rows:
        if at is not None and (parent, by) not in seen:  # two urgent rules, one concern: one line
            seen.add((parent, by))
            picked.append(PickedUp(parent, by, at))
    return picked


def list_flags(session: SessionLike, status: str | None = None) -> list[tuple[EscalationFlag, str]]:
    """Flags with their parent's reference, for the command line.

    ``status="open"`` means unresolved (open or acknowledged); ``acknowledged`` and
    ``resolved`` match exactly; None lists every flag.
    """
    statement = (
        select(EscalationFlag, Parent.ref)
        .join(Case, Case.id == EscalationFlag.case_id)
        .join(Parent, Parent.id == Case.parent_id)
        .order_by(SEVERITY_RANK, EscalationFlag.raised_at, EscalationFlag.id)
    )
    if status == "open":
        statement = statement.where(EscalationFlag.status != FlagStatus.RESOLVED.value)
    elif status is not None:
        statement = statement.where(EscalationFlag.status == status)
    return [(flag, ref) for flag, ref in session.execute(statement)]


def users_by_id(session: SessionLike, ids: Iterable[int | None]) -> dict[int, User]:
    """The users with these ids (None skipped), by id: who acknowledged or resolved flags."""
    wanted = {uid for uid in ids if uid is not None}
    if not wanted:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(wanted)))}


def outbox_emails(
    session: SessionLike,
    status: EmailStatus | None,
    *,
    maybe_delivered: bool = False,
    page: int = 1,
) -> tuple[list[OutboxEmail], Page]:
    """One page of the outbox, newest first: one status or (None) every status; with
    ``maybe_delivered`` only those with an attempt of unknown outcome."""
    statement = select(OutboxEmail).order_by(OutboxEmail.created_at.desc(), OutboxEmail.id.desc())
    if status is not None:
        statement = statement.where(OutboxEmail.status == status.value)
    if maybe_delivered:
        statement = statement.where(OutboxEmail.unknown_outcomes > 0)
    limited, shown = page_of(session, statement, page)
    return list(session.scalars(limited)), shown


def outbox_counts(session: SessionLike) -> dict[str, int]:
    """How many outbox emails there are of each status (statuses with none are missing)."""
    rows = session.execute(
        select(OutboxEmail.status, func.count(OutboxEmail.id)).group_by(OutboxEmail.status)
    )
    return {status: count for status, count in rows}


def outbox_maybe_delivered_count(session: SessionLike) -> int:
    """Emails not confirmed sent with an attempt of unknown outcome (may have been delivered)."""
    return int(
        session.scalar(
            select(func.count(OutboxEmail.id)).where(
                OutboxEmail.unknown_outcomes > 0, OutboxEmail.status != EmailStatus.SENT.value
            )
        )
        or 0
    )
