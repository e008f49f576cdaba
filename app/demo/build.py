"""Build the demo service in one go: areas, accounts, parents, cases, history, check-ins.

``build_demo(session, now)`` adds everything and flushes once (bulk inserts), never commits.
Every date is relative to ``now`` so the demo always looks current. The data keeps the
rules of DESIGN.md: an active case has exactly one open assignment, a volunteer's open
assignments never exceed their maximum caseload, and each check-in is by the volunteer
assigned at that time, inside that assignment's period.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import func, select

from app.auth.passwords import hash_password
from app.demo import vocab
from app.domain import (
    Concern,
)
from app.equality import FIELD_NAMES, PREFER_NOT
from app.extensions import SessionLike
from app.models import (
    Area,
    Assignment,
    AuditEvent,
    Case,
    CaseStatus,
    CheckIn,
    CheckInStatus,
    Parent,
    Role,
    User,
    VolunteerProfile,
    VolunteerStatus,
)
from app.stage import stage_on
from app.timeutil import day_start, local_date

DAY = timedelta(days=1)
CHECKIN_WINDOW = timedelta(days=92)  # three months of check-ins


def demo_exists(session: SessionLike) -> bool:
    """True when demo accounts are already in the database."""
    return bool(
        session.scalar(
            select(func.count()).select_from(User).where(User.email.like(f"%@{vocab.DEMO_DOMAIN}"))
        )
    )


@dataclass
class _Vol:
    user: User
    profile: VolunteerProfile
    area: str
    open_cases: int = 0


@dataclass
class _Plan:
    """What one parent's story looks like before it becomes rows."""

    parent: Parent
    case: Case
    area: str
    kind: str  # referred, waiting, active, closed
    baseline: int = 4
    falling: bool = False
    history: list[tuple[_Vol, datetime, datetime | None, str | None]] = field(default_factory=list)


class DemoBuilder:
    def __init__(self, session: SessionLike, now: datetime, seed: int = 1001) -> None:
        self.session = session
        self.now = now
        self.today = local_date(now)
        self.rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
        # the equality answers draw from their own stream, so the rest of the demo is as it was
        self.answers_rng = random.Random(seed + 13)  # noqa: S311
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.password_hash = hash_password(vocab.DEMO_PASSWORD)
        self.areas: dict[str, Area] = {}
        self.coordinators: dict[str, User] = {}
        self.volunteers: list[_Vol] = []
        self.plans: list[_Plan] = []
        self.checkins: list[CheckIn] = []
        self._phone = 0
        self._ref = 0

    # ------------------------------------------------------------------ helpers

    def _at(self, day: date, hour: float) -> datetime:
        """An instant on ``day`` at ``hour`` o'clock in the service time zone, before ``now``."""
        return min(day_start(day) + timedelta(hours=hour), self.now - timedelta(minutes=5))

    def _phone_number(self) -> str:
        self._phone += 1  # Ofcom's range reserved for drama: never a real number
        return f"07700 900{self._phone:03d}"

    def _postcode(self, area: str) -> tuple[str, float, float]:
        district, (lat, lon) = self.rng.choice(list(vocab.DISTRICTS[area].items()))
        inward = f"{self.rng.randint(1, 9)}{self.rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        inward += self.rng.choice("ABDEFGHJLNPQRSTUWXYZ")
        lat += self.rng.uniform(-0.012, 0.012)
        lon += self.rng.uniform(-0.018, 0.018)
        return f"{district} {inward}", round(lat, 5), round(lon, 5)

    def _languages(self, other_share: float) -> list[str]:
        if self.rng.random() >= other_share:
            return ["en"]
        codes = [c for c, _ in vocab.OTHER_LANGUAGES]
        weights = [w for _, w in vocab.OTHER_LANGUAGES]
        other = self.rng.choices(codes, weights)[0]
        return [other] if self.rng.random() < 0.3 else ["en", other]

    def _area_name(self) -> str:
        return vocab.NORTH if self.rng.random() < 0.55 else vocab.SOUTH

    def _user(self, email: str, role: str, first: str, last: str, created: datetime) -> User:
        user = User(
            email=email,
            first_name=first,
            last_name=last,
            role=role,
            password_hash=self.password_hash,
            active=True,
            created_at=created,
        )
        self.session.add(user)
        return user

    # ------------------------------------------------------------------ people

    def build_areas_and_staff(self) -> None:
        started = self.now - timedelta(days=800)
        for name, duty in vocab.AREAS.items():
            area = Area(
                name=name, duty_email=duty, duty_phone=vocab.DUTY_PHONES[name], created_at=started
            )
            self.session.add(area)
            self.areas[name] = area
        self._user(vocab.ADMIN_EMAIL, Role.ADMIN, "Priya", "Shah", started)
        north = self._user(vocab.COORDINATOR_EMAIL, Role.COORDINATOR, "Hannah", "Price", started)
        north.areas = [self.areas[vocab.NORTH]]
        south = self._user(
            vocab.COORDINATOR_SOUTH_EMAIL, Role.COORDINATOR, "Grace", "Okafor", started
        )
        south.areas = [self.areas[vocab.SOUTH]]
        self.coordinators = {vocab.NORTH: north, vocab.SOUTH: south}

    def _volunteer(
        self,
        email: str,
        first: str,
        last: str,
        area: str,
        *,
        status: str = VolunteerStatus.ACTIVE,
        max_caseload: int | None = None,
        dbs_expires_in: int | None = None,
        languages: list[str] | None = None,
        stages: list[str] | None = None,
    ) -> _Vol:
        joined = self.today - timedelta(days=self.rng.randint(120, 1100))
        user = self._user(email, Role.VOLUNTEER, first, last, self._at(joined, 10))
        postcode, lat, lon = self._postcode(area)
        remote_only = self.rng.random() < 0.12
        checked = joined - timedelta(days=self.rng.randint(10, 40))
        if dbs_expires_in is None:
            expires = checked + timedelta(days=3 * 365)
            while expires <= self.today + timedelta(days=45):
                # renewed a few weeks before it ran out, never later than yesterday
                checked = min(expires - timedelta(days=20), self.today - timedelta(days=1))
                expires = checked + timedelta(days=3 * 365)
        else:
            expires = self.today + timedelta(days=dbs_expires_in)
            checked = expires - timedelta(days=3 * 365)
        if stages is None:
            stages = sorted(
                self.rng.sample(vocab.STAGES, self.rng.choice([1, 2, 3, 3, 3])),
                key=vocab.STAGES.index,
            )
        profile = VolunteerProfile(
            user=user,
            area=self.areas[area],
            phone=self._phone_number(),
            postcode=postcode,
            latitude=lat,
            longitude=lon,
            languages=languages or self._languages(0.3),
            stages=stages,
            tags=sorted(self.rng.sample(vocab.TAGS, self.rng.choice([0, 1, 1, 2, 2, 3]))),
            availability=sorted(
                self.rng.sample(vocab.SLOTS, self.rng.randint(3, 9)), key=vocab.SLOTS.index
            ),
            max_caseload=max_caseload or self.rng.choice([3, 4, 4, 5, 5, 6]),
            travel_km=None if remote_only else float(self.rng.choice([3, 5, 8, 10, 15])),
            remote_only=remote_only,
            training_completed_on=joined + timedelta(days=self.rng.randint(14, 60)),
            dbs_checked_on=checked,
            dbs_expires_on=expires,
            status=str(status),
            updated_at=self._at(joined, 11),
        )
        self.session.add(profile)
        vol = _Vol(user, profile, area)
        self.volunteers.append(vol)
        return vol

    def build_volunteers(self, count: int) -> None:
        self._volunteer(
            vocab.VOLUNTEER_EMAIL,
            "Sam",
            "Fletcher",
            vocab.NORTH,
            max_caseload=5,
            languages=["en", "pl"],
            stages=list(vocab.STAGES),
        )
        specials: list[dict[str, Any]] = (
            [{"status": VolunteerStatus.PAUSED}] * 3
            + [{"status": VolunteerStatus.LEFT}] * 2
            + [{"dbs_expires_in": d} for d in (9, 20, 33)]
            + [{"dbs_expires_in": -6}]
        )
        for i in range(count):
            first, last = self.fake.first_name_female(), self.fake.last_name()
            if i % 9 == 4:
                first = self.fake.first_name_male()
            email = f"{first}.{last}.{i + 1}@{vocab.DEMO_DOMAIN}".lower().replace("'", "")
            kw = specials[i] if i < len(specials) else {}
            area = vocab.NORTH if i % 2 == 0 else vocab.SOUTH
            self._volunteer(email, first, last, area, **kw)

    # ------------------------------------------------------------------ parents and cases

    def _dates_for(self, stage: str) -> tuple[date | None, date | None]:
        t = self.today
        r = self.rng.randint
        if stage == "pregnancy":
            return t + timedelta(days=r(24, 200)), None
        if stage == "birth":
            if self.rng.random() < 0.5:
                return t + timedelta(days=r(-18, 20)), None
            born = t - timedelta(days=r(0, 12))
            return born + timedelta(days=r(-20, 10)), born
        if stage == "overdue":
            return t - timedelta(days=r(23, 32)), None
        if stage == "postnatal":
            born = t - timedelta(days=r(16, 690))
            return born + timedelta(days=r(-25, 12)), born
        if stage == "over":
            born = t - timedelta(days=r(731, 760))
            return born + timedelta(days=r(-10, 10)), born
        raise ValueError(stage)

    def _referred_on(self, due: date | None, birth: date | None, latest: date) -> date:
        """A referral date in pregnancy or after the birth, on or before ``latest``."""
        earliest = (birth or due or self.today) - timedelta(days=220)
        earliest = max(earliest, self.today - timedelta(days=540))
        if earliest >= latest:
            return latest
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def _weighted(self, pairs: tuple[tuple[str, int], ...]) -> str:
        return self.answers_rng.choices([c for c, _ in pairs], [w for _, w in pairs])[0]

    def _equality(self, tags: list[str], languages: list[str]) -> dict[str, str | None]:
        """Plausible equality monitoring answers (``app.equality``): some not recorded, some
        "Prefer not to say"; a young parent is under 25, another language makes an
        interpreter likely and the ethnic group one its speakers often give."""
        rng = self.answers_rng
        if rng.random() < vocab.EQUALITY_NONE_SHARE:
            return dict.fromkeys(FIELD_NAMES)
        other = [code for code in languages if code != "en"]
        if other and other[0] in vocab.LANGUAGE_GROUPS:
            ethnic = rng.choice(vocab.LANGUAGE_GROUPS[other[0]])
        else:
            ethnic = self._weighted(vocab.ETHNIC_GROUPS)
        if "young_parent" in tags:
            age = rng.choice(["under_20", "20_24"])
        else:
            age = self._weighted(vocab.AGE_BANDS)
        answers: dict[str, str | None] = {
            "ethnic_group": ethnic,
            "age_band": age,
            "first_time_parent": "yes" if rng.random() < 0.45 else "no",
            "disability": "yes" if rng.random() < 0.12 else "no",
            "interpreter_needed": "yes" if "en" not in languages and rng.random() < 0.7 else "no",
        }
        for name in FIELD_NAMES:
            roll = rng.random()
            if roll < vocab.EQUALITY_EMPTY_SHARE:
                answers[name] = None
            elif roll < vocab.EQUALITY_EMPTY_SHARE + vocab.EQUALITY_PREFER_NOT_SHARE:
                answers[name] = PREFER_NOT
        return answers

    def _parent(self, area: str, due: date | None, birth: date | None, referred: date) -> Parent:
        self._ref += 1
        first, last = self.fake.first_name_female(), self.fake.last_name()
        postcode, lat, lon = self._postcode(area)
        source = self.rng.choices(
            [s for s, _ in vocab.REFERRAL_SOURCES], [w for _, w in vocab.REFERRAL_SOURCES]
        )[0]
        tags = sorted(self.rng.sample(vocab.TAGS, self.rng.choice([0, 0, 1, 1, 1, 2])))
        if birth is None and "nicu" in tags:
            tags.remove("nicu")
        languages = self._languages(0.25)
        parent = Parent(
            ref=f"BR-{self._ref:04d}",
            first_name=first,
            last_name=last,
            email=f"{first}.{last}{self._ref}@example.org".lower().replace("'", ""),
            phone=self._phone_number(),
            postcode=postcode,
            latitude=lat,
            longitude=lon,
            languages=languages,
            due_date=due,
            birth_date=birth,
            tags=tags,
            contact_mode=self.rng.choice(["phone", "phone", "video", "in_person"]),
            availability=sorted(
                self.rng.sample(vocab.SLOTS, self.rng.randint(2, 8)), key=vocab.SLOTS.index
            ),
            referral_source=source,
            referred_on=referred,
            consent_on=referred,
            consent_method="online form" if source == "self-referral" else "verbal",
            consent_scope="contact about peer support; share with assigned volunteer",
            area=self.areas[area],
            created_at=self._at(referred, self.rng.uniform(9, 17)),
            **self._equality(tags, languages),
        )
        self.session.add(parent)
        return parent

    def _plan(self, kind: str, stage: str) -> _Plan:
        area = self._area_name()
        due, birth = self._dates_for(stage)
        if kind == "referred":
            referred = self.today - timedelta(days=self.rng.randint(0, 4))
        elif kind == "waiting":
            referred = self.today - timedelta(days=self.rng.randint(1, 30))
        else:
            referred = self._referred_on(due, birth, self.today - timedelta(days=20))
        parent = self._parent(area, due, birth, referred)
        if kind == "referred":
            parent.referral_source = "self-referral"
            parent.consent_method = "online form"
        case = Case(
            parent=parent,
            status=CaseStatus.REFERRED.value if kind == "referred" else CaseStatus.WAITING.value,
            area=self.areas[area],
            owner=self.coordinators[area],
            high_risk=self.rng.random() < 0.08,
            referred_at=parent.created_at,
            created_at=parent.created_at,
            updated_at=parent.created_at,
        )
        self.session.add(case)
        plan = _Plan(
            parent,
            case,
            area,
            kind,
            baseline=self.rng.choices([2, 3, 4, 5], [1, 4, 7, 4])[0],
            falling=self.rng.random() < 0.06,
        )
        self.plans.append(plan)
        return plan

    def build_parents(self, scale: int = 1) -> None:
        mix = (
            [("referred", "pregnancy")] * 3
            + [("referred", "postnatal")] * 2
            + [("waiting", "pregnancy")] * 14
            + [("waiting", "birth")] * 4
            + [("waiting", "postnatal")] * 12
            + [("active", "pregnancy")] * 52
            + [("active", "birth")] * 22
            + [("active", "overdue")] * 2
            + [("active", "postnatal")] * 80
            + [("active", "over")] * 1
            + [("closed", "postnatal")] * 20
            + [("closed", "pregnancy")] * 4
            + [("closed", "over")] * 10
        )
        for _ in range(scale):
            for kind, stage in mix:
                self._plan(kind, stage)

    # ------------------------------------------------------------------ assignments

    def _pick(self, plan: _Plan, at: date, *, closed: bool = False) -> _Vol | None:
        stage = stage_on(plan.parent.due_date, plan.parent.birth_date, at).value
        langs = set(plan.parent.languages)
        pool = [
            v
            for v in self.volunteers
            if v.area == plan.area
            and v.user.email != vocab.VOLUNTEER_EMAIL
            and (closed or v.profile.status == VolunteerStatus.ACTIVE)
            and (closed or v.open_cases < v.profile.max_caseload)
        ]
        if not pool:
            return None

        def fit(v: _Vol) -> tuple[int, int, float]:
            return (
                int(bool(langs & set(v.profile.languages))),
                int(stage in v.profile.stages),
                self.rng.random(),
            )

        return max(pool, key=fit)

    def _open(self, plan: _Plan, vol: _Vol, start: datetime) -> None:
        plan.history.append((vol, start, None, None))
        plan.case.status = CaseStatus.ACTIVE.value
        vol.open_cases += 1

    def build_assignments(self) -> None:
        active = [p for p in self.plans if p.kind == "active"]
        mine = [p for p in active if p.area == vocab.NORTH][:4]
        sam = next(v for v in self.volunteers if v.user.email == vocab.VOLUNTEER_EMAIL)
        paused = next(v for v in self.volunteers if v.profile.status == VolunteerStatus.PAUSED)
        for plan in active:
            referred = plan.parent.referred_on
            start_day = min(referred + timedelta(days=self.rng.randint(2, 12)), self.today - DAY)
            start = self._at(start_day, self.rng.uniform(9, 17))
            if plan in mine:
                self._open(plan, sam, start)
                continue
            # About one case in six had an earlier volunteer who stepped away.
            if self.rng.random() < 0.17 and (self.today - start_day).days > 30:
                former = self._pick(plan, start_day, closed=True)
                if former is not None:
                    switch = start_day + timedelta(
                        days=self.rng.randint(10, (self.today - start_day).days - 5)
                    )
                    ended = self._at(switch, 12)
                    reason = (
                        "Volunteer left the service"
                        if former.profile.status == VolunteerStatus.LEFT
                        else self.rng.choice(
                            ["Volunteer's circumstances changed", "Parent asked for a change"]
                        )
                    )
                    plan.history.append((former, start, ended, reason))
                    start = min(
                        ended + timedelta(days=self.rng.randint(1, 6)),
                        self.now - timedelta(hours=3),
                    )
            if paused.open_cases == 0 and plan.area == paused.area:
                self._open(plan, paused, start)  # a paused volunteer still holding a case
                continue
            vol = self._pick(plan, local_date(start))
            if vol is None:
                plan.kind = "waiting"  # nobody free: on the waiting list, history kept
                plan.case.status = CaseStatus.WAITING.value
                continue
            self._open(plan, vol, start)
        for plan in (p for p in self.plans if p.kind == "closed"):
            referred = plan.parent.referred_on
            start_day = referred + timedelta(days=self.rng.randint(3, 14))
            closed_day = min(
                start_day + timedelta(days=self.rng.randint(20, 400)), self.today - DAY
            )
            if plan.parent.birth_date and closed_day > plan.parent.birth_date + timedelta(730):
                reason = "support_completed"  # the 1001 days are over
            else:
                reason = self.rng.choice(vocab.CLOSE_REASONS)
            closed_at = self._at(closed_day, 15)
            vol = self._pick(plan, start_day, closed=True)
            if vol is not None and closed_day > start_day:
                plan.history.append((vol, self._at(start_day, 11), closed_at, "Case closed"))
            plan.case.status = CaseStatus.CLOSED.value
            plan.case.closed_at = closed_at
            plan.case.close_reason = reason
            plan.case.updated_at = closed_at
        for plan in self.plans:
            for vol, start, end, why in plan.history:
                self.session.add(
                    Assignment(
                        case=plan.case,
                        volunteer=vol.user,
                        assigned_by=self.coordinators[plan.area],
                        started_at=start,
                        ended_at=end,
                        end_reason=why,
                    )
                )

    # ------------------------------------------------------------------ check-ins

    def _notes(self, successful: bool, concerns: list[str], topics: list[str]) -> str:
        if not successful:
            return self.rng.choice(
                [
                    "No answer. Left a voicemail and sent a text.",
                    "Phone went to voicemail. Will try again later in the week.",
                    "Texted to rearrange; no reply yet.",
                ]
            )
        words = {
            "birth": "the birth plan",
            "feelings": "how she is feeling",
            "relationships": "family",
            "baby_development": "how the baby is doing",
            "local_services": "local groups",
            "practical": "money and housing",
        }
        talk = ", ".join(words.get(t, t) for t in topics) or "how the week went"
        line = f"Talked about {talk}."
        if Concern.LOW_MOOD in concerns:
            line += " She said she has been feeling low and tearful most days."
        if Concern.ANXIETY in concerns:
            line += " Worried a lot; finding it hard to switch off at night."
        if Concern.FEEDING in concerns:
            line += " Feeding is hard going; suggested the local feeding group."
        if Concern.MONEY_HOUSING in concerns:
            line += " Money is tight; shared the food bank and housing advice details."
        if Concern.SAFEGUARDING in concerns:
            line += " Something she said worried me; passed to the coordinator straight away."
        if not concerns:
            line += self.rng.choice(
                [
                    " Sounded more settled this week.",
                    " Enjoying the baby group.",
                    " Partner back at work, getting into a routine.",
                    " Looking forward to the next midwife appointment.",
                    "",
                ]
            )
        return line

    def build_checkins(self) -> None:
        window_start = self.now - CHECKIN_WINDOW
        for plan in self.plans:
            for vol, start, end, _ in plan.history:
                period_end = min(end or self.now, self.now)
                t = max(start, window_start) + timedelta(days=self.rng.uniform(1, 8))
                mood = float(plan.baseline)
                while t < period_end - timedelta(hours=2):
                    at = self._at(local_date(t), self.rng.uniform(9, 19.5))  # daytime calls
                    if not start < at < period_end:
                        at = t
                    self._checkin(plan, vol, at, mood)
                    if plan.falling:
                        mood -= 0.35
                    t += timedelta(days=self.rng.uniform(5, 14))
        self._mark_drafts_and_deletions()
        self._add_serious_concerns()
        self.session.add_all(self.checkins)

    def _checkin(self, plan: _Plan, vol: _Vol, at: datetime, mood: float) -> None:
        day = local_date(at)
        successful = self.rng.random() < 0.85
        wellbeing = bonding = None
        concerns: list[str] = []
        topics: list[str] = []
        whooley_down = whooley_interest = None
        if successful:
            wellbeing = max(1, min(5, round(mood + self.rng.choice([-1, 0, 0, 0, 1]))))
            birth = plan.parent.birth_date
            if birth is not None and birth <= day:
                bonding = max(1, min(5, wellbeing + self.rng.choice([-1, 0, 0, 1])))
            topics = self.rng.sample(vocab.TOPICS, self.rng.randint(1, 3))
            if wellbeing <= 2 and self.rng.random() < 0.3:
                concerns.append(Concern.LOW_MOOD.value)
                whooley_down, whooley_interest = True, self.rng.random() < 0.5
            elif self.rng.random() < 0.06:
                concerns.append(
                    self.rng.choice(
                        [Concern.ANXIETY, Concern.FEEDING, Concern.MONEY_HOUSING, Concern.FEEDING]
                    ).value
                )
        submitted = min(at + timedelta(minutes=self.rng.randint(5, 240)), self.now)
        self.checkins.append(
            CheckIn(
                case=plan.case,
                volunteer=vol.user,
                occurred_at=at,
                mode=self.rng.choice(["phone", "phone", "phone", "video", "in_person", "text"]),
                duration_min=self.rng.randint(15, 60) if successful else self.rng.randint(0, 3),
                successful=successful,
                wellbeing=wellbeing,
                bonding=bonding,
                whooley_down=whooley_down,
                whooley_interest=whooley_interest,
                topics=topics,
                concerns=concerns,
                coordinator_today=False,
                notes=self._notes(successful, concerns, topics),
                status=CheckInStatus.SUBMITTED.value,
                created_at=at,
                updated_at=submitted,
                submitted_at=submitted,
            )
        )

    def _latest_open(self) -> dict[int, CheckIn]:
        """The latest check-in of each case's current volunteer (keyed by id of the case)."""
        latest: dict[int, CheckIn] = {}
        open_pairs = {
            (id(p.case), id(v.user)) for p in self.plans for v, _, e, _ in p.history if e is None
        }
        for c in self.checkins:
            key = id(c.case)
            if (key, id(c.volunteer)) in open_pairs and (
                key not in latest or c.occurred_at > latest[key].occurred_at
            ):
                latest[key] = c
        return latest

    def _mark_drafts_and_deletions(self) -> None:
        latest = list(self._latest_open().values())
        sams = [c for c in latest if c.volunteer.email == vocab.VOLUNTEER_EMAIL]
        others = [c for c in latest if c.volunteer.email != vocab.VOLUNTEER_EMAIL]
        for c in sams[:1] + self.rng.sample(others, min(8, len(others))):
            # drafts waiting to be finished, some of them stale
            c.status = CheckInStatus.DRAFT.value
            c.submitted_at = None
            c.updated_at = min(c.occurred_at + timedelta(minutes=20), self.now)
        for c in self.rng.sample(self.checkins, 6):
            if c.status != CheckInStatus.SUBMITTED:
                continue
            c.status = CheckInStatus.DELETED.value  # recorded on the wrong parent, say
            c.deleted_at = min(c.updated_at + timedelta(hours=1), self.now)
            c.deleted_by = c.volunteer
            c.submitted_at = None
            c.updated_at = c.deleted_at

    def _add_serious_concerns(self) -> None:
        recent = sorted(
            (
                c
                for c in self.checkins
                if c.status == CheckInStatus.SUBMITTED
                and c.successful
                and c.volunteer.email != vocab.VOLUNTEER_EMAIL
                and c.occurred_at > self.now - timedelta(days=20)
            ),
            key=lambda c: c.occurred_at,
        )
        picks = self.rng.sample(recent, min(2, len(recent)))
        for c, concern in zip(picks, [Concern.SAFEGUARDING, Concern.DOMESTIC_ABUSE], strict=False):
            c.concerns = [concern.value]
            c.coordinator_today = True
            c.wellbeing = 2
            c.notes = self._notes(True, [Concern.SAFEGUARDING.value], c.topics)

    # ------------------------------------------------------------------ all together

    def build(self, volunteers: int = 39, scale: int = 1) -> dict[str, int]:
        """The demo service; ``scale`` times the parents and volunteers (x1 is the demo
        people try, always the same for the same seed; x10 and x50 are for bench/web.py)."""
        self.build_areas_and_staff()
        self.build_volunteers(volunteers * scale)
        self.build_parents(scale)
        self.build_assignments()
        self.build_checkins()
        self.session.add(
            AuditEvent(at=self.now, action="demo.seeded", object_type="demo", detail="flask seed")
        )
        self.session.flush()
        statuses = Counter(p.case.status for p in self.plans)
        return {
            "volunteers": len(self.volunteers),
            "parents": len(self.plans),
            "active cases": statuses[CaseStatus.ACTIVE],
            "waiting": statuses[CaseStatus.WAITING] + statuses[CaseStatus.REFERRED],
            "closed": statuses[CaseStatus.CLOSED],
            "check-ins": len(self.checkins),
        }


def build_demo(
    session: SessionLike, now: datetime, seed: int = 1001, scale: int = 1
) -> dict[str, int]:
    """Add the demo service (``scale`` times its people); returns what was added. Flushes,
    never commits."""
    return DemoBuilder(session, now, seed).build(scale=scale)
