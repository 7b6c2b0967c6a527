"""Batch look-ups shared by the printouts: targets, earlier visits, open problems, team members.

Each function takes many ids and runs one query per chunk, so 60 route sheets cost a handful
of queries rather than thousands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from gisplanner.reporting.printouts.common import PrintContext
from gisplanner.reporting.printouts.plan_order import chunked
from gisplanner.store.database import Store
from gisplanner.store.model import (
    CLOSED_STATUSES,
    OUTCOME_ZH,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUS_ZH,
    TARGET_KIND_ZH,
    Area,
    Cadre,
    Problem,
    Target,
    Team,
    TeamMember,
    Unit,
    Visit,
)
from gisplanner.store.vocab import TargetKind

ROLE_ZH = {"leader": "组长", "member": "组员"}
GENDER_ZH = {"M": "男", "F": "女"}


@dataclass
class TargetInfo:
    """A household / enterprise / notable person as printed (phone already masked or not)."""

    id: int
    kind: str
    kind_zh: str
    name: str
    address: str
    building: str
    unit_no: str
    phone: str
    members: int | None
    tags: list[str]
    lon: float
    lat: float
    area_id: int
    area_name: str
    contact: str = ""
    credit_code: str = ""
    industry: str = ""
    title: str = ""

    @property
    def full_address(self) -> str:
        """Address with building and unit (楼栋/单元室) when they add something."""
        parts = [self.address]
        for extra in (self.building, self.unit_no):
            if extra and extra not in self.address:
                parts.append(extra)
        return " ".join(p for p in parts if p)


@dataclass
class MemberInfo:
    name: str
    role: str
    gender: str
    local: bool
    phone: str
    unit: str


@dataclass
class TeamInfo:
    id: int
    name: str
    phone: str  # the team's contact phone (printed for households on contact cards)
    office_area_id: int | None
    office_name: str
    office_lon: float | None
    office_lat: float | None
    members: list[MemberInfo] = field(default_factory=list)

    @property
    def member_names(self) -> str:
        return "、".join(m.name for m in self.members)


def targets(store: Store, ids, ctx: PrintContext) -> dict[int, TargetInfo]:
    out: dict[int, TargetInfo] = {}
    with store.session() as s:
        for chunk in chunked(set(ids)):
            rows = s.execute(
                select(Target, Area.name).join(Area, Area.id == Target.area_id).where(Target.id.in_(chunk))
            ).all()
            for t, area_name in rows:
                out[t.id] = TargetInfo(
                    id=t.id, kind=t.kind, kind_zh=TARGET_KIND_ZH.get(t.kind, t.kind), name=t.name,
                    address=t.address or "", building=t.building or "", unit_no=t.unit_no or "",
                    phone=ctx.phone(t.phone), members=t.members, tags=_tags(t), lon=t.lon, lat=t.lat,
                    area_id=t.area_id, area_name=area_name, contact=t.contact or "",
                    credit_code=t.credit_code or "", industry=t.industry or "", title=t.title or "",
                )  # fmt: skip
    return out


def _tags(t: Target) -> list[str]:
    tags = list(t.tags)
    if t.kind == TargetKind.ENTERPRISE and t.key_enterprise:
        tags.append("重点企业")
    return tags


def visit_history(
    store: Store, ids, before: dt.datetime | None = None, keep: int = 3
) -> dict[int, list[str]]:
    """Per target the last `keep` visits before `before`, as short lines: '10-03 不在家'."""
    hist: dict[int, list[tuple[dt.datetime, str]]] = {}
    with store.session() as s:
        for chunk in chunked(set(ids)):
            q = select(Visit.target_id, Visit.visited_at, Visit.outcome).where(Visit.target_id.in_(chunk))
            if before is not None:
                q = q.where(Visit.visited_at < before)
            for tid, at, outcome in s.execute(q.order_by(Visit.visited_at)).all():
                hist.setdefault(tid, []).append((at, outcome))
    return {
        tid: [f"{at:%m-%d} {OUTCOME_ZH.get(o, o)}" for at, o in rows[-keep:]] for tid, rows in hist.items()
    }


@dataclass
class ProblemInfo:
    id: int
    target_id: int
    category: str
    description: str
    status: str
    handling: str
    unit: str
    deadline: dt.date | None
    created_at: dt.datetime
    round_id: int | None

    @property
    def open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def short(self) -> str:
        desc = self.description if len(self.description) <= 18 else self.description[:17] + "…"
        return f"{self.category}：{desc}（{self.status}）"


def problems(
    store: Store, ids, *, open_only: bool = True, round_id: int | None = None
) -> dict[int, list[ProblemInfo]]:
    """Problems per target: the open ones, plus (with `round_id`) everything raised in that round."""
    out: dict[int, list[ProblemInfo]] = {}
    with store.session() as s:
        for chunk in chunked(set(ids)):
            q = (
                select(Problem, Unit.name)
                .outerjoin(Unit, Unit.id == Problem.unit_id)
                .where(Problem.target_id.in_(chunk))
                .order_by(Problem.created_at, Problem.id)
            )
            for p, unit_name in s.execute(q).all():
                if open_only and p.status in CLOSED_STATUSES and (round_id is None or p.round_id != round_id):
                    continue
                out.setdefault(p.target_id, []).append(
                    ProblemInfo(
                        id=p.id,
                        target_id=p.target_id,
                        category=PROBLEM_CATEGORIES.get(p.category, p.category),
                        description=p.description,
                        status=PROBLEM_STATUS_ZH.get(p.status, p.status),
                        handling=p.handling,
                        unit=unit_name or "",
                        deadline=p.deadline,
                        created_at=p.created_at,
                        round_id=p.round_id,
                    )  # fmt: skip
                )
    return out


def teams(store: Store, ids, ctx: PrintContext) -> dict[int, TeamInfo]:
    out: dict[int, TeamInfo] = {}
    with store.session() as s:
        for chunk in chunked(set(ids)):
            rows = s.execute(
                select(Team, Area).outerjoin(Area, Area.id == Team.office_area_id).where(Team.id.in_(chunk))
            ).all()
            for team, area in rows:
                office = ""
                if area is not None:
                    office = area.office_name or f"{area.name}{'居委会' if area.urban else '村委会'}"
                out[team.id] = TeamInfo(
                    id=team.id, name=team.name, phone=team.phone or "", office_area_id=team.office_area_id,
                    office_name=office, office_lon=area.office_lon if area else None,
                    office_lat=area.office_lat if area else None,
                )  # fmt: skip
            mrows = s.execute(
                select(TeamMember.team_id, TeamMember.role, Cadre, Unit.name)
                .join(Cadre, Cadre.id == TeamMember.cadre_id)
                .outerjoin(Unit, Unit.id == Cadre.unit_id)
                .where(TeamMember.team_id.in_(chunk))
                .order_by(TeamMember.team_id, TeamMember.id)
            ).all()
            for team_id, role, c, unit_name in mrows:
                out[team_id].members.append(
                    MemberInfo(
                        name=c.name,
                        role=ROLE_ZH.get(role, role),
                        gender=GENDER_ZH.get(c.gender, c.gender),
                        local=c.is_local,
                        phone=ctx.phone(c.phone),
                        unit=unit_name or "",
                    )  # fmt: skip
                )
    for t in out.values():
        t.members.sort(key=lambda m: m.role != "组长")
    return out


def team_contact_phone(store: Store, team_id: int) -> str:
    """The phone a household can call: the team's own, else its leader's (never masked: it is for calling)."""
    with store.session() as s:
        team = s.get(Team, team_id)
        if team is None:
            return ""
        if team.phone:
            return team.phone
        for m in sorted(team.members, key=lambda m: m.role != "leader"):
            if m.cadre.phone:
                return m.cadre.phone
    return ""
