"""Where the office stands in the visiting loop (工作向导): one state per step, read from the database.

The loop: 导入边界 → 导入名册 → 新建轮次 → 组队 → 规划 → 打印 → 录入. Each step is done when the
database shows its result (areas below the district exist, targets exist, a round not yet closed,
teams formed for it, routes planned, its sheets printed (print log), visit results entered);
the first step not done is the one to do next. No Qt here: the UI's guide and tests read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from gisplanner.store.model import Area, PrintLog, Round, Route, Target, Team, Visit
from gisplanner.store.vocab import RoundStatus

STEPS = (
    ("areas", "导入边界"),
    ("targets", "导入名册"),
    ("round", "新建轮次"),
    ("teams", "组队"),
    ("plan", "规划"),
    ("print", "打印"),
    ("results", "录入"),
)


@dataclass
class Step:
    key: str
    title: str  # Chinese; the UI translates it
    done: bool
    detail: str  # what the database shows (Chinese, with counts)
    count: int = 0  # the number behind it (areas, targets, teams, routes, prints, results)
    state: str = "todo"  # done / next / todo


@dataclass
class LoopState:
    steps: list[Step]
    round_id: int | None
    round_name: str | None

    @property
    def next_step(self) -> Step | None:
        return next((s for s in self.steps if s.state == "next"), None)

    def step(self, key: str) -> Step:
        return next(s for s in self.steps if s.key == key)


def current_round(store, round_id: int | None = None) -> tuple[int | None, str | None]:
    """The given round, else the newest round not yet closed (None when there is none)."""
    with store.session() as s:
        if round_id is not None:
            r = s.get(Round, int(round_id))
            if r is not None:
                return r.id, r.name
        r = s.scalars(
            select(Round).where(Round.status != RoundStatus.CLOSED).order_by(Round.id.desc())
        ).first()
        return (r.id, r.name) if r is not None else (None, None)


def loop_state(store, round_id: int | None = None) -> LoopState:
    """Each step of the loop with done/next/todo and a one-line detail with counts."""
    rid, rname = current_round(store, round_id)
    with store.session() as s:

        def count(q) -> int:
            return int(s.scalar(q) or 0)

        areas = count(select(func.count()).select_from(Area).where(Area.level.not_in(("city", "district"))))
        targets = count(select(func.count()).select_from(Target))
        teams = routes = printed = visits = 0
        if rid is not None:
            teams = count(select(func.count()).select_from(Team).where(Team.round_id == rid))
            routes = count(select(func.count()).select_from(Route).where(Route.round_id == rid))
            # batch prints describe themselves as "标题（轮次名，N 份…）" (printing.batch.describe)
            printed = count(
                select(func.count()).select_from(PrintLog).where(PrintLog.what.like(f"%（{rname}，%"))
            )
            visits = count(select(func.count()).select_from(Visit).where(Visit.round_id == rid))
    where = f"「{rname}」" if rname else ""
    steps = [
        Step("areas", "导入边界", areas > 0, f"{areas} 个镇/村/社区" if areas else "还没有镇/村/社区边界"),
        Step(
            "targets", "导入名册", targets > 0, f"{targets} 个走访对象" if targets else "还没有走访对象名册"
        ),
        Step("round", "新建轮次", rid is not None, f"当前轮次{where}" if rid else "没有筹备中或进行中的轮次"),
        Step("teams", "组队", teams > 0, f"{where}{teams} 个队伍" if teams else f"{where}尚未组队"),
        Step("plan", "规划", routes > 0, f"{where}{routes} 条路线" if routes else f"{where}尚未规划路线"),
        Step("print", "打印", printed > 0, f"已打印 {printed} 次" if printed else f"{where}尚未打印走访单"),
        Step("results", "录入", visits > 0, f"已录入 {visits} 条走访结果" if visits else "尚未录入走访结果"),
    ]
    for st, n in zip(steps, (areas, targets, int(rid or 0), teams, routes, printed, visits), strict=True):
        st.count = n
    first_open = next((i for i, st in enumerate(steps) if not st.done), None)
    for i, st in enumerate(steps):
        st.state = "done" if st.done else ("next" if i == first_open else "todo")
    return LoopState(steps, rid, rname)
