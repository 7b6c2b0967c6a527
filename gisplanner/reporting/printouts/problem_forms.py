"""Hand-down form (交办单) and delegation form (委托办理单) for a problem.

分级负责、分类处理: a problem within the village's or town's remit is handed down as an
assignment (交办件) to a grassroots unit; one that needs a district or city department is
delegated with a delegation form. Both carry the household's request, the handling unit, the
deadline and room for the unit's reply and the household's satisfaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from gisplanner.progress import Progress, check
from gisplanner.reporting.printouts.common import PrintContext, ReportError
from gisplanner.reporting.printouts.plan_order import chunked
from gisplanner.store.database import Store
from gisplanner.store.model import (
    AREA_LEVEL_ZH,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUS_ZH,
    Area,
    Problem,
    ProblemEvent,
    Target,
    Unit,
)

FORM_TITLES = {"assign": "问题交办单", "delegate": "委托办理单"}
FORM_PREFIX = {"assign": "JB", "delegate": "WT"}


@dataclass
class ProblemForm:
    kind: str  # assign / delegate
    title: str
    number: str  # e.g. JB-2026-000123
    problem_id: int
    raised_on: dt.date
    target_name: str
    target_kind: str
    address: str
    phone: str
    area_name: str
    category: str
    description: str
    level: str
    unit: str
    unit_phone: str
    deadline: dt.date | None
    status: str
    issued_by: str  # who handed down / delegated it (from the problem's event log)
    reply: str

    @property
    def requirement(self) -> str:
        when = f"{self.deadline:%Y年%m月%d日}前" if self.deadline else "限期"
        if self.kind == "delegate":
            return f"请贵单位于{when}办理并将办理结果书面反馈镇（街道）走访活动办，同时答复群众。"
        return f"请于{when}办结，当场能解决的当场解决；不能解决的向群众解释说明，并将结果反馈交办单位。"


def build_problem_forms(
    store: Store,
    ctx: PrintContext | None = None,
    *,
    problem_ids: list[int] | None = None,
    round_id: int | None = None,
    progress: Progress | None = None,
) -> list[ProblemForm]:
    """Forms for the given problems, or every handed-down / delegated problem of a round."""
    ctx = ctx or PrintContext()
    q = (
        select(Problem, Target, Area.name, Unit)
        .join(Target, Target.id == Problem.target_id)
        .join(Area, Area.id == Target.area_id)
        .outerjoin(Unit, Unit.id == Problem.unit_id)
        .order_by(Problem.id)
    )
    forms: list[ProblemForm] = []
    with store.session() as s:
        if problem_ids is not None:
            batches = [q.where(Problem.id.in_(c)) for c in chunked(problem_ids)]
        elif round_id is not None:
            batches = [q.where(Problem.round_id == round_id, Problem.handling.in_(("assign", "delegate")))]
        else:
            raise ReportError("请指定问题或轮次")
        rows = [r for b in batches for r in s.execute(b).all()]
        check(progress, 0.3, "读取办理记录")
        issuers = _issuers(s, [r[0].id for r in rows])
        for p, t, area_name, unit in rows:
            kind = "delegate" if p.handling == "delegate" else "assign"
            forms.append(
                ProblemForm(
                    kind=kind,
                    title=FORM_TITLES[kind],
                    number=f"{FORM_PREFIX[kind]}-{p.created_at:%Y}-{p.id:06d}",
                    problem_id=p.id,
                    raised_on=p.created_at.date(),
                    target_name=t.name,
                    target_kind=t.kind,
                    address=_address(t),
                    phone=ctx.phone(t.phone),
                    area_name=area_name,
                    category=PROBLEM_CATEGORIES.get(p.category, p.category),
                    description=p.description,
                    level=AREA_LEVEL_ZH.get(p.level, p.level),
                    unit=unit.name if unit else "",
                    unit_phone=(unit.phone or "") if unit else "",
                    deadline=p.deadline,
                    status=PROBLEM_STATUS_ZH.get(p.status, p.status),
                    issued_by=issuers.get(p.id, ctx.user),
                    reply=p.reply or "",
                )  # fmt: skip
            )
    if not forms:
        raise ReportError("没有需要打印交办单或委托办理单的问题")
    return forms


def _address(t: Target) -> str:
    extra = t.unit_no if t.unit_no and t.unit_no not in (t.address or "") else ""
    return " ".join(x for x in (t.address, extra) if x)


def _issuers(s, ids) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in chunked(ids):
        for pid, actor in s.execute(
            select(ProblemEvent.problem_id, ProblemEvent.actor)
            .where(ProblemEvent.problem_id.in_(chunk), ProblemEvent.action.in_(("assign", "create")))
            .order_by(ProblemEvent.id)
        ).all():
            out[pid] = actor  # the latest assign wins over create
    return out
