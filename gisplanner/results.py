"""Entering visit results (录入走访结果): one stop at a time, or a whole returned route sheet (.xlsx).

A result is a :class:`~gisplanner.model.Visit` — outcome (见面 / 不在家 / 拒访 / 已搬离 / 电话走访),
the 民情日记 note — plus the problems raised, which go straight into the problem workflow
(:mod:`gisplanner.problems`: registered, handed down or delegated, or resolved on the spot).
A stop is found by its number on the sheet (RouteStop.seq) or the printed household code
(RouteStop.code). Visits to targets not in the round are recorded as unplanned (计划外).
Entering the same stop again corrects the earlier entry instead of adding a second visit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisplanner import problems as pw
from gisplanner.model import (
    OUTCOME_ZH,
    PROBLEM_CATEGORIES,
    Assignment,
    Route,
    RouteStop,
    Target,
    Visit,
)

# the keys of the entry screen, in the order of the boxes on the route sheet
OUTCOME_KEYS = {"1": "met", "2": "not_home", "3": "refused", "4": "moved", "5": "phone"}
_OUTCOME_WORDS = {
    **{v: k for k, v in OUTCOME_ZH.items()},
    "见到": "met", "已见面": "met", "在家": "met", "未见面": "not_home", "不在": "not_home",
    "拒绝": "refused", "搬离": "moved", "搬走": "moved", "电话": "phone", "电话访": "phone",
}  # fmt: skip
RAISING_OUTCOMES = ("met", "phone")  # a problem can only be raised by someone reached


class ResultsError(ValueError):
    """A refused result entry, explained in Chinese."""


def parse_outcome(text: object) -> str | None:
    """'1'..'5', the English key or the Chinese word -> outcome key (None if not recognised)."""
    t = str(text or "").strip()
    if t.endswith(".0"):
        t = t[:-2]
    if t in OUTCOME_KEYS:
        return OUTCOME_KEYS[t]
    if t.lower() in OUTCOME_ZH:
        return t.lower()
    return _OUTCOME_WORDS.get(t)


def parse_category(text: object) -> str | None:
    t = str(text or "").strip()
    if t in PROBLEM_CATEGORIES:
        return t
    for k, zh in PROBLEM_CATEGORIES.items():
        if t == zh or (len(t) >= 2 and (zh.startswith(t) or t in zh.split("与"))):
            return k
    return None


@dataclass
class ProblemInput:
    """A problem raised during a visit; `handling` assign/delegate needs `unit_id`."""

    category: str
    description: str
    handling: str = "self"
    unit_id: int | None = None
    solved_on_spot: bool = False
    reply: str | None = None


# -- finding the stop ----------------------------------------------------------------------------
def resolve_stop(
    s: Session, key: object, *, route_id: int | None = None, round_id: int | None = None
) -> RouteStop:
    """The stop for what the user typed: its number on the sheet (needs `route_id`) or its
    printed household code (looked up on the route, else in the whole round)."""
    k = str(key or "").strip()
    if k.endswith(".0"):
        k = k[:-2]
    if not k:
        raise ResultsError("请输入站序号或户码")
    if route_id is not None and k.isdigit():
        stop = s.scalar(select(RouteStop).where(RouteStop.route_id == route_id, RouteStop.seq == int(k)))
        if stop is None:
            n = s.scalar(select(func.count()).select_from(RouteStop).where(RouteStop.route_id == route_id))
            raise ResultsError(f"这张路线单上没有第 {k} 站（共 {n} 站）")
        return stop
    q = select(RouteStop).where(func.upper(RouteStop.code) == k.upper())
    if route_id is not None:
        stop = s.scalar(q.where(RouteStop.route_id == route_id))
        if stop is not None:
            return stop
    if round_id is None and route_id is not None:
        round_id = s.scalar(select(Route.round_id).where(Route.id == route_id))
    if round_id is not None:
        q = q.join(Route, Route.id == RouteStop.route_id).where(Route.round_id == round_id)
    found = list(s.scalars(q.limit(2)))
    if not found:
        raise ResultsError(f"户码 {k} 不存在" + ("（本轮次中）" if round_id is not None else ""))
    if len(found) > 1:
        raise ResultsError(f"户码 {k} 对应多个站点，请先选择路线单")
    return found[0]


def stops_of_route(s: Session, route_id: int) -> list[RouteStop]:
    """A route's stops in sheet order (the order of the entry screen)."""
    return list(s.scalars(select(RouteStop).where(RouteStop.route_id == route_id).order_by(RouteStop.seq)))


# -- recording -----------------------------------------------------------------------------------
def record_visit(
    s: Session,
    *,
    target_id: int,
    outcome: str,
    actor: str,
    round_id: int | None = None,
    team_id: int | None = None,
    visited_at: dt.datetime | None = None,
    notes: str | None = None,
    problems: Sequence[ProblemInput] = (),
    replace_existing: bool = True,
) -> Visit:
    """Record one visit and the problems raised in it (inside the caller's transaction).

    With `replace_existing`, a visit of the same target, round and time is corrected in place
    (typing a stop twice must not count it twice)."""
    if outcome not in OUTCOME_ZH:
        raise ResultsError(f"未知的走访结果：{outcome}（可选：{'、'.join(OUTCOME_ZH.values())}）")
    if s.get(Target, target_id) is None:
        raise ResultsError(f"找不到走访对象 #{target_id}")
    if problems and outcome not in RAISING_OUTCOMES:
        raise ResultsError(f"走访结果为「{OUTCOME_ZH[outcome]}」，不能登记群众反映的问题")
    visited_at = visited_at or dt.datetime.now().replace(second=0, microsecond=0)
    planned = (
        round_id is not None
        and s.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.round_id == round_id, Assignment.target_id == target_id)
        )
        > 0
    )
    visit = None
    if replace_existing:
        visit = s.scalar(
            select(Visit).where(
                Visit.target_id == target_id, Visit.round_id == round_id, Visit.visited_at == visited_at
            )
        )
    if visit is None:
        visit = Visit(target_id=target_id, round_id=round_id, visited_at=visited_at)
        s.add(visit)
    visit.team_id, visit.outcome, visit.planned, visit.entered_by = team_id, outcome, planned, actor
    visit.notes = (notes or "").strip() or None
    s.flush()
    for pi in problems:
        add_problem(s, visit, pi, actor=actor)
    return visit


def add_problem(s: Session, visit: Visit, pi: ProblemInput, *, actor: str):
    """Register a problem raised in `visit`; hand it down / delegate it / close it on the spot."""
    when = visit.visited_at
    p = pw.create_problem(
        s, target_id=visit.target_id, category=pi.category, description=pi.description, actor=actor,
        visit_id=visit.id, round_id=visit.round_id, now=when,
    )  # fmt: skip
    if pi.solved_on_spot:
        if pi.reply:
            pw.record_reply(s, p.id, pi.reply, actor=actor, now=when)
        pw.change_status(s, p.id, "resolved", actor=actor, note="当场解决", now=when)
    elif pi.handling != "self":
        pw.hand_down(s, p.id, handling=pi.handling, unit_id=pi.unit_id, actor=actor, now=when)
    return p


def record_stop(
    s: Session,
    stop: RouteStop | int,
    outcome: str,
    *,
    actor: str,
    notes: str | None = None,
    problems: Sequence[ProblemInput] = (),
    visited_at: dt.datetime | None = None,
) -> Visit:
    """Record the result of a stop of a route sheet: round and team from the route, time the ETA."""
    stop = s.get(RouteStop, stop) if isinstance(stop, int) else stop
    if stop is None:
        raise ResultsError("找不到该站点")
    route = s.get(Route, stop.route_id)
    return record_visit(
        s, target_id=stop.target_id, outcome=outcome, actor=actor, round_id=route.round_id,
        team_id=route.team_id, visited_at=visited_at or stop.eta, notes=notes, problems=problems,
    )  # fmt: skip


def route_progress(s: Session, route_id: int) -> dict[int, str]:
    """stop id -> outcome already entered for it (the entry screen shows what is done)."""
    route = s.get(Route, route_id)
    out = {}
    for stop in stops_of_route(s, route_id):
        o = s.scalar(
            select(Visit.outcome).where(
                Visit.target_id == stop.target_id,
                Visit.round_id == route.round_id,
                Visit.visited_at == stop.eta,
            )
        )
        if o:
            out[stop.id] = o
    return out


# -- bulk entry from a returned sheet ------------------------------------------------------------
COLUMNS = {
    "stop": ("序号", "站序", "站序号", "顺序", "站"),
    "code": ("户码", "编码", "户编码", "对象编码"),
    "outcome": ("走访结果", "结果", "走访情况"),
    "note": ("民情日记", "日记", "备注", "情况记录"),
    "category": ("问题类别", "类别"),
    "problem": ("反映问题", "问题描述", "问题"),
    "solved": ("当场解决", "是否当场解决"),
    "time": ("走访时间", "时间"),
}
_YES = {"是", "y", "yes", "1", "√", "✓", "true", "对"}
_ROUTE_LABELS = ("路线单编号", "路线编号", "路线单号", "路线ID")


@dataclass
class SheetRowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"第{self.row}行「{self.field}」：{self.message}"


class SheetImportError(ResultsError):
    """Bad rows in a returned sheet; nothing was written."""

    def __init__(self, path: Path, errors: list[SheetRowError]):
        self.path, self.errors = path, errors
        shown = "\n".join(str(e) for e in errors[:20])
        more = f"\n……共 {len(errors)} 处错误" if len(errors) > 20 else ""
        super().__init__(f"文件“{path.name}”有 {len(errors)} 处错误，未写入任何结果：\n{shown}{more}")


@dataclass
class SheetImportResult:
    visits: int = 0
    problems: int = 0
    blank_rows: int = 0
    unplanned: int = 0
    rows: list[int] = field(default_factory=list)  # Excel rows written


def _read_sheet(path: Path) -> tuple[list[list[str]], int, dict[str, int], int | None]:
    """Rows as text, the header row index, column positions, and a route id printed above it."""
    import openpyxl

    from gisplanner.io.readers import cell_text

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook at all
        raise ResultsError(f"无法读取文件“{path.name}”：不是有效的Excel文件（{type(exc).__name__}）") from exc
    try:
        rows = [[cell_text(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    route_id = None
    for h, r in enumerate(rows[:15]):
        cols = {}
        for i, c in enumerate(r):
            for key, names in COLUMNS.items():
                if c.replace(" ", "") in names and key not in cols:
                    cols[key] = i
        if "outcome" in cols and ("stop" in cols or "code" in cols):
            return rows, h, cols, route_id
        for i, c in enumerate(r[:-1]):
            label = c.rstrip("：:").strip()
            if label in _ROUTE_LABELS and r[i + 1].strip().isdigit():
                route_id = int(r[i + 1])
            m = re.match(r"^(?:路线单编号|路线编号|路线单号)[：:]\s*(\d+)$", c.strip())
            if m:
                route_id = int(m.group(1))
    raise ResultsError(f"文件“{path.name}”中找不到表头（需要「序号」或「户码」列，以及「走访结果」列）")


def import_sheet(
    store,
    path: str | Path,
    *,
    actor: str,
    route_id: int | None = None,
    round_id: int | None = None,
) -> SheetImportResult:
    """Enter a returned route sheet (.xlsx): every row checked first, then all written in one
    transaction; any bad row raises :class:`SheetImportError` naming row and field."""
    path = Path(path)
    if not path.exists():
        raise ResultsError(f"文件“{path}”不存在")
    rows, h, cols, printed_route = _read_sheet(path)
    route_id = route_id if route_id is not None else printed_route
    errors: list[SheetRowError] = []
    res = SheetImportResult()

    def cell(r: list[str], key: str) -> str:
        i = cols.get(key)
        return r[i].strip() if i is not None and i < len(r) else ""

    with store.session() as s:
        if route_id is not None and s.get(Route, route_id) is None:
            raise ResultsError(f"找不到路线单 #{route_id}")
        if route_id is None and "stop" in cols and "code" not in cols:
            raise ResultsError("按序号录入时需要指定路线单")
        last_visit: dict[int, Visit] = {}
        for n, r in enumerate(rows[h + 1 :], start=h + 2):
            if not any(c.strip() for c in r):
                continue
            key_field = "户码" if cell(r, "code") else "序号"
            key = cell(r, "code") or (cell(r, "stop") if route_id is not None else "")
            out_text, desc = cell(r, "outcome"), cell(r, "problem")
            if not key:
                errors.append(SheetRowError(n, "序号/户码", "为空，无法对应到路线单上的站点"))
                continue
            try:
                stop = resolve_stop(s, key, route_id=route_id, round_id=round_id)
            except ResultsError as e:
                errors.append(SheetRowError(n, key_field, str(e)))
                continue
            if not out_text and not desc:
                res.blank_rows += 1
                continue
            outcome = parse_outcome(out_text) if out_text else None
            if out_text and outcome is None:
                errors.append(
                    SheetRowError(
                        n, "走访结果", f"无法识别“{out_text}”（可填 1–5 或 见面/不在家/拒访/已搬离/电话走访）"
                    )
                )
                continue
            problems: list[ProblemInput] = []
            if desc:
                cat = parse_category(cell(r, "category"))
                if cat is None:
                    what = cell(r, "category")
                    errors.append(
                        SheetRowError(n, "问题类别", f"无法识别“{what}”" if what else "填写了问题但没有类别")
                    )
                    continue
                problems.append(ProblemInput(cat, desc, solved_on_spot=cell(r, "solved").lower() in _YES))
            when = None
            if cell(r, "time"):
                try:
                    when = dt.datetime.fromisoformat(cell(r, "time").replace("/", "-"))
                except ValueError:
                    errors.append(
                        SheetRowError(n, "走访时间", f"无法识别“{cell(r, 'time')}”（如 2026-12-05 09:30）")
                    )
                    continue
            if errors:  # keep checking for more errors, write nothing
                continue
            try:
                if outcome is None:  # a continuation row: one more problem of a stop already entered
                    v = last_visit.get(stop.id)
                    if v is None:
                        errors.append(SheetRowError(n, "走访结果", "为空（只有同一站的后续行可以只填问题）"))
                        continue
                    for pi in problems:
                        add_problem(s, v, pi, actor=actor)
                else:
                    v = record_stop(
                        s,
                        stop,
                        outcome,
                        actor=actor,
                        notes=cell(r, "note"),
                        problems=problems,
                        visited_at=when,
                    )
                    last_visit[stop.id] = v
                    res.visits += 1
                    res.unplanned += 0 if v.planned else 1
                res.problems += len(problems)
                res.rows.append(n)
            except (ResultsError, pw.ProblemError) as e:
                field_name = "走访结果" if isinstance(e, ResultsError) else "反映问题"
                errors.append(SheetRowError(n, field_name, str(e)))
        if errors:
            raise SheetImportError(path, errors)
    return res


def write_blank_sheet(store, route_id: int, path: str | Path) -> Path:
    """A returnable sheet for a route (.xlsx): stops in order with their codes and empty result
    columns — what a team fills in (or an office types into) and :func:`import_sheet` reads."""
    import openpyxl

    path = Path(path)
    with store.session() as s:
        route = s.get(Route, route_id)
        if route is None:
            raise ResultsError(f"找不到路线单 #{route_id}")
        stops = [
            (st.seq, st.code or "", st.target.name, st.target.address or "")
            for st in stops_of_route(s, route_id)
        ]
    from gisplanner.io.safe_cells import append

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "走访结果"
    ws.append(["路线单编号", route_id])
    ws.append(
        ["序号", "户码", "户主/单位", "地址", "走访结果", "民情日记", "问题类别", "反映问题", "当场解决"]
    )
    for seq, code, name, addr in stops:
        append(ws, [seq, code, name, addr])  # names and addresses as text, never as formulas
    wb.save(path)
    return path


def planned_targets(s: Session, round_id: int) -> Iterable[int]:
    return s.scalars(select(Assignment.target_id).where(Assignment.round_id == round_id))
