"""Survey forms: the household survey form (入户调查表) and the village survey form (村/社区调查表).

Two of the 五个一 each team fills in. Household forms come in plan order, one per household
(or enterprise / notable person) of the round; a village form for every village the round
visits, with what the database already knows printed so the team only adds what is new.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from gisplanner.progress import Progress, check
from gisplanner.reporting.printouts import details
from gisplanner.reporting.printouts.common import PrintContext
from gisplanner.reporting.printouts.plan_order import chunked, planned_visits, round_name
from gisplanner.store.database import Store
from gisplanner.store.model import (
    CLOSED_STATUSES,
    HOUSEHOLD_TAGS,
    PROBLEM_CATEGORIES,
    ROUND_KIND_ZH,
    Area,
    Problem,
    Target,
    Visit,
)
from gisplanner.store.vocab import Outcome

# Questions of the household form: (section, [question, ...]); each gets a line to write on.
HOUSEHOLD_QUESTIONS = (
    ("家庭基本情况", ("常住人口及就业情况", "主要收入来源", "家庭成员健康状况")),
    (
        "民生需求",
        ("养老、医疗、社保方面的需求", "子女就学、就业创业方面的需求", "住房、出行、环境方面的问题"),
    ),
    ("意见建议", ("对村（社区）、镇（街道）工作的意见建议", "希望政府帮助解决的问题")),
)
VILLAGE_QUESTIONS = (
    "村（社区）基本情况及主要产业",
    "群众反映集中的问题",
    "重点人群（独居老人、残疾、困难家庭）帮扶情况",
    "安全隐患及矛盾纠纷",
    "对上级工作的意见建议",
)
SATISFACTION = ("满意", "基本满意", "不满意")


@dataclass
class HouseholdForm:
    round_name: str
    team_name: str
    code: str
    seq: int
    target: details.TargetInfo
    history: list[str]
    open_problems: list[str]
    categories: tuple[str, ...] = tuple(PROBLEM_CATEGORIES.values())


@dataclass
class VillageForm:
    round_name: str
    area_name: str
    area_code: str
    kind_zh: str  # 村 / 社区
    office_name: str
    town_name: str
    households: int
    enterprises: int
    notables: int
    tag_counts: dict[str, int]
    round_targets: int
    visited_last_round: int  # targets with an in-person visit (见面) before this round
    open_problems: dict[str, int]  # category (zh) -> open problems
    teams: list[str] = field(default_factory=list)
    questions: tuple[str, ...] = VILLAGE_QUESTIONS


def build_household_forms(
    store: Store, round_id: int, ctx: PrintContext | None = None, *, progress: Progress | None = None
) -> list[HouseholdForm]:
    ctx = ctx or PrintContext()
    rname, _ = round_name(store, round_id)
    plan = planned_visits(store, round_id, ctx.only)
    check(progress, 0.2, "读取住户")
    ids = [p.target_id for p in plan]
    tinfo = details.targets(store, ids, ctx)
    hist = details.visit_history(store, ids)
    probs = details.problems(store, ids)
    tnames = {t.id: t.name for t in details.teams(store, {p.team_id for p in plan}, ctx).values()}
    return [
        HouseholdForm(
            round_name=rname,
            team_name=tnames.get(p.team_id, ""),
            code=p.code,
            seq=p.seq,
            target=tinfo[p.target_id],
            history=hist.get(p.target_id, []),
            open_problems=[x.short for x in probs.get(p.target_id, [])],
        )  # fmt: skip
        for p in plan
        if p.target_id in tinfo
    ]


def build_village_forms(
    store: Store, round_id: int, ctx: PrintContext | None = None, *, progress: Progress | None = None
) -> list[VillageForm]:
    ctx = ctx or PrintContext()
    rname, rkind = round_name(store, round_id)
    plan = planned_visits(store, round_id, ctx.only)
    check(progress, 0.1, "统计村（社区）情况")
    ids = [p.target_id for p in plan]
    area_of: dict[int, int] = {}
    with store.session() as s:
        for chunk in chunked(ids):
            area_of.update(s.execute(select(Target.id, Target.area_id).where(Target.id.in_(chunk))).all())
    teams = details.teams(store, {p.team_id for p in plan}, ctx)
    round_targets = Counter(area_of[t] for t in ids if t in area_of)
    teams_of: dict[int, set[str]] = {}
    for p in plan:
        if p.target_id in area_of:
            teams_of.setdefault(area_of[p.target_id], set()).add(teams[p.team_id].name)
    forms = []
    with store.session() as s:
        rstart = s.scalar(select(func.min(Visit.visited_at)).where(Visit.round_id == round_id))
        for area_id in sorted(round_targets):
            area = s.get(Area, area_id)
            town = area.parent.name if area.parent else ""
            kinds = dict(
                s.execute(
                    select(Target.kind, func.count()).where(Target.area_id == area_id).group_by(Target.kind)
                ).all()
            )
            tags = {
                zh: s.scalar(
                    select(func.count()).where(Target.area_id == area_id, getattr(Target, col).is_(True))
                )
                for col, zh in HOUSEHOLD_TAGS.items()
            }
            met_q = (
                select(func.count(func.distinct(Visit.target_id)))
                .join(Target, Target.id == Visit.target_id)
                .where(Target.area_id == area_id, Visit.outcome == Outcome.MET)
            )
            if rstart is not None:
                met_q = met_q.where(Visit.visited_at < rstart)
            open_p = s.execute(
                select(Problem.category, func.count())
                .join(Target, Target.id == Problem.target_id)
                .where(Target.area_id == area_id, Problem.status.not_in(CLOSED_STATUSES))
                .group_by(Problem.category)
            ).all()
            forms.append(
                VillageForm(
                    round_name=f"{rname}（{ROUND_KIND_ZH.get(rkind, rkind)}）",
                    area_name=area.name,
                    area_code=area.code,
                    kind_zh="社区" if area.urban else "村",
                    office_name=area.office_name or f"{area.name}{'居委会' if area.urban else '村委会'}",
                    town_name=town,
                    households=kinds.get("household", 0),
                    enterprises=kinds.get("enterprise", 0),
                    notables=kinds.get("notable", 0),
                    tag_counts=tags,
                    round_targets=round_targets[area_id],
                    visited_last_round=s.scalar(met_q) or 0,
                    open_problems={PROBLEM_CATEGORIES.get(c, c): n for c, n in sorted(open_p)},
                    teams=sorted(teams_of.get(area_id, ())),
                )  # fmt: skip
            )
    return forms
