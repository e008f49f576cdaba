"""The scan's pre-filter: for each scheduled rule, a loose SQL form of it (``may_hit``).

``scan_facts.facts_query`` keeps only the open cases some term passes; the pure rules decide.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, Date, Integer, and_, false, func, literal, or_, true, type_coerce

from app.domain import CaseStatus, Rule
from app.escalation.rules_thresholds import Thresholds
from app.types import UTCDateTime


def may_hit(c: Any, attempts: Any, dialect: str, now: datetime, t: Thresholds) -> dict[str, Any]:
    """For each scheduled rule, SQL that is true for every open case the rule holds for (and
    for some others): a looser form of the rule in ``rules_*.py``, with a day or more
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
        """instant < the day after the date (00:00 in the service time zone
        on the date is earlier still, whatever its offset)."""
        return instant_column < next_day(date_column)

    def not_contacted_for(n: int) -> Any:
        return and_(
            at_most(c.started_at, now - days(n)),
            or_(c.latest_contact_at.is_(None), at_most(c.latest_contact_at, now - days(n))),
        )

    def first_contact_pending(n: int) -> Any:
        """No contact since the assignment started (loosely: at or before its start), and
        ``n`` days since the start."""
        return and_(
            at_most(c.started_at, now - days(n)),
            or_(c.latest_contact_at.is_(None), c.latest_contact_at <= c.started_at),
        )

    def no_contact_within(n: int) -> Any:
        return or_(not_contacted_for(n), first_contact_pending(min(n, t.first_contact_days)))

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
            and_(c.high_risk == true(), no_contact_within(t.no_contact_high_risk_days)),
            and_(c.high_risk == false(), no_contact_within(t.no_contact_days)),
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
