"""The scan's facts: one query for every open case's ``CaseFacts``, read as raw driver values.

``facts_query`` builds it (the check-in facts as correlated index seeks; given ``now``, only
the cases the loose pre-filter of ``scan_prefilter.may_hit`` passes, with the number of open
cases; given ``since`` too, only the incremental scan's candidates,
``scan_changed.candidate_ids``, whose facts alone are computed); ``gather_facts`` /
``gather_candidates`` run it and convert each value once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    and_,
    case,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlalchemy.sql.sqltypes import NullType

from app.domain import OPEN_CASE_STATUSES, CheckInStatus, Rule
from app.escalation.rules_facts import CaseFacts
from app.escalation.rules_thresholds import Thresholds
from app.escalation.scan_changed import candidate_ids
from app.escalation.scan_prefilter import may_hit
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, Parent, User, VolunteerProfile
from app.types import UTCDateTime

OPEN_STATUSES = [str(status) for status in OPEN_CASE_STATUSES]

EPOCH = datetime(1900, 1, 1, tzinfo=UTC)


def _latest(column: Any, *conditions: Any, offset: int = 0) -> Any:
    """The n-th newest value of ``column`` among this case's submitted check-ins (a
    correlated scalar subquery: one index seek per case, no sort)."""
    x = aliased(CheckIn)
    target = getattr(x, column)
    conds = [getattr(x, name) == value for name, value in conditions]
    statement = (
        select(target)
        .where(x.case_id == Case.id, x.status == CheckInStatus.SUBMITTED.value, *conds)
        .order_by(x.occurred_at.desc())
        .limit(1)
        .correlate(Case)
    )
    if offset:
        statement = statement.offset(offset)
    return statement.scalar_subquery()


def _raw(column: Any) -> Any:
    """``column`` as the driver returns it: no SQLAlchemy result processing (``_row_facts``
    converts the few values the rules need, much faster than a TypeDecorator per value)."""
    return type_coerce(column, NullType())


def facts_query(
    dialect: str = "sqlite",
    now: datetime | None = None,
    limits: Thresholds | None = None,
    rules: str | None = None,
    case_ids: Collection[int] | None = None,
    since: datetime | None = None,
) -> Any:
    """One row per open case (of ``case_ids``, when given): the case, its parent's dates,
    its open assignment and volunteer, and its check-in facts.

    Check-in facts are correlated subqueries that walk ``ix_checkins_case_status_occurred``
    backwards from the newest check-in of each case (PostgreSQL: the covering index
    ``ix_checkins_scan_cover`` answers them without touching the table). The cost grows
    with the number of open cases, like the floor query, never with their history.

    The latest contact is looked up once, in an inner query, and the count of attempts
    since it is taken from that column outside (SQLite would otherwise run the lookup
    twice). On PostgreSQL the last three wellbeing scores come from one walk as an array;
    SQLite (no ordered aggregate before 3.44) takes three one-row walks.

    Given ``now`` (and the thresholds), only the cases some rule *might* hold for are
    returned (``may_hit``, a deliberately loose pre-filter: the pure rules still decide),
    each with the number of open cases in ``open_cases``. ``rules="terms"`` (for the tests)
    returns instead each open case's id and every rule's pre-filter term as 0 or 1.

    ``case_ids`` restricts every part of the query to those cases (one more condition on
    the primary key): the scan of one case is the scan of every case, filtered.

    ``since`` (the last completed scan; with ``now``) keeps only the cases that can have
    changed since then, ``scan_changed.candidate_ids``: that union restricts the open-case
    query itself, so the check-in facts are computed for those cases alone, and every one
    of them is returned (the pre-filter does not apply: the rules decide).
    """
    open_assignment = aliased(Assignment)
    volunteer_user = aliased(User)
    contact = ("successful", True)

    def nth_wellbeing(n: int) -> Any:
        x = aliased(CheckIn)
        return (
            select(x.wellbeing)
            .where(
                x.case_id == Case.id,
                x.status == CheckInStatus.SUBMITTED.value,
                x.successful == true(),
                x.wellbeing.is_not(None),
            )
            .order_by(x.occurred_at.desc())
            .limit(1)
            .offset(n)
            .scalar_subquery()
        )

    if dialect == "postgresql":
        x = aliased(CheckIn)
        last_three = (
            select(x.wellbeing.label("w"), x.occurred_at.label("at"))
            .where(
                x.case_id == Case.id,
                x.status == CheckInStatus.SUBMITTED.value,
                x.successful == true(),
                x.wellbeing.is_not(None),
            )
            .order_by(x.occurred_at.desc())
            .limit(3)
            .correlate(Case)
            .subquery()
        )
        wellbeing = [
            select(func.array_agg(aggregate_order_by(last_three.c.w, last_three.c.at.desc())))
            .scalar_subquery()
            .label("w")
        ]
    else:
        wellbeing = [nth_wellbeing(n).label(f"w{n + 1}") for n in range(3)]

    b = aliased(CheckIn)
    latest_bonding = (
        select(b.bonding)
        .where(
            b.case_id == Case.id,
            b.status == CheckInStatus.SUBMITTED.value,
            b.successful == true(),
            b.bonding.is_not(None),
        )
        .order_by(b.occurred_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    d = aliased(CheckIn)
    oldest_draft = (
        select(func.min(d.updated_at))
        .where(d.case_id == Case.id, d.status == CheckInStatus.DRAFT.value)
        .scalar_subquery()
    )
    inner = (
        select(
            Case.id.label("case_id"),
            Case.status.label("status"),
            Case.high_risk.label("high_risk"),
            _raw(Case.referred_at).label("referred_at"),
            _raw(Parent.due_date).label("due_date"),
            _raw(Parent.birth_date).label("birth_date"),
            _raw(open_assignment.started_at).label("started_at"),
            # a deactivated account counts as left (as in matching)
            case(
                (volunteer_user.active == false(), literal("left")),
                else_=VolunteerProfile.status,
            ).label("volunteer_status"),
            _raw(VolunteerProfile.dbs_expires_on).label("dbs_expires_on"),
            _latest("occurred_at", contact).label("latest_contact_at"),
            *wellbeing,
            latest_bonding.label("b1"),
            _raw(oldest_draft).label("oldest_draft"),
        )
        .join(Parent, Parent.id == Case.parent_id)
        .outerjoin(
            open_assignment,
            and_(open_assignment.case_id == Case.id, open_assignment.ended_at.is_(None)),
        )
        .outerjoin(VolunteerProfile, VolunteerProfile.user_id == open_assignment.volunteer_id)
        .outerjoin(volunteer_user, volunteer_user.id == open_assignment.volunteer_id)
        .where(
            Case.status.in_(OPEN_STATUSES),
            *only_cases(Case.id, case_ids),
            *changed_cases(since, now, limits),
        )
        # MATERIALIZED: otherwise both databases inline this query into the outer one and
        # run the latest-contact lookup twice per case
        .cte("open_case")
        .prefix_with("MATERIALIZED")
    )
    a = aliased(CheckIn)
    attempts = (
        select(func.count())
        .select_from(a)
        .where(
            a.case_id == inner.c.case_id,
            a.status == CheckInStatus.SUBMITTED.value,
            a.occurred_at > func.coalesce(inner.c.latest_contact_at, literal(EPOCH, UTCDateTime())),
        )
        .correlate(inner)
        .scalar_subquery()
    )
    columns = [_raw(column).label(column.name) for column in inner.c]
    if now is None:
        return select(*columns, attempts.label("attempts"))
    if since is not None:  # every candidate, and the number of open cases
        open_cases = (
            select(func.count())
            .select_from(Case)
            .where(Case.status.in_(OPEN_STATUSES), *only_cases(Case.id, case_ids))
            .scalar_subquery()
        )
        return select(*columns, attempts.label("attempts"), open_cases.label("open_cases"))
    open_cases = select(func.count()).select_from(inner).scalar_subquery()
    terms = may_hit(inner.c, attempts, dialect, now, limits or Thresholds())
    if rules == "terms":  # for the tests: each rule's term as a column, for every open case
        return select(
            inner.c.case_id, *(case((term, 1), else_=0).label(rule) for rule, term in terms.items())
        )
    chosen: list[Any] = []
    # the count of attempts is a subquery: last, so a case another term passes skips it
    for rule in sorted(terms, key=lambda rule: rule == Rule.ATTEMPTS_FAILING):
        if not any(terms[rule] is seen for seen in chosen):
            chosen.append(terms[rule])
    return select(*columns, attempts.label("attempts"), open_cases.label("open_cases")).where(
        or_(false(), *chosen)
    )


def changed_cases(
    since: datetime | None, now: datetime | None, limits: Thresholds | None
) -> list[Any]:
    """The condition "the case is a candidate of the incremental scan since ``since``" as a
    list (empty for a full scan, ``since`` None)."""
    if since is None or now is None:
        return []
    return [Case.id.in_(candidate_ids(since, now, limits or Thresholds()))]


def only_cases(column: Any, case_ids: Collection[int] | None) -> list[Any]:
    """The condition ``column IN case_ids`` as a list (empty when ``case_ids`` is None)."""
    return [] if case_ids is None else [column.in_(sorted(case_ids))]


def _instant_parser(dialect: str) -> Callable[[Any], datetime | None]:
    """Raw instant (naive UTC: text on SQLite, a datetime on PostgreSQL) -> aware UTC,
    exactly what ``UTCDateTime`` returns."""
    if dialect == "postgresql":

        def instant(value: Any) -> datetime | None:
            return None if value is None else value.replace(tzinfo=UTC)

    else:

        def instant(value: Any) -> datetime | None:
            if value is None:
                return None
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            return value.replace(tzinfo=UTC)

    return instant


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def gather_facts(session: SessionLike) -> list[CaseFacts]:
    """CaseFacts for every open case, in one query."""
    return _gather(session)[1]


def gather_candidates(
    session: SessionLike,
    now: datetime,
    limits: Thresholds,
    case_ids: Collection[int] | None = None,
    since: datetime | None = None,
) -> tuple[int, list[CaseFacts]]:
    """The number of open cases (of ``case_ids``, when given), and CaseFacts for those some
    rule may hold for now (``may_hit``; of those that can have changed ``since``, when
    given), in one query."""
    return _gather(session, now, limits, case_ids, since)


def prefilter_terms(session: SessionLike, now: datetime, limits: Thresholds) -> dict[int, set[str]]:
    """For the tests: the rules whose pre-filter term holds, for every open case."""
    statement = facts_query(session.get_bind().dialect.name, now, limits, rules="terms")
    return {
        row[0]: {name for name, value in row._mapping.items() if name != "case_id" and value}
        for row in session.execute(statement)
    }


def _gather(
    session: SessionLike,
    now: datetime | None = None,
    limits: Thresholds | None = None,
    case_ids: Collection[int] | None = None,
    since: datetime | None = None,
) -> tuple[int, list[CaseFacts]]:
    """CaseFacts in one query (see ``facts_query``).

    Rows come back as the driver returns them (no per-value SQLAlchemy type processing);
    the few conversions the rules need are done here, once per value.

    PostgreSQL would JIT-compile this query (its cost estimate is high) and spend more time
    compiling than running it, so JIT is switched off for this transaction only.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SET LOCAL jit = off"))
    instant = _instant_parser(dialect)
    dates: dict[Any, date | None] = {}

    def as_date(value: Any) -> date | None:
        try:
            return dates[value]
        except KeyError:
            dates[value] = parsed = _date(value)
            return parsed

    facts = []
    make = CaseFacts
    open_cases = 0
    for result_row in session.connection().execute(
        facts_query(dialect, now, limits, case_ids=case_ids, since=since)
    ):
        row = tuple(result_row)
        if now is not None:
            open_cases = row[-1]
            row = row[:-1]
        if dialect == "postgresql":
            (case_id, status, high_risk, referred_at, due, birth, started, vol_status, dbs,
             latest_contact, scores, b1, oldest_draft, attempts) = row  # fmt: skip
            wellbeing = tuple(scores) if scores else ()
        else:
            (case_id, status, high_risk, referred_at, due, birth, started, vol_status, dbs,
             latest_contact, w1, w2, w3, b1, oldest_draft, attempts) = row  # fmt: skip
            wellbeing = tuple(int(w) for w in (w1, w2, w3) if w is not None)
        facts.append(
            make(
                case_id=case_id,
                status=status,
                high_risk=bool(high_risk),
                referred_at=instant(referred_at),
                due_date=as_date(due),
                birth_date=as_date(birth),
                assignment_started_at=instant(started),
                volunteer_status=vol_status,
                volunteer_dbs_expires_on=as_date(dbs),
                latest_contact_at=instant(latest_contact),
                attempts_since_contact=int(attempts or 0),
                wellbeing_scores=wellbeing,
                latest_bonding=None if b1 is None else int(b1),
                oldest_draft_touched_at=instant(oldest_draft),
            )
        )
    if now is None:
        open_cases = len(facts)
    elif not facts:  # nothing may hit: count the open cases on their own
        open_cases = int(
            session.scalar(
                select(func.count())
                .select_from(Case)
                .where(Case.status.in_(OPEN_STATUSES), *only_cases(Case.id, case_ids))
            )
            or 0
        )
    return open_cases, facts
