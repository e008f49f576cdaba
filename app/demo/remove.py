"""``remove_demo(session)``: delete the demo service, set-based, and flush (never commit).

What the demo is: the accounts at ``@corner.demo`` (``vocab.DEMO_DOMAIN``); the parents it
made (in a demo area, with an ``@example.org`` address, as ``build.py`` writes them), their
cases and everything hanging off those cases; the demo areas (their duty address is at the
demo domain) once nothing real refers to them; the emails addressed to the demo domain; and
the audit events of demo accounts and about demo parents and cases (the log keeps its
"demo.seeded" event and gains "demo.removed").

A real record that merely mentions a demo account (a case a demo coordinator owned, an
assignment a demo coordinator made) keeps its row and loses the mention (NULL). A real case
*supported* by a demo volunteer (an assignment or check-in, which must name its volunteer)
stops the removal before anything changes: ``DemoInUse`` says how many, so they can be
reassigned first. Every statement works on whole sets (``IN (SELECT …)``): the statement
count does not grow with the number of demo rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, delete, exists, func, or_, select, update

from app.audit import record
from app.demo import vocab
from app.extensions import SessionLike
from app.models import (
    Area,
    Assignment,
    AuditEvent,
    Case,
    CheckIn,
    EscalationFlag,
    FlagChase,
    Invitation,
    MatchExclusion,
    OutboxEmail,
    Parent,
    PasswordReset,
    Setting,
    User,
    VolunteerProfile,
    WeeklyDigest,
    coordinator_areas,
)


class DemoInUse(Exception):
    """Real cases are supported by demo volunteers: reassign them before removing the demo."""


def _demo_users() -> Any:
    return select(User.id).where(User.email.like(f"%@{vocab.DEMO_DOMAIN}"))


def _demo_areas() -> Any:
    return select(Area.id).where(Area.duty_email.like(f"%@{vocab.DEMO_DOMAIN}"))


def _demo_parents() -> Any:
    return select(Parent.id).where(
        Parent.area_id.in_(_demo_areas()), Parent.email.like("%@example.org")
    )


def _demo_cases() -> Any:
    return select(Case.id).where(Case.parent_id.in_(_demo_parents()))


def _count(session: SessionLike, stmt: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def remove_demo(session: SessionLike, now: datetime) -> dict[str, int]:
    """Delete the demo service; how many accounts, parents, cases and areas went. The
    audit log keeps its "demo.seeded" event and gains a "demo.removed" one."""
    users, parents, cases = _demo_users(), _demo_parents(), _demo_cases()
    in_use = _count(
        session,
        select(Assignment.id)
        .where(Assignment.volunteer_id.in_(users), Assignment.case_id.not_in(cases))
        .union_all(
            select(CheckIn.id).where(CheckIn.volunteer_id.in_(users), CheckIn.case_id.not_in(cases))
        ),
    )
    if in_use:
        raise DemoInUse(
            f"{in_use} assignments or check-ins of real cases name a demo volunteer;"
            " reassign those cases to a real volunteer first. Nothing was removed."
        )
    counts = {
        "accounts": _count(session, users),
        "parents": _count(session, parents),
        "cases": _count(session, cases),
    }
    flags = select(EscalationFlag.id).where(EscalationFlag.case_id.in_(cases))
    case_ids_text = select(cast(Case.id, String)).where(Case.parent_id.in_(parents))
    parent_ids_text = select(cast(Parent.id, String)).where(
        Parent.area_id.in_(_demo_areas()), Parent.email.like("%@example.org")
    )
    statements: list[Any] = [
        # the audit trail of the demo: by demo accounts, or about demo parents and cases
        delete(AuditEvent).where(
            or_(
                AuditEvent.actor_id.in_(users),
                and_(AuditEvent.object_type == "case", AuditEvent.object_id.in_(case_ids_text)),
                and_(AuditEvent.object_type == "parent", AuditEvent.object_id.in_(parent_ids_text)),
            )
        ),
        # everything hanging off the demo cases
        delete(FlagChase).where(FlagChase.flag_id.in_(flags)),
        update(EscalationFlag)
        .where(EscalationFlag.checkin_id.in_(select(CheckIn.id).where(CheckIn.case_id.in_(cases))))
        .values(checkin_id=None),
        delete(EscalationFlag).where(EscalationFlag.case_id.in_(cases)),
        delete(CheckIn).where(CheckIn.case_id.in_(cases)),
        delete(Assignment).where(Assignment.case_id.in_(cases)),
        delete(WeeklyDigest).where(WeeklyDigest.coordinator_id.in_(users)),
        update(WeeklyDigest)
        .where(
            WeeklyDigest.email_id.in_(
                select(OutboxEmail.id).where(
                    cast(OutboxEmail.to_addrs, String).like(f"%@{vocab.DEMO_DOMAIN}%")
                )
            )
        )
        .values(email_id=None),
        delete(OutboxEmail).where(
            or_(
                OutboxEmail.case_id.in_(cases),
                cast(OutboxEmail.to_addrs, String).like(f"%@{vocab.DEMO_DOMAIN}%"),
            )
        ),
        delete(MatchExclusion).where(
            or_(MatchExclusion.parent_id.in_(parents), MatchExclusion.volunteer_id.in_(users))
        ),
        delete(Case).where(Case.id.in_(cases)),
        delete(Parent).where(Parent.id.in_(parents)),
        # real rows that mention a demo account keep the row, lose the mention
        update(Case).where(Case.owner_id.in_(users)).values(owner_id=None),
        update(Assignment).where(Assignment.assigned_by_id.in_(users)).values(assigned_by_id=None),
        update(MatchExclusion)
        .where(MatchExclusion.created_by_id.in_(users))
        .values(created_by_id=None),
        update(CheckIn).where(CheckIn.deleted_by_id.in_(users)).values(deleted_by_id=None),
        update(EscalationFlag)
        .where(EscalationFlag.acknowledged_by_id.in_(users))
        .values(acknowledged_by_id=None),
        update(EscalationFlag)
        .where(EscalationFlag.resolved_by_id.in_(users))
        .values(resolved_by_id=None),
        update(Invitation).where(Invitation.created_by_id.in_(users)).values(created_by_id=None),
        update(Setting).where(Setting.updated_by_id.in_(users)).values(updated_by_id=None),
        # the accounts themselves
        delete(Invitation).where(Invitation.user_id.in_(users)),
        delete(PasswordReset).where(PasswordReset.user_id.in_(users)),
        delete(VolunteerProfile).where(VolunteerProfile.user_id.in_(users)),
        delete(coordinator_areas).where(coordinator_areas.c.user_id.in_(users)),
    ]
    for statement in statements:
        session.execute(statement, execution_options={"synchronize_session": False})
    # the demo's areas, unless something real still lives in them
    areas = select(Area.id).where(
        Area.id.in_(_demo_areas()),
        ~exists().where(Parent.area_id == Area.id),
        ~exists().where(Case.area_id == Area.id),
        ~exists().where(VolunteerProfile.area_id == Area.id),
        ~exists().where(coordinator_areas.c.area_id == Area.id),
    )
    counts["areas"] = _count(session, areas)
    session.execute(
        delete(User).where(User.email.like(f"%@{vocab.DEMO_DOMAIN}")),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        delete(Area).where(Area.id.in_(areas)),
        execution_options={"synchronize_session": False},
    )
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    record(session, now, "demo.removed", actor_id=None, object_type="demo", detail=summary)
    session.flush()
    return counts
