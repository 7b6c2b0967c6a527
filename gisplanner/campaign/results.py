"""Entering visit results (录入走访结果): one stop at a time, or a whole returned route sheet (.xlsx).

A result is a :class:`~gisplanner.store.model.Visit` — outcome (见面 / 不在家 / 拒访 / 已搬离 / 电话走访),
the 民情日记 note — plus the problems raised, which go straight into the problem workflow
(:mod:`gisplanner.campaign.problems`: registered, handed down or delegated, or resolved on the spot).
A stop is found by its number on the sheet (RouteStop.seq) or the printed household code
(RouteStop.code). Visits to targets not in the round are recorded as unplanned (计划外).
Entering the same stop again corrects the earlier entry instead of adding a second visit.

Length: one stop and a whole returned sheet share the validation (times, outcomes, problems) that
makes both write the same rows.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gisplanner.campaign import problems as pw
from gisplanner.campaign.visit_time import WhenError, parse_when
from gisplanner.store.model import (
    OUTCOME_ZH,
    PROBLEM_CATEGORIES,
    Assignment,
    Route,
    RouteStop,
    Target,
    Visit,
    VisitSession,
)
from gisplanner.store.vocab import VISITED_OUTCOMES, Outcome, ProblemStatus

# the keys of the entry screen, in the order of the boxes on the route sheet
OUTCOME_KEYS = {str(i): o.value for i, o in enumerate(Outcome, start=1)}  # 1 见面 … 5 电话走访
_O = Outcome
_OUTCOME_WORDS = {
    **{v: k for k, v in OUTCOME_ZH.items()},
    "见到": _O.MET, "已见面": _O.MET, "在家": _O.MET, "未见面": _O.NOT_HOME, "不在": _O.NOT_HOME,
    "拒绝": _O.REFUSED, "搬离": _O.MOVED, "搬走": _O.MOVED, "电话": _O.PHONE, "电话访": _O.PHONE,
}  # fmt: skip
RAISING_OUTCOMES = VISITED_OUTCOMES  # a problem can only be raised by someone reached


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
    visitors: str | None = None,
    appointment_at: dt.datetime | None = None,
    stop_code: str | None = None,
    now: dt.datetime | None = None,
) -> Visit:
    """Record one visit and the problems raised in it (inside the caller's transaction).

    With `replace_existing`, the visit answering the same sheet stop (`stop_code`) — or, for a
    visit off the sheets, of the same target, round and time — is corrected in place, and a
    problem already registered for it with the same category and text is not registered again
    (typing a stop twice, or importing the same sheet twice, must not count anything twice).
    A visit dated in the future is refused."""
    if outcome not in OUTCOME_ZH:
        raise ResultsError(f"未知的走访结果：{outcome}（可选：{'、'.join(OUTCOME_ZH.values())}）")
    if s.get(Target, target_id) is None:
        raise ResultsError(f"找不到走访对象 #{target_id}")
    if problems and outcome not in RAISING_OUTCOMES:
        raise ResultsError(f"走访结果为「{OUTCOME_ZH[outcome]}」，不能登记群众反映的问题")
    now = now or dt.datetime.now()
    visited_at = visited_at or now.replace(second=0, microsecond=0)
    check_not_future(visited_at, now)
    if appointment_at is not None and appointment_at <= visited_at:
        raise VisitTimeError("约定回访时间", f"{appointment_at:%Y-%m-%d %H:%M} 不晚于走访时间，请核对")
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
        same = select(Visit).where(Visit.target_id == target_id, Visit.round_id == round_id)
        if stop_code:
            visit = s.scalar(same.where(Visit.stop_code == stop_code).order_by(Visit.id).limit(1))
        else:
            visit = s.scalar(same.where(Visit.visited_at == visited_at).order_by(Visit.id).limit(1))
    if visit is None:
        visit = Visit(target_id=target_id, round_id=round_id, visited_at=visited_at, stop_code=stop_code)
        s.add(visit)
    visit.team_id, visit.outcome, visit.planned, visit.entered_by = team_id, outcome, planned, actor
    visit.visited_at = visited_at
    visit.notes = (notes or "").strip() or None
    visit.visitors = (visitors or "").strip()[:100] or None
    visit.appointment_at = appointment_at
    s.flush()
    for pi in problems:
        add_problem(s, visit, pi, actor=actor)
    return visit


def add_problem(s: Session, visit: Visit, pi: ProblemInput, *, actor: str):
    """Register a problem raised in `visit`; hand it down / delegate it / close it on the spot.

    The same problem (category and text) already registered for this visit is returned as it
    is: entering a stop or a sheet again never raises a problem twice."""
    from gisplanner.store.model import Problem

    desc = (pi.description or "").strip()
    existing = s.scalar(
        select(Problem).where(
            Problem.visit_id == visit.id, Problem.category == pi.category, Problem.description == desc
        )
    )
    if existing is not None:
        return existing
    pi = ProblemInput(pi.category, desc, pi.handling, pi.unit_id, pi.solved_on_spot, pi.reply)
    when = visit.visited_at
    p = pw.create_problem(
        s, target_id=visit.target_id, category=pi.category, description=pi.description, actor=actor,
        visit_id=visit.id, round_id=visit.round_id, now=when,
    )  # fmt: skip
    if pi.solved_on_spot:
        if pi.reply:
            pw.record_reply(s, p.id, pi.reply, actor=actor, now=when)
        pw.change_status(s, p.id, ProblemStatus.RESOLVED, actor=actor, note="当场解决", now=when)
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
    visitors: str | None = None,
    appointment_at: dt.datetime | None = None,
    late_entry: bool = False,
    now: dt.datetime | None = None,
) -> Visit:
    """Record the result of a stop of a route sheet: round and team from the route.

    The visit time is what the sheet says happened; without one it is the session's start —
    never the planned arrival. A time in the future, or before the session's day, is refused
    (:class:`VisitTimeError`); `late_entry` lets an office enter a visit made earlier than the
    sheet's session (补录)."""
    stop = s.get(RouteStop, stop) if isinstance(stop, int) else stop
    if stop is None:
        raise ResultsError("找不到该站点")
    route = s.get(Route, stop.route_id)
    session = s.get(VisitSession, route.session_id)
    visited_at = visited_at or session.start
    check_visit_time(visited_at, session, now=now, late_entry=late_entry)
    return record_visit(
        s, target_id=stop.target_id, outcome=outcome, actor=actor, round_id=route.round_id,
        team_id=route.team_id, visited_at=visited_at, notes=notes, problems=problems,
        visitors=visitors, appointment_at=appointment_at, stop_code=stop.code or f"#{stop.id}", now=now,
    )  # fmt: skip


class VisitTimeError(ResultsError):
    """A visit time (or appointment) that cannot be right; `field` names the column."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}：{message}")


def check_not_future(when: dt.datetime, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now()
    if when > now + dt.timedelta(minutes=5):
        raise VisitTimeError(
            "走访日期" if when.date() > now.date() else "走访时间",
            f"{when:%Y-%m-%d %H:%M} 在将来（现在是 {now:%Y-%m-%d %H:%M}）",
        )


def check_visit_time(
    when: dt.datetime, session: VisitSession, *, now: dt.datetime | None = None, late_entry: bool = False
) -> None:
    """Refuse a visit time in the future or before its session's day (unless `late_entry`)."""
    check_not_future(when, now)
    if when.date() < session.start.date() and not late_entry:
        raise VisitTimeError(
            "走访日期",
            f"{when:%Y-%m-%d} 早于该路线单的走访时段（{session.start:%Y-%m-%d}）；"
            "如确为提前走访后补录，请勾选“补录”（命令行加 --late-entry）",
        )


def stop_default_time(s: Session, stop_id: int) -> dt.datetime:
    """The time an entry of this stop defaults to: its session's start (not the planned arrival)."""
    return s.scalar(
        select(VisitSession.start)
        .join(Route, Route.session_id == VisitSession.id)
        .join(RouteStop, RouteStop.route_id == Route.id)
        .where(RouteStop.id == stop_id)
    )


def route_progress(s: Session, route_id: int) -> dict[int, str]:
    """stop id -> outcome already entered for it (the entry screen shows what is done)."""
    route = s.get(Route, route_id)
    out = {}
    for stop in stops_of_route(s, route_id):
        o = s.scalar(
            select(Visit.outcome)
            .where(
                Visit.target_id == stop.target_id,
                Visit.round_id == route.round_id,
                Visit.stop_code == (stop.code or f"#{stop.id}"),
            )
            .limit(1)
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
    "date": ("走访日期", "日期"),
    "time": ("走访时间", "时间"),
    "visitors": ("走访人", "走访人员"),
    "appointment": ("约定回访时间", "约定回访", "回访时间"),
}
_YES = {"是", "y", "yes", "1", "√", "✓", "true", "对"}
_ROUTE_LABELS = ("路线单编号", "路线编号", "路线单号", "路线ID")


@dataclass
class SheetRowError:
    row: int
    field: str
    message: str
    sheet: int | None = None  # the route sheet number (路线单编号) the row belongs to

    def __str__(self) -> str:
        where = f"路线单 {self.sheet} " if self.sheet is not None else ""
        return f"{where}第{self.row}行「{self.field}」：{self.message}"


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
    late_entry: bool = False,
    now: dt.datetime | None = None,
) -> SheetImportResult:
    """Enter a returned route sheet (.xlsx): every row checked first, then all written in one
    transaction; any bad row raises :class:`SheetImportError` naming sheet, row and field.

    The visit time is the row's 走访日期/走访时间 (defaulting to the session's date and start);
    a time in the future or before the session's day is refused unless `late_entry`. Importing
    the same sheet again corrects the visits it wrote and raises no problem twice."""
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
                errors.append(SheetRowError(n, key_field, str(e), route_id))
                continue
            if not out_text and not desc:
                res.blank_rows += 1
                continue
            sheet_no = stop.route_id
            outcome = parse_outcome(out_text) if out_text else None
            if out_text and outcome is None:
                errors.append(
                    SheetRowError(
                        n,
                        "走访结果",
                        f"无法识别“{out_text}”（可填 1–{len(Outcome)} 或 {'/'.join(OUTCOME_ZH.values())}）",
                        sheet_no,
                    )
                )
                continue
            problems: list[ProblemInput] = []
            if desc:
                cat = parse_category(cell(r, "category"))
                if cat is None:
                    what = cell(r, "category")
                    errors.append(
                        SheetRowError(
                            n, "问题类别", f"无法识别“{what}”" if what else "填写了问题但没有类别", sheet_no
                        )
                    )
                    continue
                problems.append(ProblemInput(cat, desc, solved_on_spot=cell(r, "solved").lower() in _YES))
            session = s.get(VisitSession, s.get(Route, stop.route_id).session_id)
            sheet_no = stop.route_id
            try:
                when = parse_when(cell(r, "date"), cell(r, "time"), default_day=session.start.date(),
                                  default_time=session.start.time())  # fmt: skip
            except WhenError as e:
                bad = "走访日期" if cell(r, "date") and not cell(r, "time") else "走访时间"
                errors.append(SheetRowError(n, bad, str(e), sheet_no))
                continue
            appointment = None
            if cell(r, "appointment"):
                try:
                    appointment = parse_when(cell(r, "appointment"), "", default_day=when.date(),
                                             default_time=None)  # fmt: skip
                    if appointment is None:
                        raise WhenError(f"“{cell(r, 'appointment')}”缺少时刻（如 12-12 19:30 或 12-12 晚上）")
                except WhenError as e:
                    errors.append(SheetRowError(n, "约定回访时间", str(e), sheet_no))
                    continue
            if outcome is not None:
                try:
                    check_visit_time(when, session, now=now, late_entry=late_entry)
                    if appointment is not None and appointment <= when:
                        raise VisitTimeError("约定回访时间", f"{appointment:%Y-%m-%d %H:%M} 不晚于走访时间")
                except VisitTimeError as e:
                    errors.append(SheetRowError(n, e.field, str(e).split("：", 1)[1], sheet_no))
                    continue
            if errors:  # keep checking for more errors, write nothing
                continue
            try:
                if outcome is None:  # a continuation row: one more problem of a stop already entered
                    v = last_visit.get(stop.id)
                    if v is None:
                        errors.append(
                            SheetRowError(n, "走访结果", "为空（只有同一站的后续行可以只填问题）", sheet_no)
                        )
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
                        visitors=cell(r, "visitors"),
                        appointment_at=appointment,
                        late_entry=late_entry,
                        now=now,
                    )
                    last_visit[stop.id] = v
                    res.visits += 1
                    res.unplanned += 0 if v.planned else 1
                res.problems += len(problems)
                res.rows.append(n)
            except (ResultsError, pw.ProblemError) as e:
                field_name = "走访结果" if isinstance(e, ResultsError) else "反映问题"
                field_name = e.field if isinstance(e, VisitTimeError) else field_name
                errors.append(SheetRowError(n, field_name, str(e), sheet_no))
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
        ["序号", "户码", "户主/单位", "地址", "走访日期", "走访时间", "走访人", "走访结果", "民情日记",
         "约定回访时间", "问题类别", "反映问题", "当场解决"]
    )  # fmt: skip
    for seq, code, name, addr in stops:
        append(ws, [seq, code, name, addr, *([None] * 9)])  # names and addresses as text, never as formulas
    wb.save(path)
    return path


def planned_targets(s: Session, round_id: int) -> Iterable[int]:
    return s.scalars(select(Assignment.target_id).where(Assignment.round_id == round_id))


@dataclass
class SheetChoice:
    """A route sheet as the entry panel's picker shows it."""

    route_id: int  # the sheet number printed large on the sheet (路线单编号)
    team: str
    start: dt.datetime
    label: str
    first_code: str | None


def sheet_choices(s: Session, round_id: int) -> list[SheetChoice]:
    """The round's route sheets for the entry panel, by session then team."""
    from gisplanner.store.model import Team

    codes = dict(
        s.execute(
            select(RouteStop.route_id, func.min(RouteStop.code))
            .join(Route, Route.id == RouteStop.route_id)
            .where(Route.round_id == round_id)
            .group_by(RouteStop.route_id)
        ).all()
    )
    rows = s.execute(
        select(Route.id, Team.name, VisitSession.start, VisitSession.label)
        .join(Team, Team.id == Route.team_id)
        .join(VisitSession, VisitSession.id == Route.session_id)
        .where(Route.round_id == round_id)
        .order_by(VisitSession.start, Team.name, Route.id)
    ).all()
    return [SheetChoice(rid, team, start, label or "", codes.get(rid)) for rid, team, start, label in rows]


def entry_defaults(s: Session, route_id: int) -> tuple[dt.datetime | None, str]:
    """What an entry of this sheet starts from: the session's start and the team's members."""
    from gisplanner.store.model import Cadre, TeamMember

    route = s.get(Route, route_id)
    if route is None:
        return None, ""
    start = s.scalar(select(VisitSession.start).where(VisitSession.id == route.session_id))
    names = s.scalars(
        select(Cadre.name)
        .join(TeamMember, TeamMember.cadre_id == Cadre.id)
        .where(TeamMember.team_id == route.team_id)
        .order_by(TeamMember.role != "leader", TeamMember.id)
    ).all()
    return start, "、".join(names)
