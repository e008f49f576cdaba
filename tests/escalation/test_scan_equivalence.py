"""The scan's set-based facts query against a plain Python reading of the same rows.

``gather_facts`` takes shortcuts for speed (one SQL statement, raw driver values converted
by hand, a materialised inner query, an array of wellbeing scores on PostgreSQL); this
builds randomised cases in the database and checks, field by field, that it returns exactly
what the definitions in ``rules_facts.CaseFacts`` say, and that the scan raises exactly the flags
the pure rules raise for those facts.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.escalation.rules import evaluate
from app.escalation.rules_facts import CaseFacts, day_start
from app.escalation.rules_thresholds import THRESHOLD_FIELDS, Thresholds
from app.escalation.scan import run_scan
from app.escalation.scan_facts import gather_candidates, gather_facts, prefilter_terms
from app.extensions import SessionLike
from app.models import Assignment, Case, CheckIn, EscalationFlag, Parent, VolunteerProfile
from app.stage import second_birthday
from tests.factories import NOW, make_assignment, make_case, make_checkin, make_volunteer

DAY = timedelta(days=1)


def moment(rnd: random.Random, days_back: int) -> datetime:
    """A random instant up to ``days_back`` days before NOW, with microseconds."""
    return NOW - timedelta(
        days=rnd.randint(0, days_back),
        seconds=rnd.randint(0, 86_399),
        microseconds=rnd.randint(0, 999_999),
    )


def maybe_date(rnd: random.Random, start: int, stop: int) -> date | None:
    if rnd.random() < 0.2:
        return None
    return (NOW + timedelta(days=rnd.randint(start, stop))).date()


def build_random(session: SessionLike, rnd: random.Random, cases: int) -> None:
    volunteers = [
        make_volunteer(
            session,
            status=rnd.choice(["active", "active", "paused", "left"]),
            dbs_expires_on=rnd.choice([date(2028, 1, 5), date(2026, 11, 2), date(2026, 11, 3)]),
        )
        for _ in range(4)
    ]
    for _ in range(cases):
        case = make_case(
            session,
            status=rnd.choice(["referred", "waiting", "closed"]),
            high_risk=rnd.random() < 0.3,
            referred_at=moment(rnd, 60),
        )
        case.parent.due_date = maybe_date(rnd, -60, 60)
        case.parent.birth_date = maybe_date(rnd, -800, -1)
        volunteer = rnd.choice(volunteers)
        roll = rnd.random()
        if roll < 0.5:
            make_assignment(session, case, volunteer, started_at=moment(rnd, 40))
        elif roll < 0.65:  # an ended assignment does not count
            make_assignment(
                session, case, volunteer, started_at=moment(rnd, 90), ended_at=moment(rnd, 5)
            )
        for _ in range(rnd.randint(0, 9)):
            when = moment(rnd, 40)
            successful = rnd.random() < 0.7
            make_checkin(
                session,
                case,
                volunteer,
                occurred_at=when,
                successful=successful,
                status=rnd.choice(["submitted"] * 6 + ["draft", "deleted"]),
                wellbeing=rnd.choice([None, 1, 2, 3, 4, 5]),
                bonding=rnd.choice([None, None, 1, 2, 3, 4, 5]),
                updated_at=when + timedelta(minutes=rnd.randint(0, 60 * 24 * 5)),
            )
    session.flush()


def reference_facts(session: SessionLike) -> dict[int, CaseFacts]:
    """CaseFacts read the slow, obvious way: every row into Python."""
    facts = {}
    for case in session.scalars(select(Case).where(Case.status != "closed")):
        parent = session.get(Parent, case.parent_id)
        assert parent is not None
        assignment = session.scalars(
            select(Assignment).where(Assignment.case_id == case.id, Assignment.ended_at.is_(None))
        ).one_or_none()
        profile = (
            session.scalars(
                select(VolunteerProfile).where(VolunteerProfile.user_id == assignment.volunteer_id)
            ).one()
            if assignment
            else None
        )
        checkins = list(session.scalars(select(CheckIn).where(CheckIn.case_id == case.id)))
        submitted = sorted(
            (c for c in checkins if c.status == "submitted"),
            key=lambda c: c.occurred_at,
            reverse=True,
        )
        contacts = [c for c in submitted if c.successful]
        latest = contacts[0].occurred_at if contacts else None
        drafts = [c.updated_at for c in checkins if c.status == "draft"]
        facts[case.id] = CaseFacts(
            case_id=case.id,
            status=case.status,
            high_risk=case.high_risk,
            referred_at=case.referred_at,
            due_date=parent.due_date,
            birth_date=parent.birth_date,
            assignment_started_at=assignment.started_at if assignment else None,
            volunteer_status=profile.status if profile else None,
            volunteer_dbs_expires_on=profile.dbs_expires_on if profile else None,
            latest_contact_at=latest,
            attempts_since_contact=sum(
                1 for c in submitted if latest is None or c.occurred_at > latest
            ),
            wellbeing_scores=tuple(c.wellbeing for c in contacts if c.wellbeing is not None)[:3],
            latest_bonding=next((c.bonding for c in contacts if c.bonding is not None), None),
            oldest_draft_touched_at=min(drafts) if drafts else None,
        )
    return facts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gather_facts_matches_the_definitions_on_random_cases(
    session: SessionLike, seed: int
) -> None:
    rnd = random.Random(seed)
    build_random(session, rnd, 60)
    expected = reference_facts(session)
    got = {facts.case_id: facts for facts in gather_facts(session)}
    assert set(got) == set(expected)
    for case_id, facts in expected.items():
        assert got[case_id] == facts, case_id
        for name in ("referred_at", "assignment_started_at", "latest_contact_at"):
            value = getattr(got[case_id], name)
            assert value is None or value.tzinfo == UTC

    # the scan keeps exactly the flags the pure rules raise for those facts, at several
    # moments (evidence is written when a flag is raised or changes severity, so it is
    # compared on the first run only)
    for later in (0, 3, 15, 31):
        when = NOW + later * DAY
        run_scan(session, when)
        raised = {
            (flag.case_id, flag.rule, flag.severity, flag.evidence if later == 0 else "")
            for flag in session.scalars(
                select(EscalationFlag).where(EscalationFlag.status != "resolved")
            )
        }
        wanted = {
            (case_id, str(hit.rule), str(hit.severity), hit.evidence if later == 0 else "")
            for case_id, facts in expected.items()
            for hit in evaluate(facts, when)
        }
        assert raised == wanted, later


def boundary_moments(
    rnd: random.Random, facts: list[CaseFacts], t: Thresholds, per_rule: int = 6
) -> list[datetime]:
    """Instants on and a microsecond either side of where each rule switches for some of
    these cases, ``per_rule`` of them for each rule, plus a few random ones."""
    tiny = timedelta(microseconds=1)
    d = timedelta(days=1)
    edges: dict[str, list[datetime]] = {}

    def add(name: str, *instants: datetime | None) -> None:
        edges.setdefault(name, []).extend(x for x in instants if x is not None)

    for f in facts:
        for since in (f.latest_contact_at, f.assignment_started_at):
            if since is not None:
                add(
                    "no_contact",
                    since + t.no_contact_days * d,
                    since + t.no_contact_severe_days * d,
                )
                add("no_contact_high_risk", since + t.no_contact_high_risk_days * d)
                add("first_contact", since + t.first_contact_days * d)
                add("birth_soon_contact", since + t.birth_soon_contact_days * d)
        if f.referred_at is not None:
            add("unmatched", f.referred_at + t.unmatched_days * d)
        if f.oldest_draft_touched_at is not None:
            add("stale_draft", f.oldest_draft_touched_at + t.stale_draft_days * d)
        if f.due_date is not None:
            due = day_start(f.due_date)
            add("birth_soon", due - t.birth_soon_window_days * d, day_start(f.due_date + d))
            add("birth_overdue", due + t.birth_overdue_days * d)
        if f.birth_date is not None:
            born = day_start(f.birth_date)
            add("after_birth", born + t.after_birth_days * d)
            add("past_1001", day_start(second_birthday(f.birth_date)))
        if f.volunteer_dbs_expires_on is not None:
            add("dbs", day_start(f.volunteer_dbs_expires_on))
    moments = [NOW + timedelta(hours=rnd.randint(-48, 24 * 60)) for _ in range(10)]
    for instants in edges.values():
        for base in rnd.sample(instants, min(per_rule, len(instants))):
            moments += [base - tiny, base, base + tiny]
    return moments


@pytest.mark.parametrize("seed", [4, 5])
def test_prefilter_never_drops_a_case_a_rule_holds_for(session: SessionLike, seed: int) -> None:
    """The scan's SQL pre-filter may pass extra cases, never one a pure rule holds for: each
    rule's term on its own (the pre-filter is their OR), with the default and with random
    thresholds, at instants on and a microsecond either side of every threshold."""
    rnd = random.Random(seed)
    build_random(session, rnd, 50)
    expected = reference_facts(session)
    for round_ in range(2):
        limits = (
            Thresholds()
            if round_ == 0
            else Thresholds(
                **{
                    name: rnd.randint(low, min(high, 60))
                    for name, (_label, _hint, low, high) in THRESHOLD_FIELDS.items()
                }
            )
        )
        for when in boundary_moments(rnd, list(expected.values()), limits):
            terms = prefilter_terms(session, when, limits)
            assert set(terms) == set(expected)
            for case_id, facts in expected.items():
                for hit in evaluate(facts, when, limits):
                    assert hit.rule in terms[case_id], (hit, when, limits, facts)

    # and the query the scan runs returns those cases, with the right facts
    when = NOW + 20 * DAY
    count, candidates = gather_candidates(session, when, Thresholds())
    assert count == len(expected)
    assert {f.case_id for f in candidates} == {
        case_id for case_id, rules in prefilter_terms(session, when, Thresholds()).items() if rules
    }
    for facts in candidates:
        assert facts == expected[facts.case_id]
