"""The schema: SQLAlchemy 2 typed ORM, one schema for SQLite and PostgreSQL.

Coordinates are WGS84 lon/lat; area boundaries are WKB (shapely) so no spatial extension
is needed. Schema changes go through Alembic (gisplanner/store/migrations).

Length: the whole schema in one place on purpose, so a migration is checked against one file.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy import false as sa_false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

# the vocabularies live in gisplanner.store.vocab; re-exported here for the ORM's callers
from gisplanner.store.vocab import (  # noqa: F401
    CLOSED_STATUSES,
    AreaLevel,
    Outcome,
    ProblemStatus,
    RoundKind,
    RoundStatus,
    SessionKind,
    TargetKind,
    check_in,
    checked,
)

# Stable constraint names so Alembic migrations work the same on both backends.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


AREA_LEVEL_ZH = AreaLevel.labels()


class Area(Base):
    """An administrative area (行政区划) with its boundary and office point (村委会/居委会)."""

    __tablename__ = "area"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # 12-digit 统计用区划代码 or own
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)
    urban: Mapped[bool] = mapped_column(Boolean, default=False)  # 社区 (urban) vs 村 (rural)
    boundary: Mapped[bytes | None] = mapped_column(LargeBinary)  # WKB, WGS84
    office_lon: Mapped[float | None] = mapped_column(Float)
    office_lat: Mapped[float | None] = mapped_column(Float)
    office_name: Mapped[str | None] = mapped_column(String(100))
    # the outline was derived from the households (Voronoi cells per village), not from a boundary file
    derived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    parent: Mapped[Area | None] = relationship(remote_side="Area.id", back_populates="children")
    children: Mapped[list[Area]] = relationship(back_populates="parent")
    __mapper_args__ = {"version_id_col": version}


class Road(Base):
    """A road polyline (WKB, WGS84). kind: the demo's 'main'/'lane', or the OpenStreetMap highway
    class ('residential', 'footway', 'track' …) of an imported network; which kinds walkers and
    e-bikes may use is :mod:`gisplanner.routing.roadclass`."""

    __tablename__ = "road"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30), default="lane")
    geometry: Mapped[bytes] = mapped_column(LargeBinary)
    # 'osm': ways meet only at shared nodes (a bridge crosses a road without a junction);
    # anything else (the demo, an office's line file) is joined where lines cross or nearly touch
    source: Mapped[str | None] = mapped_column(String(20))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"), index=True)  # the town


TARGET_KIND_ZH = TargetKind.labels()

# Household tags: column name -> Chinese label. Special groups (特殊群体) are the 重点访 targets.
HOUSEHOLD_TAGS = {
    "elderly_alone": "独居老人",
    "disabled": "残疾",
    "hardship": "困难家庭",
    "away_business": "常年在外经商",
    "ex_serviceman": "退役军人",
    "new_resident": "新居民",
}
SPECIAL_GROUP_TAGS = ("elderly_alone", "disabled", "hardship")


class Target(Base):
    """Someone visited: single-table inheritance over household, enterprise, notable person."""

    __tablename__ = "target"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), index=True)
    ext_id: Mapped[str | None] = mapped_column(String(64))  # the source file's own id (upsert key)
    name: Mapped[str] = mapped_column(String(200))  # head of household / enterprise / person
    address: Mapped[str | None] = mapped_column(String(300))
    building: Mapped[str | None] = mapped_column(String(100))  # building key: same key = same building
    unit_no: Mapped[str | None] = mapped_column(String(50))  # 单元/室
    phone: Mapped[str | None] = mapped_column(String(30))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)  # the village
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    # household
    members: Mapped[int | None] = mapped_column(Integer)
    elderly_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    hardship: Mapped[bool] = mapped_column(Boolean, default=False)
    away_business: Mapped[bool] = mapped_column(Boolean, default=False)
    ex_serviceman: Mapped[bool] = mapped_column(Boolean, default=False)
    new_resident: Mapped[bool] = mapped_column(Boolean, default=False)
    # enterprise
    credit_code: Mapped[str | None] = mapped_column(String(18))
    contact: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    key_enterprise: Mapped[bool] = mapped_column(Boolean, default=False)
    # notable person (名士)
    title: Mapped[str | None] = mapped_column(String(200))

    area: Mapped[Area] = relationship()
    __table_args__ = (
        UniqueConstraint("kind", "ext_id", name="uq_target_kind_ext_id"),
        CheckConstraint(check_in("kind", TargetKind), name="kind"),
    )
    __mapper_args__ = {"polymorphic_on": kind, "polymorphic_identity": "target", "version_id_col": version}

    @validates("kind")
    def _check_kind(self, _key, value):
        if value == "target":  # the base class's identity, set before an explicit kind= (CHECK refuses it)
            return value
        return checked(TargetKind, value, "target.kind").value

    @property
    def tags(self) -> list[str]:
        return [zh for col, zh in HOUSEHOLD_TAGS.items() if getattr(self, col)]

    @property
    def special_group(self) -> bool:
        return any(getattr(self, c) for c in SPECIAL_GROUP_TAGS)


class Household(Target):
    """群众家庭 (户)."""

    __mapper_args__ = {"polymorphic_identity": "household"}


class Enterprise(Target):
    """企业."""

    __mapper_args__ = {"polymorphic_identity": "enterprise"}


class NotablePerson(Target):
    """名士: experts, entrepreneurs, retired officials."""

    __mapper_args__ = {"polymorphic_identity": "notable"}


SESSION_KINDS = SessionKind.values()
SESSION_KIND_ZH = SessionKind.labels()
ALL_SESSION_KINDS = ",".join(SESSION_KINDS)


def normalize_kinds(value) -> str:
    """'weekend, evening' / ['evening'] -> 'evening,weekend'; unknown kinds raise ValueError."""
    items = value.split(",") if isinstance(value, str) else list(value)
    have = {str(k).strip() for k in items if str(k).strip()}
    bad = have - set(SESSION_KINDS)
    if bad:
        raise ValueError(f"未知的走访时段类型：{'、'.join(sorted(bad))}（可用：{'、'.join(SESSION_KINDS)}）")
    return ",".join(k for k in SESSION_KINDS if k in have)


class Unit(Base):
    """A work unit or department (单位/部门) — cadres belong to one; problems are handled by one."""

    __tablename__ = "unit"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    level: Mapped[str] = mapped_column(String(10))  # village / town / district / city
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    phone: Mapped[str | None] = mapped_column(String(30))


class Cadre(Base):
    """干部: a visitor."""

    __tablename__ = "cadre"
    id: Mapped[int] = mapped_column(primary_key=True)
    ext_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    gender: Mapped[str] = mapped_column(String(1))  # 'M' / 'F'
    birth_year: Mapped[int] = mapped_column(Integer)
    is_local: Mapped[bool] = mapped_column(Boolean, default=True)
    dialects: Mapped[str | None] = mapped_column(String(100))  # comma separated, e.g. 常州话
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    phone: Mapped[str | None] = mapped_column(String(30))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    # 可走访时段: the session kinds (SessionKind) the cadre can do, comma separated
    avail_kinds: Mapped[str] = mapped_column(
        String(40), default=ALL_SESSION_KINDS, server_default=ALL_SESSION_KINDS
    )
    home_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))  # home village (熟悉的村)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))  # the town the cadre serves
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    unit: Mapped[Unit | None] = relationship()
    leaves: Mapped[list[CadreLeave]] = relationship(
        back_populates="cadre", cascade="all, delete-orphan", order_by="CadreLeave.start_date"
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def kinds(self) -> tuple[str, ...]:
        """The session kinds this cadre can do, in SessionKind order."""
        if self.avail_kinds is None:  # not flushed yet: the column default
            return SESSION_KINDS
        have = {k.strip() for k in self.avail_kinds.split(",")}
        return tuple(k for k in SESSION_KINDS if k in have)

    @kinds.setter
    def kinds(self, value) -> None:
        self.avail_kinds = normalize_kinds(value)

    # The old two flags, derived from avail_kinds (kept so older callers read and write them).
    @hybrid_property
    def avail_weekday_evening(self) -> bool:
        return "evening" in self.kinds

    @avail_weekday_evening.inplace.setter
    def _set_evening(self, value: bool) -> None:
        self._set_kind("evening", value)

    @avail_weekday_evening.inplace.expression
    @classmethod
    def _evening_expr(cls):
        return cls.avail_kinds.contains("evening")

    @hybrid_property
    def avail_weekend(self) -> bool:
        return "weekend" in self.kinds

    @avail_weekend.inplace.setter
    def _set_weekend(self, value: bool) -> None:
        self._set_kind("weekend", value)

    @avail_weekend.inplace.expression
    @classmethod
    def _weekend_expr(cls):
        return cls.avail_kinds.contains("weekend")

    def _set_kind(self, kind: str, on: bool) -> None:
        have = set(self.kinds)
        have.add(kind) if on else have.discard(kind)
        self.avail_kinds = normalize_kinds(have)

    def on_leave(self, day: dt.date) -> bool:
        return any(lv.start_date <= day <= lv.end_date for lv in self.leaves)


class CadreLeave(Base):
    """请假: a cadre's leave, inclusive dates; the cadre does no session on those days."""

    __tablename__ = "cadre_leave"
    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id", ondelete="CASCADE"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(100))

    cadre: Mapped[Cadre] = relationship(back_populates="leaves")
    __table_args__ = (CheckConstraint("end_date >= start_date", name="leave_dates"),)


ROUND_KIND_ZH = RoundKind.labels()
ROUND_STATUS_ZH = RoundStatus.labels()


class Round(Base):
    """走访轮次: a round of visits over a scope area."""

    __tablename__ = "round"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10), default=RoundKind.REGULAR.value)
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.PLANNING.value)
    scope_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    parent_round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    sessions: Mapped[list[VisitSession]] = relationship(back_populates="round", order_by="VisitSession.start")
    teams: Mapped[list[Team]] = relationship(back_populates="round")
    __table_args__ = (
        CheckConstraint(check_in("kind", RoundKind), name="kind"),
        CheckConstraint(check_in("status", RoundStatus), name="status"),
    )
    __mapper_args__ = {"version_id_col": version}

    @validates("kind")
    def _check_kind(self, _key, value):
        return checked(RoundKind, value, "round.kind").value

    @validates("status")
    def _check_status(self, _key, value):
        return checked(RoundStatus, value, "round.status").value


class VisitSession(Base):
    """A visiting session (错时走访): a date with start and end time, e.g. Sat 09:00–11:30."""

    __tablename__ = "visit_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    label: Mapped[str | None] = mapped_column(String(50))
    start: Mapped[dt.datetime] = mapped_column(DateTime)
    end: Mapped[dt.datetime] = mapped_column(DateTime)
    holiday: Mapped[bool] = mapped_column(Boolean, default=False)
    kind: Mapped[str] = mapped_column(String(10), default="evening", server_default="evening")  # SessionKind
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    round: Mapped[Round] = relationship(back_populates="sessions")
    team_links: Mapped[list[SessionTeam]] = relationship(cascade="all, delete-orphan")
    __table_args__ = (
        CheckConstraint(check_in("kind", SessionKind), name="kind"),
        CheckConstraint('"end" > start', name="times"),
    )
    __mapper_args__ = {"version_id_col": version}

    @validates("kind")
    def _check_kind(self, _key, value):
        return checked(SessionKind, value, "visit_session.kind").value

    @property
    def team_ids(self) -> list[int]:
        """Teams this session is marked for; empty: every team of the round."""
        return sorted(link.team_id for link in self.team_links)


class SessionTeam(Base):
    """A session marked for a team (only the marked teams go out in it)."""

    __tablename__ = "session_team"
    session_id: Mapped[int] = mapped_column(
        ForeignKey("visit_session.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(
        ForeignKey("team.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CalendarDay(Base):
    """A manual override of the official holiday calendar: this date is a working day or not."""

    __tablename__ = "calendar_day"
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(100))


class Team(Base):
    """走访小组 for a round; starts and ends its sessions at `office_area_id`'s office."""

    __tablename__ = "team"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    office_area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    phone: Mapped[str | None] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    round: Mapped[Round] = relationship(back_populates="teams")
    members: Mapped[list[TeamMember]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="TeamMember.id"
    )
    __mapper_args__ = {"version_id_col": version}


class TeamMember(Base):
    __tablename__ = "team_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")  # leader / member

    team: Mapped[Team] = relationship(back_populates="members")
    cadre: Mapped[Cadre] = relationship()


class Assignment(Base):
    """A target in a round, and the team that visits it (None: not yet assigned)."""

    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"), index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher = dropped last
    reason: Mapped[str | None] = mapped_column(String(100))  # why this target is in the round
    __table_args__ = (UniqueConstraint("round_id", "target_id", name="uq_assignment_round_target"),)


class Route(Base):
    """One team's route in one session."""

    __tablename__ = "route"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("visit_session.id", ondelete="CASCADE"))
    walking_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    stops: Mapped[list[RouteStop]] = relationship(
        back_populates="route", cascade="all, delete-orphan", order_by="RouteStop.seq"
    )


class RouteStop(Base):
    __tablename__ = "route_stop"
    id: Mapped[int] = mapped_column(primary_key=True)
    route_id: Mapped[int] = mapped_column(ForeignKey("route.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1-based order on the sheet
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"))
    eta: Mapped[dt.datetime] = mapped_column(DateTime)
    window_start: Mapped[dt.datetime | None] = mapped_column(DateTime)
    window_end: Mapped[dt.datetime | None] = mapped_column(DateTime)
    service_minutes: Mapped[int] = mapped_column(Integer, default=20)
    code: Mapped[str | None] = mapped_column(String(12))  # short household code printed on the sheet

    route: Mapped[Route] = relationship(back_populates="stops")
    target: Mapped[Target] = relationship()


OUTCOME_ZH = Outcome.labels()


class Visit(Base):
    """A visit made (or attempted) to a target, with the 民情日记 note and survey answers."""

    __tablename__ = "visit"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id", ondelete="SET NULL"))
    visited_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    notes: Mapped[str | None] = mapped_column(Text)
    survey: Mapped[str | None] = mapped_column(Text)  # JSON answers of the 入户调查表
    planned: Mapped[bool] = mapped_column(Boolean, default=True)
    entered_by: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    visitors: Mapped[str | None] = mapped_column(String(100))  # who went (走访人)
    appointment_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # 约定回访时间
    stop_code: Mapped[str | None] = mapped_column(String(12))  # the sheet's household code it answers

    target: Mapped[Target] = relationship()
    __table_args__ = (CheckConstraint(check_in("outcome", Outcome), name="outcome"),)

    @validates("outcome")
    def _check_outcome(self, _key, value):
        return checked(Outcome, value, "visit.outcome").value


PROBLEM_STATUS_ZH = ProblemStatus.labels()

# The eight policy areas of the service mini-program, plus the everyday categories.
PROBLEM_CATEGORIES = {
    "agriculture": "农村农业",
    "employment": "就业创业",
    "talent": "人才政策",
    "poverty_disability": "帮困助残",
    "education": "教育就学",
    "health": "医疗卫生",
    "social_security": "社会保障",
    "elderly_care": "养老服务",
    "transport": "交通出行",
    "environment": "环境卫生",
    "public_safety": "社会治安",
    "housing": "住房与基础设施",
    "other": "其他",
}
HANDLING_ZH = {"self": "本级办理", "assign": "交办", "delegate": "委托办理"}


class Problem(Base):
    """A problem raised (问题诉求), followed until the household has an answer."""

    __tablename__ = "problem"
    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"), index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"))
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(Text)
    handling: Mapped[str] = mapped_column(
        String(10), default="self"
    )  # self / assign (交办) / delegate (委托)
    level: Mapped[str] = mapped_column(String(10), default="village")  # who handles: village..city
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    status: Mapped[str] = mapped_column(String(15), default=ProblemStatus.OPEN.value, index=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    reply: Mapped[str | None] = mapped_column(Text)  # the answer given to the household
    solved_on_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # 电话回访
    satisfaction: Mapped[str | None] = mapped_column(String(20))  # satisfied / basically / unsatisfied
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str | None] = mapped_column(String(63))  # who saved last (conflict dialogs)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    target: Mapped[Target] = relationship()
    unit: Mapped[Unit | None] = relationship()
    events: Mapped[list[ProblemEvent]] = relationship(back_populates="problem", order_by="ProblemEvent.id")
    __table_args__ = (CheckConstraint(check_in("status", ProblemStatus), name="status"),)
    __mapper_args__ = {"version_id_col": version}

    @validates("status")
    def _check_status(self, _key, value):
        return checked(ProblemStatus, value, "problem.status").value


class ProblemEvent(Base):
    """Append-only audit of every change to a problem: never updated, never deleted."""

    __tablename__ = "problem_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(50))
    action: Mapped[str] = mapped_column(String(20))  # create / status / assign / escalate / reply / callback
    from_status: Mapped[str | None] = mapped_column(String(15))
    to_status: Mapped[str | None] = mapped_column(String(15))
    note: Mapped[str | None] = mapped_column(Text)

    problem: Mapped[Problem] = relationship(back_populates="events")


class PrintLog(Base):
    """Every print is logged: who printed what, how many pages."""

    __tablename__ = "print_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(50))
    what: Mapped[str] = mapped_column(String(200))
    pages: Mapped[int] = mapped_column(Integer)
    unmasked: Mapped[bool] = mapped_column(Boolean, default=False)


class Setting(Base):
    """Small key/value settings that belong to the database (e.g. remembered import mappings)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


Index("ix_visit_target_time", Visit.target_id, Visit.visited_at)
Index("ix_visit_round_stop", Visit.round_id, Visit.target_id, Visit.stop_code)
Index("ix_target_area_kind", Target.area_id, Target.kind)
Index("ix_assignment_round", Assignment.round_id)


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(ProblemEvent, "before_update")
def _no_event_update(mapper, connection, target):  # noqa: ARG001
    raise AppendOnlyError("问题办理记录只能追加，不能修改")


@event.listens_for(ProblemEvent, "before_delete")
def _no_event_delete(mapper, connection, target):  # noqa: ARG001
    raise AppendOnlyError("问题办理记录只能追加，不能删除")
