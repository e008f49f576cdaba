"""The data model: SQLAlchemy 2.0 typed models. Nothing here commits.

Instants are stored as UTC (``UTCDateTime``); calendar facts (due date, birth date,
referral date) are plain dates that stand for 00:00 in the service time zone that day.
List-valued profile fields (languages, tags, availability, stages, concerns, topics)
are JSON arrays of short codes.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain import (
    CaseStatus,
    ChaseStep,
    CheckInStatus,
    EmailStatus,
    FlagStatus,
    Role,
    Severity,
    VolunteerStatus,
    case_reference,
)
from app.extensions import Base
from app.search_keys import parent_search_key, user_search_key
from app.search_keys import phone_digits as phone_digits_of
from app.stage import Stage, stage_on
from app.types import UTCDateTime

# --------------------------------------------------------------------------- enums


def _enum_values(enum: type[StrEnum]) -> str:
    return ", ".join(f"'{member.value}'" for member in enum)


def _trigram_index(name: str, column: str) -> Index:
    """PostgreSQL only: a trigram GIN index serving ``LIKE '%…%'`` (migration 0006)."""
    return Index(
        name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"}
    ).ddl_if(dialect="postgresql")


# --------------------------------------------------------------------------- areas and people

coordinator_areas = Table(
    "coordinator_areas",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Area(Base):
    """A local service of the charity."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    duty_email: Mapped[str | None] = mapped_column(String(254))
    duty_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    coordinators: Mapped[list[User]] = relationship(
        secondary=coordinator_areas, back_populates="areas", order_by="User.id"
    )

    def __repr__(self) -> str:
        return f"<Area {self.id} {self.name!r}>"


class User(UserMixin, Base):
    """Anyone who logs in: an admin, a coordinator or a volunteer.

    ``session_token`` is Flask-Login's alternative id: it is what the session cookie
    holds, and replacing it (logout, password change, deactivation) ends every session.
    """

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_enum_values(Role)})", name="role"),
        _trigram_index("ix_users_search_key", "search_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: chased (with the duty address) when an urgent flag is not acknowledged in time
    safeguarding_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(32)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Folded name and email for the search (``app.search_keys``), kept by ``_user_keys``.
    search_key: Mapped[str] = mapped_column(Text, default="")
    #: Two-factor sign-in (``app.auth.two_factor``): the authenticator app's secret, set once
    #: enrolment is confirmed (never shown again), and the last 30-second step whose code was
    #: used, so no code works twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    two_factor_since: Mapped[datetime | None] = mapped_column(UTCDateTime())

    areas: Mapped[list[Area]] = relationship(
        secondary=coordinator_areas, back_populates="coordinators", order_by="Area.name"
    )
    volunteer_profile: Mapped[VolunteerProfile | None] = relationship(
        back_populates="user", uselist=False, foreign_keys="VolunteerProfile.user_id"
    )

    # Flask-Login
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def two_factor_on(self) -> bool:
        return self.totp_secret is not None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def rotate_session_token(self) -> None:
        """End every session of this user (logout, password change, deactivation)."""
        self.session_token = secrets.token_urlsafe(32)

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class Invitation(Base):
    """A single-use link that lets a person set their password. Only a hash is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class PasswordReset(Base):
    """A single-use link, valid for an hour, to set a new password. Only a hash is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """One single-use recovery code for two-factor sign-in (a lost phone). Only a hash is
    stored; the codes are shown once, at enrolment."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VolunteerProfile(Base):
    """A peer supporter's matching profile (one per volunteer user)."""

    __tablename__ = "volunteer_profiles"
    __table_args__ = (
        CheckConstraint(f"status IN ({_enum_values(VolunteerStatus)})", name="status"),
        CheckConstraint("max_caseload >= 0", name="max_caseload"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    postcode: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    max_caseload: Mapped[int] = mapped_column(Integer, default=3)
    travel_km: Mapped[float | None] = mapped_column(Float)
    remote_only: Mapped[bool] = mapped_column(Boolean, default=False)
    training_completed_on: Mapped[date | None] = mapped_column(Date)
    dbs_checked_on: Mapped[date | None] = mapped_column(Date)
    dbs_expires_on: Mapped[date | None] = mapped_column(Date)
    training_expires_on: Mapped[date | None] = mapped_column(Date)  # None: does not expire
    email_reminders: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=text("true")
    )  # the daily reminder email (the volunteer turns it off on My availability)
    status: Mapped[str] = mapped_column(String(10), default=VolunteerStatus.ACTIVE.value)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(back_populates="volunteer_profile", foreign_keys=[user_id])
    area: Mapped[Area | None] = relationship()


class Parent(Base):
    """A parent referred for support (no login). Personal and health data: handle with care."""

    __tablename__ = "parents"
    __table_args__ = (
        _trigram_index("ix_parents_search_key", "search_key"),
        _trigram_index("ix_parents_phone_digits_trgm", "phone_digits"),
        # the possible-duplicate lookups (``app.cases.duplicates``) compare these lowered
        # (migration 0016): without them every case page scanned all parents
        Index("ix_parents_email_lower", text("lower(email)")),
        Index("ix_parents_last_name_lower", text("lower(last_name)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The charity's own reference (imports); a parent referred in Corner gets her case's.
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_date: Mapped[date | None] = mapped_column(Date)
    birth_date: Mapped[date | None] = mapped_column(Date)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_mode: Mapped[str | None] = mapped_column(String(20))
    availability: Mapped[list[str]] = mapped_column(JSON, default=list)
    referral_source: Mapped[str | None] = mapped_column(String(120))
    referred_on: Mapped[date] = mapped_column(Date)
    consent_on: Mapped[date | None] = mapped_column(Date)
    consent_method: Mapped[str | None] = mapped_column(String(40))
    consent_scope: Mapped[str | None] = mapped_column(String(255))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    # Equality monitoring (``app.equality``): optional codes, None = not recorded; staff only.
    ethnic_group: Mapped[str | None] = mapped_column(String(40))
    age_band: Mapped[str | None] = mapped_column(String(20))
    first_time_parent: Mapped[str | None] = mapped_column(String(20))
    disability: Mapped[str | None] = mapped_column(String(20))
    interpreter_needed: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When her details were anonymised (``app.privacy.erasure``); None: never.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The day she withdrew consent (``app.privacy.consent``); None: she has not.
    consent_withdrawn_on: Mapped[date | None] = mapped_column(Date)
    #: For the search (``app.search_keys``), kept by ``_parent_keys``: never shown.
    search_key: Mapped[str] = mapped_column(Text, default="")
    phone_digits: Mapped[str | None] = mapped_column(String(40), index=True)

    area: Mapped[Area | None] = relationship()
    cases: Mapped[list[Case]] = relationship(back_populates="parent", order_by="Case.id")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def stage(self, today: date) -> Stage:
        return stage_on(self.due_date, self.birth_date, today)


class Case(Base):
    """One support episode for one parent: referred → waiting → active → closed."""

    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(f"status IN ({_enum_values(CaseStatus)})", name="status"),
        Index("ix_cases_status_area", "status", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=CaseStatus.WAITING.value)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    high_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    parent: Mapped[Parent] = relationship(back_populates="cases")
    area: Mapped[Area | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="case", order_by="Assignment.started_at"
    )

    @property
    def reference(self) -> str:
        """The case reference used in emails and on screen (no personal data)."""
        return case_reference(self.id)

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED


class Assignment(Base):
    """A history row: this volunteer supported this case from started_at to ended_at."""

    __tablename__ = "assignments"
    __table_args__ = (
        Index(
            "uq_assignments_one_open_per_case",
            "case_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_assignments_volunteer_open", "volunteer_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(120))

    case: Mapped[Case] = relationship(back_populates="assignments")
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])


class MatchExclusion(Base):
    """This volunteer is not to be offered for this parent (declined before, conflict)."""

    __tablename__ = "match_exclusions"
    __table_args__ = (UniqueConstraint("parent_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("parents.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CheckIn(Base):
    """A contact (or attempt) recorded by a volunteer: draft, submitted or soft-deleted."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint(f"status IN ({_enum_values(CheckInStatus)})", name="status"),
        CheckConstraint("wellbeing IS NULL OR (wellbeing BETWEEN 1 AND 5)", name="wellbeing"),
        CheckConstraint("bonding IS NULL OR (bonding BETWEEN 1 AND 5)", name="bonding"),
        CheckConstraint("duration_min IS NULL OR duration_min >= 0", name="duration"),
        Index("ix_checkins_case_status_occurred", "case_id", "status", "occurred_at"),
        # PostgreSQL only: lets the escalation scan answer from the index alone (0004).
        Index(
            "ix_checkins_scan_cover",
            "case_id",
            "status",
            "occurred_at",
            postgresql_include=["successful", "wellbeing", "bonding", "updated_at"],
        ).ddl_if(dialect="postgresql"),
        Index("ix_checkins_volunteer_status", "volunteer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    mode: Mapped[str] = mapped_column(String(20))
    duration_min: Mapped[int | None] = mapped_column(Integer)
    successful: Mapped[bool] = mapped_column(Boolean, default=True)
    wellbeing: Mapped[int | None] = mapped_column(Integer)
    bonding: Mapped[int | None] = mapped_column(Integer)
    whooley_down: Mapped[bool | None] = mapped_column(Boolean)
    whooley_interest: Mapped[bool | None] = mapped_column(Boolean)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    concerns: Mapped[list[str]] = mapped_column(JSON, default=list)
    coordinator_today: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=CheckInStatus.DRAFT.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship()
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    deleted_by: Mapped[User | None] = relationship(foreign_keys=[deleted_by_id])

    @property
    def is_contact(self) -> bool:
        """A submitted, successful check-in: what the escalation rules call a contact."""
        return self.status == CheckInStatus.SUBMITTED and self.successful


# --------------------------------------------------------------------------- escalation


class EscalationFlag(Base):
    """A concern raised by a rule, read and resolved by a coordinator."""

    __tablename__ = "escalation_flags"
    __table_args__ = (
        CheckConstraint(f"severity IN ({_enum_values(Severity)})", name="severity"),
        CheckConstraint(f"status IN ({_enum_values(FlagStatus)})", name="status"),
        # At most one unresolved flag per (case, rule): enforced by the database.
        Index(
            "uq_escalation_flags_one_open_per_rule",
            "case_id",
            "rule",
            unique=True,
            sqlite_where=text("status <> 'resolved'"),
            postgresql_where=text("status <> 'resolved'"),
        ),
        Index("ix_escalation_flags_status_severity", "status", "severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    evidence: Mapped[str] = mapped_column(String(500), default="")
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id", ondelete="SET NULL"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(15), default=FlagStatus.OPEN.value)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None = automatic
    outcome: Mapped[str | None] = mapped_column(String(40))
    resolution_note: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])


class FlagChase(Base):
    """Ledger: one row per chase step taken for an urgent flag; the pair is unique."""

    __tablename__ = "flag_chases"
    __table_args__ = (
        CheckConstraint(f"step IN ({_enum_values(ChaseStep)})", name="step"),
        UniqueConstraint("flag_id", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("escalation_flags.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(20))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WeeklyDigest(Base):
    """Ledger: one weekly escalation email per coordinator and ISO week, never two."""

    __tablename__ = "weekly_digests"
    __table_args__ = (UniqueConstraint("coordinator_id", "iso_year", "iso_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coordinator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    iso_year: Mapped[int] = mapped_column(Integer)
    iso_week: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    email_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_emails.id"))


# --------------------------------------------------------------------------- infrastructure


class OutboxEmail(Base):
    """An email written in the transaction that caused it and sent after commit."""

    __tablename__ = "outbox_emails"
    __table_args__ = (
        CheckConstraint(f"status IN ({_enum_values(EmailStatus)})", name="status"),
        Index("ix_outbox_emails_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_addrs: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default=EmailStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    #: the sender's claim while ``sending``: the outcome is written only on this claim
    claim_token: Mapped[str | None] = mapped_column(String(32))
    #: attempts whose outcome is unknown (handed over, no answer): "may have been delivered"
    unknown_outcomes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: retries stop here (a day after queueing or an admin's "try again"); None: created_at + 1 day
    give_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the case an urgent email is about (its coordinators are warned when it is not delivered)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )


class BackgroundJob(Base):
    """A spreadsheet import or export run by the scheduler process (``app.background``), not
    in a web request. Its files live under ``JOBS_DIR/<id>/`` (never named in a URL)."""

    __tablename__ = "background_jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('import', 'export')", name="kind"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        Index("ix_background_jobs_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the runner's last sign of life (claim, progress): a 'running' job silent too long failed
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: the runner's claim while ``running``: progress and the outcome are written only on it
    claim_token: Mapped[str | None] = mapped_column(String(32))
    phase: Mapped[str | None] = mapped_column(String(20))
    rows_checked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_written: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    rows_total: Mapped[int | None] = mapped_column(Integer)
    #: the spreadsheet file names of an import's input (the files are in the job's directory)
    input_files: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: an export's output file name in the job's directory
    output_file: Mapped[str | None] = mapped_column(String(100))
    #: done: {"summary": ..., "counts": {...}}; failed: {"problems": [...], "more": n} or
    #: {"error": "..."} (no cell values beyond the problems the admin uploaded)
    result: Mapped[Any] = mapped_column(JSON, nullable=True)


class AuditEvent(Base):
    """Append-only record of who did what to which object, when and from where. No clinical text."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(String(255))

    actor: Mapped[User | None] = relationship()


class Setting(Base):
    """An admin setting (escalation thresholds, matching weights) as a JSON value."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class PostcodeCentroid(Base):
    """Coordinates for a postcode, imported by an admin, used to fill missing coordinates."""

    __tablename__ = "postcode_centroids"

    postcode: Mapped[str] = mapped_column(String(10), primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class RateLimitCounter(Base):
    """Hits per key and fixed window, shared by every worker process through the database."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)  # epoch seconds
    hits: Mapped[int] = mapped_column(Integer, default=0)


# --------------------------------------------------------------------------- search keys

_PARENT_KEY_FIELDS = ("first_name", "last_name", "email", "postcode", "ref", "phone")
_USER_KEY_FIELDS = ("first_name", "last_name", "email")


def _changed(target: Any, names: tuple[str, ...]) -> bool:
    attrs = inspect(target).attrs
    return any(attrs[name].history.has_changes() for name in names)


@event.listens_for(Parent, "before_insert")
@event.listens_for(Parent, "before_update")
def _parent_keys(_mapper: Any, _connection: Any, parent: Parent) -> None:
    """Every ORM write of a parent keeps her search columns (Core writes set them too)."""
    if inspect(parent).has_identity and not _changed(parent, _PARENT_KEY_FIELDS):
        return
    parent.search_key = parent_search_key(
        parent.first_name, parent.last_name, parent.email, parent.postcode, parent.ref
    )
    parent.phone_digits = phone_digits_of(parent.phone)


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _user_keys(_mapper: Any, _connection: Any, user: User) -> None:
    if inspect(user).has_identity and not _changed(user, _USER_KEY_FIELDS):
        return
    user.search_key = user_search_key(user.first_name, user.last_name, user.email)
