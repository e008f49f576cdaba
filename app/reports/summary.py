"""The funders' figures for a period: one nested dict, the same for the page, the downloads
and ``flask reports summary --json``.

Definitions (docs/reports.md says them in words): the period is ``Period.start`` …
``Period.end``, Europe/London (service zone) days, both included; instants are compared
with ``bounds`` ([00:00 local on the first day, 00:00 local the day after the last)), and a
date in the data (the referral date) stands for 00:00 that day.

* ``referrals``: cases whose referral date (the parent's ``referred_on``) is in the period;
  ``by_source`` by the referral source exactly as recorded, an empty or missing one under
  ``"not recorded"``; ``by_stage`` by the parent's stage on the referral date
  (``app.stage.stage_on``; ``over`` is reported as ``past``), all five keys always present.
* ``matches.new``: assignments that started in the period. ``days_to_match_median``: for
  cases whose **first** assignment started in the period, the median of (the local date of
  that start minus the referral date) in days, a float; ``None`` when there is none.
* ``parents_supported``: distinct parents with an assignment that started before the period
  ended and had not ended by the time it began (``ended_at`` after its first instant).
* ``contacts``: submitted check-ins that happened in the period (drafts and deleted ones
  never count): ``successful`` reached the parent, ``attempts`` did not; ``by_mode`` every
  mode (phone, video, in_person, text) always present; ``hours`` the sum of their
  durations (a missing duration counts 0) in hours, rounded half up to one decimal.
* ``closed``: cases closed in the period (still closed: reopening clears the close);
  ``by_reason`` by close reason code, every code plus ``not_recorded`` always present (the
  forms store the reason's words, an import the code; "Other: …" and any other text count
  as ``other``).
* ``flags``: ``raised`` in the period, ``resolved`` in the period (whenever raised),
  ``by_rule`` those raised, every rule always present; ``urgent_ack_minutes_median``: for
  urgent flags **raised in the period** and acknowledged (at any time, before the report is
  run), the median minutes from raising to acknowledgement, one decimal; ``None`` if none.
* ``volunteers``: see ``queries.volunteers``: the model keeps no status history, so
  "active at the end of the period" is approximated from the current status and the
  profile's last change (docs/reports.md).
* ``wellbeing``: cases closed in the period with at least two submitted check-ins scoring
  wellbeing: the last score (by when it happened) against the first.
* ``equality``: the referrals by each monitoring field, every code, ``prefer_not`` and
  ``not_recorded`` (no answer) always present; an unexpected stored code is counted under
  its own key so the counts always add up to ``referrals.total``.

``scope`` is a WHERE clause over ``Case`` (``app.scope.visible_cases(user)`` for a
coordinator; ``None``: every case). ``area_id`` limits the figures to that area's cases
and the volunteer figures to that area's volunteers. The volunteer figures are not limited
by ``scope`` (it speaks of cases). The number of statements is fixed (about a dozen).
"""

from __future__ import annotations

import statistics
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.sql.elements import ColumnElement

from app.domain import CLOSE_REASONS, ContactMode, Rule, Stage
from app.equality import FIELD_NAMES, NOT_RECORDED, codes
from app.extensions import SessionLike
from app.models import Case
from app.reports import queries
from app.reports.periods import Period, bounds
from app.stage import stage_on
from app.timeutil import local_date

#: ``by_stage`` keys, in order (``Stage.OVER`` is reported as ``past``)
STAGE_KEYS: tuple[str, ...] = ("pregnancy", "birth", "postnatal", "unknown", "past")
#: ``by_source`` key for a referral with no source recorded
SOURCE_NOT_RECORDED = "not recorded"
MODE_KEYS: tuple[str, ...] = tuple(mode.value for mode in ContactMode)
REASON_KEYS: tuple[str, ...] = (*(code for code, _ in CLOSE_REASONS), NOT_RECORDED)
RULE_KEYS: tuple[str, ...] = tuple(rule.value for rule in Rule)


def _stage_key(stage: Stage) -> str:
    return "past" if stage == Stage.OVER else stage.value


def _one_decimal(value: float | Decimal) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _median(values: list[float]) -> float | None:
    return _one_decimal(statistics.median(values)) if values else None


def summarise(
    session: SessionLike,
    *,
    period: Period,
    area_id: int | None = None,
    scope: ColumnElement[bool] | None = None,
    now: datetime,
) -> dict[str, Any]:
    """The report for ``period``: exactly the nested keys of issue 13 (see the module doc)."""
    lo, hi = bounds(period)
    cases: list[ColumnElement[bool]] = []
    if scope is not None:
        cases.append(scope)
    if area_id is not None:
        cases.append(Case.area_id == area_id)
    f = queries.Filter(period.start, period.end, lo, hi, tuple(cases), area_id)

    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "area": queries.area_name(session, area_id) if area_id is not None else None,
        "referrals": _referrals(session, f),
        "matches": _matches(session, f),
        "parents_supported": queries.parents_supported(session, f),
        "contacts": _contacts(session, f),
        "closed": _closed(session, f),
        "flags": _flags(session, f),
        "volunteers": dict(
            zip(("active", "new", "left"), queries.volunteers(session, f, now), strict=True)
        ),
        "wellbeing": dict(
            zip(("improved", "same", "worse"), queries.wellbeing_changes(session, f), strict=True)
        ),
        "equality": _equality(session, f),
    }


def _referrals(session: SessionLike, f: queries.Filter) -> dict[str, Any]:
    by_stage = dict.fromkeys(STAGE_KEYS, 0)
    for referred, due, birth, n in queries.referral_dates(session, f):
        by_stage[_stage_key(stage_on(due, birth, referred))] += n
    by_source: dict[str, int] = {}
    for source, n in queries.referral_sources(session, f):
        key = source.strip() if source and source.strip() else SOURCE_NOT_RECORDED
        by_source[key] = by_source.get(key, 0) + n
    ordered = dict(sorted(by_source.items(), key=lambda item: (-item[1], item[0].casefold())))
    return {"total": sum(by_stage.values()), "by_source": ordered, "by_stage": by_stage}


def _matches(session: SessionLike, f: queries.Filter) -> dict[str, Any]:
    days = [
        float((local_date(started) - referred).days)
        for referred, started in queries.first_matches(session, f)
    ]
    return {"new": queries.assignments_started(session, f), "days_to_match_median": _median(days)}


def _contacts(session: SessionLike, f: queries.Filter) -> dict[str, Any]:
    by_mode = dict.fromkeys(MODE_KEYS, 0)
    successful = attempts = minutes = 0
    for mode, reached, n, mins in queries.contacts(session, f):
        by_mode[mode] = by_mode.get(mode, 0) + n
        if reached:
            successful += n
        else:
            attempts += n
        minutes += mins
    hours = _one_decimal(Decimal(minutes) / Decimal(60))
    return {"successful": successful, "attempts": attempts, "by_mode": by_mode, "hours": hours}


def _closed(session: SessionLike, f: queries.Filter) -> dict[str, Any]:
    by_reason = dict.fromkeys(REASON_KEYS, 0)
    for code, n in queries.closed_reasons(session, f):
        by_reason[code] = by_reason.get(code, 0) + n
    return {"total": sum(by_reason.values()), "by_reason": by_reason}


def _flags(session: SessionLike, f: queries.Filter) -> dict[str, Any]:
    by_rule = dict.fromkeys(RULE_KEYS, 0)
    for rule, n in queries.flags_raised(session, f):
        by_rule[rule] = by_rule.get(rule, 0) + n
    minutes = [
        (acked - raised).total_seconds() / 60
        for raised, acked in queries.urgent_acknowledgements(session, f)
    ]
    return {
        "raised": sum(by_rule.values()),
        "resolved": queries.flags_resolved(session, f),
        "by_rule": by_rule,
        "urgent_ack_minutes_median": _median(minutes),
    }


def _equality(session: SessionLike, f: queries.Filter) -> dict[str, dict[str, int]]:
    result = {name: {**dict.fromkeys(codes(name), 0), NOT_RECORDED: 0} for name in FIELD_NAMES}
    for field, code, n in queries.referral_equality(session, f):
        key = code if code else NOT_RECORDED
        result[field][key] = result[field].get(key, 0) + n
    return result
