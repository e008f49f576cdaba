"""The daily scan: scheduled rules over every open case, in a fixed number of SQL statements.

0. one query: the thresholds (admin settings, ``saved_thresholds``);
1. one query (``scan_facts``): every open case with its parent's dates, its open
   assignment's volunteer and its check-in facts (latest contact, attempts since, last
   three wellbeing scores, latest bonding score, oldest draft) as correlated index seeks,
   keeping only the cases a loose SQL pre-filter (``scan_prefilter.may_hit``, one term per
   rule) says some rule may hold for, and counting the open cases; values come back raw and
   are converted once in Python;
2. one query (``scan_flags``): the unresolved flags of scheduled rules of open cases;
3. the pure rules (``rules.evaluate``) decide, in Python, for the cases the pre-filter
   passed (a flag of a case it did not pass is resolved: no rule holds for that case);
   a case the rules cannot evaluate (they raise) is logged by its reference, gets a
   ``CHECK_FAILED`` flag and keeps its other flags as they are, and the scan carries on
   with every other case; the first later scan that can evaluate it resolves that flag;
4. at most four writes (``scan_flags``): resolve flags of closed cases, insert new flags,
   change severities, resolve flags whose condition has cleared.

The statement count does not depend on the number of cases. The caller commits.

The incremental scan (``since`` the last completed scan) is the same steps with step 1
restricted to the cases that can have changed since (``scan_changed.candidate_ids``, inside
the open-case query, so no other case's check-in facts are computed) and step 3 comparing
only those cases' flags.

The same scan evaluates one case (or a few) when its facts change (``hooks.on_case_facts_changed``):
``run_scan(session, now, case_ids=[...])`` is every step above with ``Case.id IN (...)``
added to each query and write, nothing else.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain import FlagStatus, Rule, Severity, case_reference
from app.escalation.rules import evaluate
from app.escalation.rules_facts import CaseFacts, Hit
from app.escalation.rules_thresholds import DEFAULT_THRESHOLDS, SETTINGS_KEY, Thresholds
from app.escalation.scan_facts import gather_candidates
from app.escalation.scan_flags import (
    change_severities,
    cleared_note,
    insert_flags,
    resolve_cleared_flags,
    resolve_flags_of_closed_cases,
    unresolved_scheduled_flags,
)
from app.escalation.scan_runs import last_completed_scan, record_completed_scan
from app.extensions import SessionLike
from app.models import EscalationFlag
from app.settings import get_settings, save_settings

log = logging.getLogger(__name__)

#: an incremental scan that evaluates at most this many cases reads only their flags (by
#: id); one that evaluates more reads every unresolved flag and keeps theirs
FEW_CASES = 1000

CHECK_FAILED_EVIDENCE = (
    "The daily check could not evaluate this case, so its other flags were left as they "
    "were. Please check the parent's dates."
)


@dataclass
class ScanResult:
    cases: int = 0
    #: open cases the rules evaluated (the pre-filter's candidates)
    evaluated: int = 0
    raised: int = 0
    resolved: int = 0
    closed_resolved: int = 0
    severity_changed: int = 0
    #: cases the rules could not evaluate (each has a CHECK_FAILED flag)
    failed: int = 0


def saved_thresholds(session: SessionLike) -> Thresholds:
    """The thresholds saved on the admin settings page (the defaults where none is saved)."""
    return Thresholds.from_settings(get_settings(session, SETTINGS_KEY, DEFAULT_THRESHOLDS))


def save_thresholds(
    session: SessionLike,
    now: datetime,
    values: dict[str, int],
    user_id: int | None,
    ip: str | None = None,
) -> ScanResult:
    """Save the thresholds (audited) and, in the same transaction, scan every open case with
    them, so the flags agree with the new thresholds at once. Flushes; the caller commits."""
    save_settings(session, now, SETTINGS_KEY, values, user_id, ip)
    result = run_scan(session, now)
    record_completed_scan(session, now)
    return result


def thresholds_saved_message(result: ScanResult) -> str:
    """What the settings page says once the thresholds are saved and every case checked."""

    def flags(n: int) -> str:
        return f"{n} flag" if n == 1 else f"{n} flags"

    resolved = result.resolved + result.closed_resolved
    cases = f"{result.cases} open case" if result.cases == 1 else f"{result.cases} open cases"
    return (
        f"Escalation thresholds saved. Every open case was checked again with them just now "
        f"({cases}): {flags(result.raised)} raised, {flags(resolved)} resolved."
    )


def full_scan_due(last: datetime | None, now: datetime) -> bool:
    """Whether the scheduled scan as of ``now`` must be a full one: before the first, after
    a scan as of a later time (``--force``), and on the first scan since Monday 00:00 UTC
    (the weekly safety net under the incremental scan)."""
    if last is None or last > now:
        return True
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    monday = midnight - timedelta(days=now.weekday())
    return last < monday


def run_scheduled_scan(session: SessionLike, now: datetime, full: bool = False) -> ScanResult:
    """The daily scan (the scheduler's job, ``flask escalation scan``): incremental since the
    last completed scan (``scan_changed``) unless ``full`` or a full scan is due
    (``full_scan_due``); recorded as completed. Flushes; the caller commits."""
    last = last_completed_scan(session)
    since = None if full or full_scan_due(last, now) else last
    result = run_scan(session, now, since=since)
    record_completed_scan(session, now)
    return result


def run_scan(
    session: SessionLike,
    now: datetime,
    case_ids: Collection[int] | None = None,
    since: datetime | None = None,
) -> ScanResult:
    """Run the scheduled rules over every open case, or only over ``case_ids`` (their flags
    alone are read and written), or only over those that can have changed ``since`` the
    last completed scan (``scan_changed``: the same flags as a full scan, less work).
    Flushes; the caller commits."""
    result = ScanResult()
    limits = saved_thresholds(session)
    result.closed_resolved = resolve_flags_of_closed_cases(session, now, case_ids)

    hits: dict[tuple[int, str], Hit] = {}
    failed: set[int] = set()
    result.cases, candidates = gather_candidates(session, now, limits, case_ids, since)
    for facts in candidates:
        case_hits = _evaluate_one(facts, now, limits)
        if case_hits is None:
            failed.add(facts.case_id)
            case_hits = [Hit(Rule.CHECK_FAILED, Severity.HIGH, CHECK_FAILED_EVIDENCE)]
        for hit in case_hits:
            hits[(facts.case_id, hit.rule)] = hit
    result.failed = len(failed)
    result.evaluated = len(candidates)

    evaluated = {facts.case_id for facts in candidates}
    if since is not None and len(evaluated) <= FEW_CASES:  # only these cases' flags
        existing = unresolved_scheduled_flags(session, evaluated)
    else:
        existing = unresolved_scheduled_flags(session, case_ids)
    if since is not None:  # the flags of the cases not evaluated stay as they are
        existing = {key: row for key, row in existing.items() if key[0] in evaluated}
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
        if key in hits and row.severity != hits[key].severity and key[0] not in failed
    ]
    cleared_rows = [
        {"flag_id": row.id, "note": cleared_note(row.rule, now)}
        for key, row in existing.items()
        if key not in hits and key[0] not in failed  # a failed case keeps its flags
    ]

    if new_rows:
        result.raised = insert_flags(session, new_rows)
    if severity_rows:
        result.severity_changed = change_severities(session, severity_rows)
    if cleared_rows:
        result.resolved = resolve_cleared_flags(session, now, cleared_rows)
    session.flush()
    if result.closed_resolved or result.raised or result.severity_changed or result.resolved:
        _expire_loaded_flags(session, case_ids)
    return result


def _expire_loaded_flags(session: SessionLike, case_ids: Collection[int] | None) -> None:
    """The writes above bypass the ORM: flags already loaded in this session (of these cases)
    are expired so that they are read again, as written, when next used (no statement now)."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, EscalationFlag) and (case_ids is None or obj.case_id in case_ids):
            session.expire(obj)


def _evaluate_one(facts: CaseFacts, now: datetime, limits: Thresholds) -> list[Hit] | None:
    """The rules' hits for one case, or None when they cannot evaluate it (logged by the case
    reference and the kind of error only: never a name, a date or any other detail)."""
    try:
        return evaluate(facts, now, limits)
    except Exception as error:  # one case must never stop the scan for everyone
        log.error(
            "escalation scan: could not check case %s (%s); raised %s and carried on",
            case_reference(facts.case_id),
            type(error).__name__,
            Rule.CHECK_FAILED,
        )
        return None
