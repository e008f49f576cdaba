"""The daily scan: scheduled rules over every open case, in a fixed number of SQL statements.

0. one query: the thresholds (admin settings);
1. one query: every open case with its parent's dates, its open assignment's volunteer
   and its check-in facts (latest contact, attempts since, last three wellbeing scores,
   latest bonding score, oldest draft) as correlated index seeks, keeping only the cases
   a loose SQL pre-filter (``may_hit``, one term per rule) says some rule may hold for,
   and counting the open cases; values come back raw and are converted once in Python;
2. one query: the unresolved flags of scheduled rules of open cases;
3. the pure rules (``rules.evaluate``) decide, in Python, for the cases the pre-filter
   passed (a flag of a case it did not pass is resolved: no rule holds for that case);
4. at most four writes: resolve flags of closed cases (one UPDATE … WHERE case is closed),
   insert new flags (one executemany, ``ON CONFLICT DO NOTHING`` against the partial unique
   index, so a concurrent scan cannot make a duplicate), change severities, resolve flags
   whose condition has cleared (guarded by ``status <> 'resolved'``).

The statement count does not depend on the number of cases. The caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    and_,
    bindparam,
    case,
    false,
    func,
    literal,
    or_,
    select,
    text,
    true,
    type_coerce,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import aliased
from sqlalchemy.sql.sqltypes import NullType

from app.domain import (
    OPEN_CASE_STATUSES,
    SCHEDULED_RULES,
)
from app.escalation.rules import (
    SETTINGS_KEY,
    CaseFacts,
    Hit,
    Rule,
    Thresholds,
    evaluate,
)
from app.extensions import SessionLike
from app.models import (
    Assignment,
    Case,
    CaseStatus,
    CheckIn,
    CheckInStatus,
    EscalationFlag,
    FlagStatus,
    Parent,
    VolunteerProfile,
)
from app.settings import get_settings
from app.sqlcompat import insert_ignoring
from app.timeutil import short_date
from app.types import UTCDateTime

OPEN_STATUSES = [str(status) for status in OPEN_CASE_STATUSES]

CLEARED_BECAUSE: dict[str, str] = {
    Rule.WELLBEING_LOW: "a later check-in recorded a higher wellbeing score",
    Rule.WELLBEING_FALLING: "the latest wellbeing scores are no longer falling",
    Rule.BONDING_LOW: "a later check-in recorded a higher 'getting to know baby' score",
    Rule.NO_CONTACT: "a successful contact was recorded, or the case is no longer active",
    Rule.ATTEMPTS_FAILING: "a successful contact was recorded",
    Rule.BIRTH_SOON: "a contact or the birth was recorded, or the due date passed",
    Rule.AFTER_BIRTH: "a successful contact after the birth was recorded",
    Rule.BIRTH_OVERDUE: "the dates were updated",
    Rule.UNMATCHED: "a volunteer was assigned",
    Rule.VOLUNTEER_LAPSED: "the volunteer is active with a valid DBS check, or was replaced",
    Rule.STALE_DRAFT: "the draft was finished or deleted",
    Rule.PAST_1001_DAYS: "the dates were updated",
}
CLOSED_NOTE = "Resolved automatically: the case was closed."


def cleared_note(rule: str, now: datetime) -> str:
    because = CLEARED_BECAUSE.get(rule, "the condition no longer holds")
    return f"Resolved automatically on {short_date(now)}: {because}."


@dataclass
class ScanResult:
    cases: int = 0
    raised: int = 0
    resolved: int = 0
    closed_resolved: int = 0
    severity_changed: int = 0


def thresholds(session: SessionLike) -> Thresholds:
    from app.escalation.rules import DEFAULT_THRESHOLDS

    return Thresholds.from_settings(get_settings(session, SETTINGS_KEY, DEFAULT_THRESHOLDS))


# --------------------------------------------------------------------------- facts


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
) -> Any:
    """One row per open case: the case, its parent's dates, its open assignment and
    volunteer, and its check-in facts.

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
    """
    open_assignment = aliased(Assignment)
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
            VolunteerProfile.status.label("volunteer_status"),
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
        .where(Case.status.in_(OPEN_STATUSES))
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


def may_hit(c: Any, attempts: Any, dialect: str, now: datetime, t: Thresholds) -> dict[str, Any]:
    """For each scheduled rule, SQL that is true for every open case the rule holds for (and
    for some others): a looser form of the rule in ``rules.py``, with a day or more
    of slack wherever calendar dates or time zones come in. It only spares Python the cases
    no rule can hold for; ``rules.evaluate`` still decides. ``test_scan_equivalence`` checks
    each term against its rule on random cases at instants either side of every threshold.
    """
    slack = timedelta(days=2)

    def instant(value: datetime) -> Any:
        return literal(value, UTCDateTime())

    def day(value: datetime) -> Any:
        return literal(value.date(), Date())

    def at_most(column: Any, value: datetime) -> Any:  # column <= value, on raw values
        return type_coerce(column, UTCDateTime()) <= instant(value + timedelta(seconds=1))

    def on_or_before(column: Any, value: datetime) -> Any:
        return type_coerce(column, Date()) <= day(value)

    def on_or_after(column: Any, value: datetime) -> Any:
        return type_coerce(column, Date()) >= day(value)

    def days(n: int) -> timedelta:
        return timedelta(days=n)

    if dialect == "postgresql":
        scores = type_coerce(c.w, ARRAY(Integer()))
        w1, w2, w3 = scores[1], scores[2], scores[3]

        def next_day(column: Any) -> Any:
            return type_coerce(column, Date()) + 1

    else:
        w1, w2, w3 = c.w1, c.w2, c.w3

        def next_day(column: Any) -> Any:
            return func.date(column, "+1 day")

    def before_next_day(instant_column: Any, date_column: Any) -> Any:
        """instant < the day after the date (00:00 London on the date is earlier still)."""
        return instant_column < next_day(date_column)

    def not_contacted_for(n: int) -> Any:
        return and_(
            at_most(c.started_at, now - days(n)),
            or_(c.latest_contact_at.is_(None), at_most(c.latest_contact_at, now - days(n))),
        )

    no_recent_contact = or_(
        c.latest_contact_at.is_(None),
        at_most(c.latest_contact_at, now - days(t.birth_soon_contact_days)),
    )
    wellbeing = or_(
        w1 <= t.wellbeing_low_max,
        and_(w1 <= t.wellbeing_falling_latest_max, w3 > w2, w2 > w1),
    )
    return {
        Rule.WELLBEING_LOW: wellbeing,
        Rule.WELLBEING_FALLING: wellbeing,
        Rule.BONDING_LOW: c.b1 <= t.bonding_low_max,
        Rule.ATTEMPTS_FAILING: attempts >= t.attempts_in_a_row,
        Rule.NO_CONTACT: or_(
            and_(c.high_risk == true(), not_contacted_for(t.no_contact_high_risk_days)),
            and_(c.high_risk == false(), not_contacted_for(t.no_contact_days)),
        ),
        Rule.BIRTH_SOON: and_(
            c.birth_date.is_(None),
            on_or_after(c.due_date, now - slack),
            on_or_before(c.due_date, now + days(t.birth_soon_window_days) + slack),
            no_recent_contact,
        ),
        Rule.AFTER_BIRTH: and_(
            on_or_before(c.birth_date, now - days(t.after_birth_days) + slack),
            before_next_day(c.referred_at, c.birth_date),
            or_(c.latest_contact_at.is_(None), before_next_day(c.latest_contact_at, c.birth_date)),
        ),
        Rule.BIRTH_OVERDUE: and_(
            c.birth_date.is_(None),
            on_or_before(c.due_date, now - days(t.birth_overdue_days) + slack),
        ),
        Rule.UNMATCHED: and_(
            c.status.in_([str(CaseStatus.REFERRED), str(CaseStatus.WAITING)]),
            c.started_at.is_(None),
            at_most(c.referred_at, now - days(t.unmatched_days)),
        ),
        Rule.VOLUNTEER_LAPSED: and_(
            c.started_at.is_not(None),
            or_(
                c.volunteer_status.in_(["paused", "left"]),
                on_or_before(c.dbs_expires_on, now + slack),
            ),
        ),
        Rule.STALE_DRAFT: at_most(c.oldest_draft, now - days(t.stale_draft_days)),
        # the second birthday is at least 730 days after the birth
        Rule.PAST_1001_DAYS: on_or_before(c.birth_date, now - days(730) + slack),
    }


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
    session: SessionLike, now: datetime, limits: Thresholds
) -> tuple[int, list[CaseFacts]]:
    """The number of open cases, and CaseFacts for those some rule may hold for now
    (``may_hit``), in one query."""
    return _gather(session, now, limits)


def prefilter_terms(session: SessionLike, now: datetime, limits: Thresholds) -> dict[int, set[str]]:
    """For the tests: the rules whose pre-filter term holds, for every open case."""
    statement = facts_query(session.get_bind().dialect.name, now, limits, rules="terms")
    return {
        row[0]: {name for name, value in row._mapping.items() if name != "case_id" and value}
        for row in session.execute(statement)
    }


def _gather(
    session: SessionLike, now: datetime | None = None, limits: Thresholds | None = None
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
    for result_row in session.connection().execute(facts_query(dialect, now, limits)):
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
                select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
            )
            or 0
        )
    return open_cases, facts


# --------------------------------------------------------------------------- the scan


def resolve_flags_of_closed_cases(session: SessionLike, now: datetime) -> int:
    """Resolve every unresolved flag (any rule) of a closed case: one UPDATE."""
    closed = select(Case.id).where(Case.status == CaseStatus.CLOSED.value)
    result = session.execute(
        update(EscalationFlag)
        .where(EscalationFlag.status != FlagStatus.RESOLVED.value)
        .where(EscalationFlag.case_id.in_(closed))
        .values(
            status=FlagStatus.RESOLVED.value,
            resolved_at=now,
            resolved_by_id=None,
            resolution_note=CLOSED_NOTE,
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def run_scan(session: SessionLike, now: datetime) -> ScanResult:
    """Run the scheduled rules over every open case. Flushes; the caller commits."""
    result = ScanResult()
    limits = thresholds(session)
    result.closed_resolved = resolve_flags_of_closed_cases(session, now)

    hits: dict[tuple[int, str], Hit] = {}
    result.cases, candidates = gather_candidates(session, now, limits)
    for facts in candidates:
        for hit in evaluate(facts, now, limits):
            hits[(facts.case_id, hit.rule)] = hit

    existing = {
        (row.case_id, row.rule): row
        for row in session.execute(
            select(
                EscalationFlag.id,
                EscalationFlag.case_id,
                EscalationFlag.rule,
                EscalationFlag.severity,
            )
            .join(Case, Case.id == EscalationFlag.case_id)
            .where(
                EscalationFlag.status != FlagStatus.RESOLVED.value,
                EscalationFlag.rule.in_([str(rule) for rule in SCHEDULED_RULES]),
                Case.status.in_(OPEN_STATUSES),
            )
        )
    }

    new_rows = [
        {
            "case_id": case_id,
            "rule": str(hit.rule),
            "severity": str(hit.severity),
            "evidence": hit.evidence[:500],
            "raised_at": now,
            "status": FlagStatus.OPEN.value,
        }
        for (case_id, rule), hit in sorted(hits.items())
        if (case_id, rule) not in existing
    ]
    severity_rows = [
        {
            "flag_id": row.id,
            "new_severity": str(hits[key].severity),
            "new_evidence": hits[key].evidence[:500],
        }
        for key, row in existing.items()
        if key in hits and row.severity != hits[key].severity
    ]
    cleared_rows = [
        {"flag_id": row.id, "note": cleared_note(row.rule, now)}
        for key, row in existing.items()
        if key not in hits
    ]

    table: Any = EscalationFlag.__table__
    if new_rows:
        result.raised = _insert_flags(session, table, new_rows)
    if severity_rows:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("flag_id"), table.c.status != FlagStatus.RESOLVED.value)
            .values(severity=bindparam("new_severity"), evidence=bindparam("new_evidence")),
            severity_rows,
        )
        result.severity_changed = len(severity_rows)
    if cleared_rows:
        outcome = session.execute(
            update(table)
            .where(table.c.id == bindparam("flag_id"), table.c.status != FlagStatus.RESOLVED.value)
            .values(
                status=FlagStatus.RESOLVED.value,
                resolved_at=now,
                resolved_by_id=None,
                resolution_note=bindparam("note"),
            ),
            cleared_rows,
        )
        result.resolved = _rowcount(outcome, len(cleared_rows))
    session.flush()
    return result


PG_INSERT_FLAGS = text(
    """
    INSERT INTO escalation_flags (case_id, rule, severity, evidence, raised_at, status)
    SELECT new.*, CAST(:raised AS timestamp), 'open' FROM unnest(
        CAST(:case_ids AS integer[]), CAST(:rules AS varchar[]),
        CAST(:severities AS varchar[]), CAST(:evidence AS varchar[])
    ) AS new
    ON CONFLICT (case_id, rule) WHERE status <> 'resolved' DO NOTHING
    """
)


def _insert_flags(session: SessionLike, table: Any, rows: list[dict[str, Any]]) -> int:
    """Insert new flags in one statement, skipping any a concurrent scan got in first.

    PostgreSQL: one INSERT … SELECT FROM unnest(arrays) (a psycopg executemany of tens of
    thousands of rows costs seconds); SQLite: one executemany (in-process, fast).
    """
    if session.get_bind().dialect.name == "postgresql":
        outcome = session.execute(
            PG_INSERT_FLAGS,
            {
                "case_ids": [row["case_id"] for row in rows],
                "rules": [row["rule"] for row in rows],
                "severities": [row["severity"] for row in rows],
                "evidence": [row["evidence"] for row in rows],
                # every new flag is raised now, open
                "raised": rows[0]["raised_at"].astimezone(UTC).replace(tzinfo=None),
            },
        )
        return _rowcount(outcome, len(rows))
    statement = insert_ignoring(session, table, ["case_id", "rule"], text("status <> 'resolved'"))
    return _rowcount(session.execute(statement, rows), len(rows))


def _rowcount(outcome: Any, fallback: int) -> int:
    count = getattr(outcome, "rowcount", -1)
    return fallback if count is None or count < 0 else int(count)
