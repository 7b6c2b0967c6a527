"""Problem list (问题清单) per team: what its households raised that is still open, plus blank rows.

One of the 五个一: the team takes it along, ticks what was answered on the spot and adds new
problems in the blank rows, under the same household codes as the route sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gisplanner.progress import Progress, check
from gisplanner.reporting.printouts import details
from gisplanner.reporting.printouts.common import PrintContext
from gisplanner.reporting.printouts.plan_order import planned_visits, round_name
from gisplanner.store.database import Store
from gisplanner.store.model import HANDLING_ZH

BLANK_ROWS = 8


@dataclass
class ProblemRow:
    no: int
    code: str
    target_name: str
    address: str
    category: str
    description: str
    status: str
    handling: str
    unit: str
    deadline: str


@dataclass
class ProblemList:
    round_name: str
    team: details.TeamInfo
    households: int
    rows: list[ProblemRow] = field(default_factory=list)
    blank_rows: int = BLANK_ROWS


def build_problem_lists(
    store: Store, round_id: int, ctx: PrintContext | None = None, *, progress: Progress | None = None
) -> list[ProblemList]:
    ctx = ctx or PrintContext()
    rname, _ = round_name(store, round_id)
    plan = planned_visits(store, round_id)
    check(progress, 0.2, "读取问题")
    ids = [p.target_id for p in plan]
    tinfo = details.targets(store, ids, ctx)
    probs = details.problems(store, ids, round_id=round_id)
    teams = details.teams(store, {p.team_id for p in plan}, ctx)
    lists: dict[int, ProblemList] = {}
    seen: set[tuple[int, int]] = set()
    for p in plan:
        pl = lists.setdefault(p.team_id, ProblemList(round_name=rname, team=teams[p.team_id], households=0))
        if (p.team_id, p.target_id) in seen:
            continue
        seen.add((p.team_id, p.target_id))
        pl.households += 1
        t = tinfo.get(p.target_id)
        for pr in probs.get(p.target_id, []):
            pl.rows.append(
                ProblemRow(
                    no=len(pl.rows) + 1,
                    code=p.code,
                    target_name=t.name if t else "",
                    address=t.full_address if t else "",
                    category=pr.category,
                    description=pr.description,
                    status=pr.status,
                    handling=HANDLING_ZH.get(pr.handling, pr.handling),
                    unit=pr.unit,
                    deadline=f"{pr.deadline:%Y-%m-%d}" if pr.deadline else "",
                )  # fmt: skip
            )
    return list(lists.values())
