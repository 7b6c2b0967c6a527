"""Progress figures (进度统计) for the dashboard, the supervision table and the summary report.

Every figure is one SQL aggregate over the same tables (portable SQLite / PostgreSQL), so a
test can recount it with a direct query. What counts (the definitions are the same everywhere):

- scope (范围): an area of any level (its villages' targets) or a set of targets (a map
  selection), and a date range ``[date_from, date_to]`` of whole days, both ends inclusive.
- household visited (走访群众家庭): a distinct household with at least one visit in the range
  whose outcome is ``met`` (见面) or ``phone`` (电话走访). Not home / refused / moved do not count.
- problem collected (收集问题): a problem of a target in scope created in the range.
- problem solved (解决问题): a collected problem whose status is ``resolved`` (已解决) and that
  was closed before the end of the range (problems explained to the household or sent to
  concentrated rectification are closed but not solved). ``solved_on_spot`` (当场解决) is a
  subset of solved, reported separately.
- overdue (逾期) as of day D: a problem in scope whose deadline is before D and that was not
  closed (resolved / explained / rectification) by the end of D — whenever it was created.
- time to resolution (办理时长): closed_at − created_at in days, for solved problems.
- visits per session: a visit belongs to a session of its round when its time falls inside
  the session's start..end; visits outside every session are counted as "其他时段".
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    distinct,
    extract,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from gisplanner.model import (
    CLOSED_STATUSES,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUS_ZH,
    Area,
    Problem,
    Target,
    Team,
    Unit,
    Visit,
    VisitSession,
)
from gisplanner import vocab
from gisplanner.store import Store
from gisplanner.vocab import Outcome, ProblemStatus, TargetKind, UnknownValueError, outcome_code

Progress = Callable[[float, str], bool] | None

VISITED_OUTCOMES = tuple(o.value for o in vocab.VISITED_OUTCOMES)
NO_UNIT = "未指定单位"
NO_TEAM = "未记录小组"
OUTSIDE_SESSIONS = "其他时段"

A = Area.__table__
T = Target.__table__
V = Visit.__table__
P = Problem.__table__
U = Unit.__table__
TM = Team.__table__
S = VisitSession.__table__

# a selection of targets goes into a temporary table so that 250k ids never become bound parameters
_TMP = MetaData()
SCOPE_TARGETS = Table("scope_target", _TMP, Column("id", Integer, primary_key=True), prefixes=["TEMPORARY"])


class StatsCancelled(InterruptedError):
    """The user cancelled a refresh."""


# -- scope ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """What the figures cover (统计范围): an area or a map selection, and a date range."""

    area_code: str | None = None  # any level; None = everything in the database
    target_ids: tuple[int, ...] | None = None  # a map selection (takes precedence over the area)
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    as_of: dt.date | None = None  # the day overdue is judged on; default: date_to, else today

    @property
    def start(self) -> dt.datetime | None:
        return dt.datetime.combine(self.date_from, dt.time()) if self.date_from else None

    @property
    def end(self) -> dt.datetime | None:
        """Exclusive end: midnight after date_to."""
        return dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time()) if self.date_to else None

    @property
    def overdue_day(self) -> dt.date:
        return self.as_of or self.date_to or dt.date.today()


class AreaTree:
    """The area table in memory (a few hundred rows even for a city): codes, names, children."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = frame.set_index("id", drop=False)
        self.by_code = dict(zip(frame["code"], frame["id"], strict=True))
        self.children: dict[int | None, list[int]] = {}
        for aid, parent in zip(frame["id"], frame["parent_id"], strict=True):
            key = None if pd.isna(parent) else int(parent)
            self.children.setdefault(key, []).append(int(aid))
        for kids in self.children.values():
            kids.sort(key=lambda i: self.frame.at[i, "code"])

    @classmethod
    def load(cls, conn_or_store) -> AreaTree:
        q = select(A.c.id, A.c.code, A.c.name, A.c.level, A.c.parent_id).order_by(A.c.code)
        if isinstance(conn_or_store, Store):
            scope = conn_or_store.bound_scope
            if scope is None:
                return cls(conn_or_store.read_frame(q))
            # signed in: the user's area is the root of the tree, nothing above or beside it
            df = conn_or_store.read_frame(q.where(A.c.id.in_(sorted(scope.area_ids))))
            df.loc[df["id"] == scope.area_id, "parent_id"] = None
            return cls(df)
        return cls(pd.read_sql(q, conn_or_store))

    def id_of(self, code: str) -> int:
        try:
            return int(self.by_code[code])
        except KeyError:
            raise ValueError(f"找不到行政区划代码 {code}") from None

    def name(self, aid: int) -> str:
        return str(self.frame.at[aid, "name"])

    def code(self, aid: int) -> str:
        return str(self.frame.at[aid, "code"])

    def level(self, aid: int) -> str:
        return str(self.frame.at[aid, "level"])

    def roots(self) -> list[int]:
        return list(self.children.get(None, []))

    def kids(self, aid: int) -> list[int]:
        return list(self.children.get(aid, []))

    def descendants(self, aid: int) -> list[int]:
        """The area and every area below it."""
        out, stack = [], [aid]
        while stack:
            a = stack.pop()
            out.append(a)
            stack.extend(self.children.get(a, []))
        return out

    def leaves_under(self, aid: int) -> list[int]:
        """Ids of the areas targets can belong to (villages) under an area, the area included."""
        return sorted(self.descendants(aid))

    def compared_areas(self, aid: int | None) -> list[int]:
        """The areas to show side by side under an area: its children, skipping single-child
        levels (a database of one town shows its villages); a village shows itself."""
        ids = self.roots() if aid is None else self.kids(aid)
        while len(ids) == 1 and self.kids(ids[0]):
            ids = self.kids(ids[0])
        if not ids and aid is not None:
            ids = [aid]
        return ids

    def ancestor_at(self, aid: int, level: str) -> int | None:
        a: int | None = aid
        while a is not None:
            if self.level(a) == level:
                return a
            p = self.frame.at[a, "parent_id"]
            a = None if pd.isna(p) else int(p)
        return None


def _target_in_scope(scope: Scope, tree: AreaTree):
    """A condition on the target table's columns for the scope (None = no restriction)."""
    if scope.target_ids is not None:
        return T.c.id.in_(select(SCOPE_TARGETS.c.id))
    if scope.area_code:
        return T.c.area_id.in_(tree.leaves_under(tree.id_of(scope.area_code)))
    return None


def _of_targets_in_scope(target_id_col, scope: Scope, tree: AreaTree, use_index: bool = True):
    """A condition on a visit's or problem's target_id for the scope (None = no restriction).

    A subquery on target ids rather than a join: SQLite answers it from the (area_id, kind)
    index without reading the wide target rows. ``use_index=False`` writes ``target_id + 0``
    so that the planner drives the query by another index (e.g. the visit time).
    """
    if not use_index:
        target_id_col = target_id_col + 0
    if scope.target_ids is not None:
        return target_id_col.in_(select(SCOPE_TARGETS.c.id))
    if scope.area_code:
        areas = tree.leaves_under(tree.id_of(scope.area_code))
        return target_id_col.in_(select(T.c.id).where(T.c.area_id.in_(areas)))
    return None


def _small_scope(scope: Scope, tree: AreaTree) -> bool:
    """Whether the scope holds a small part of the database (a village, a small selection)."""
    if scope.target_ids is not None:
        return len(scope.target_ids) < 20_000
    if scope.area_code:
        return len(tree.leaves_under(tree.id_of(scope.area_code))) * 10 < len(tree.frame)
    return False


def _between(col, scope: Scope) -> list:
    conds = []
    if scope.start is not None:
        conds.append(col >= scope.start)
    if scope.end is not None:
        conds.append(col < scope.end)
    return conds


def _where(*conds):
    return and_(true_(), *[c for c in conds if c is not None])


def true_():
    return literal(1) == 1


def prepare_scope(conn: Connection, scope: Scope) -> None:
    """Load a map selection into the connection's temporary table (no-op for an area scope)."""
    if scope.target_ids is None:
        return
    SCOPE_TARGETS.drop(conn, checkfirst=True)
    SCOPE_TARGETS.create(conn)
    ids = sorted(set(int(i) for i in scope.target_ids))
    for k in range(0, len(ids), 50_000):
        conn.execute(SCOPE_TARGETS.insert(), [{"id": i} for i in ids[k : k + 50_000]])


def _days_between(conn: Connection, a, b):
    """b − a in days (fractional) as a SQL expression."""
    if conn.dialect.name == "sqlite":
        return func.julianday(b) - func.julianday(a)
    return extract("epoch", b - a) / 86400.0


def _day(col):
    """The calendar day of a timestamp (SQLite and PostgreSQL both know date())."""
    return func.date(col)


def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


# -- the figures ---------------------------------------------------------------------------
def visited_first_days(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Households visited in the range, by the day of their first met/phone visit in the range.

    Columns: day (date), special (bool: 特殊群体), households. Summed, it is the number of
    distinct households visited.
    """
    special = or_(T.c.elderly_alone, T.c.disabled, T.c.hardship)
    first = (
        select(V.c.target_id, func.min(V.c.visited_at).label("first"))
        .where(
            _where(
                V.c.outcome.in_(VISITED_OUTCOMES),
                _of_targets_in_scope(V.c.target_id, scope, tree),
                *_between(V.c.visited_at, scope),
            )
        )
        .group_by(V.c.target_id)
        .subquery()
    )
    sp = case((special, 1), else_=0)
    rows = conn.execute(
        select(_day(first.c.first), sp, func.count())
        .select_from(first.join(T, T.c.id == first.c.target_id))
        .where(T.c.kind == TargetKind.HOUSEHOLD)
        .group_by(_day(first.c.first), sp)
    ).all()
    df = pd.DataFrame(
        [(_as_date(d), bool(s), int(n)) for d, s, n in rows], columns=["day", "special", "households"]
    )
    return df.sort_values(["day", "special"], ignore_index=True)


def household_counts(conn: Connection, scope: Scope, tree: AreaTree) -> dict:
    """Households in scope and how many of them belong to a special group (特殊群体)."""
    special = or_(T.c.elderly_alone, T.c.disabled, T.c.hardship)
    n, sp = conn.execute(
        select(func.count(), func.sum(case((special, 1), else_=0))).where(
            _where(T.c.kind == TargetKind.HOUSEHOLD, _target_in_scope(scope, tree))
        )
    ).one()
    return {"households": int(n or 0), "special_households": int(sp or 0)}


def household_totals(conn: Connection, scope: Scope, tree: AreaTree) -> dict:
    """Households in scope, households visited in the range, and the special-group counts."""
    return _totals(household_counts(conn, scope, tree), visited_first_days(conn, scope, tree))


def _totals(counts: dict, first_days: pd.DataFrame) -> dict:
    visited = int(first_days["households"].sum())
    special_visited = int(first_days.loc[first_days["special"], "households"].sum())
    return {**counts, "households_visited": visited, "special_visited": special_visited}


def cumulative_progress(
    conn: Connection, scope: Scope, tree: AreaTree, first_days: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per day: households newly visited, problems collected, problems solved, and running totals.

    Columns: day, households_visited, problems_collected, problems_solved (daily) and
    cum_households_visited, cum_problems_collected, cum_problems_solved. Problems of every
    target kind count; visits count households only.
    """
    if first_days is None:
        first_days = visited_first_days(conn, scope, tree)
    return cumulative_table(first_days, problem_days(conn, scope, tree))


def problem_days(conn: Connection, scope: Scope, tree: AreaTree) -> dict[str, pd.Series]:
    """Problems collected per day of creation and solved per day of closing (collected in the range)."""
    collected_where = _where(
        _of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)
    )
    collected = conn.execute(
        select(_day(P.c.created_at), func.count()).where(collected_where).group_by(_day(P.c.created_at))
    ).all()
    solved = conn.execute(
        select(_day(P.c.closed_at), func.count())
        .where(_solved_condition(scope), collected_where)
        .group_by(_day(P.c.closed_at))
    ).all()
    return {
        name: pd.Series({_as_date(d): int(n) for d, n in rows if d is not None}, dtype="int64")
        for name, rows in (("problems_collected", collected), ("problems_solved", solved))
    }


def cumulative_table(first_days: pd.DataFrame, problems: dict[str, pd.Series]) -> pd.DataFrame:
    visited = first_days.groupby("day")["households"].sum()
    series = {"households_visited": visited.astype("int64"), **problems}
    days = sorted(set().union(*[s.index for s in series.values()]))
    df = pd.DataFrame({"day": days})
    for name, s in series.items():
        df[name] = s.reindex(days, fill_value=0).to_numpy(dtype="int64")
        df["cum_" + name] = df[name].cumsum()
    return df


def _solved_condition(scope: Scope):
    conds = [P.c.status == ProblemStatus.RESOLVED]
    if scope.end is not None:
        conds.append(or_(P.c.closed_at.is_(None), P.c.closed_at < scope.end))
    return and_(*conds)


def problems_by_category_status(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Problems collected in the range: a category × status table of counts (Chinese labels).

    Rows: categories (问题类别) in PROBLEM_CATEGORIES order, columns: statuses (办理状态).
    """
    rows = conn.execute(
        select(P.c.category, P.c.status, func.count())
        .where(_where(_of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)))
        .group_by(P.c.category, P.c.status)
    ).all()
    return _category_status_table(rows)


def _category_status_table(rows) -> pd.DataFrame:
    cats = list(PROBLEM_CATEGORIES) + sorted({r[0] for r in rows} - set(PROBLEM_CATEGORIES))
    stats = list(PROBLEM_STATUS_ZH) + sorted({r[1] for r in rows} - set(PROBLEM_STATUS_ZH))
    df = pd.DataFrame(0, index=cats, columns=stats, dtype="int64")
    for c, s, n in rows:
        df.at[c, s] = int(n)
    df = df.loc[df.sum(axis=1) > 0]
    df.index = [PROBLEM_CATEGORIES.get(c, c) for c in df.index]
    df.columns = [PROBLEM_STATUS_ZH.get(s, s) for s in df.columns]
    df.index.name = "问题类别"
    return df


def solved_by_category(conn: Connection, scope: Scope, tree: AreaTree) -> dict[str, int]:
    """Problems collected in the range and solved by its end, per category (Chinese label)."""
    rows = conn.execute(
        select(P.c.category, func.count())
        .where(
            _solved_condition(scope),
            _where(_of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)),
        )
        .group_by(P.c.category)
    ).all()
    return {PROBLEM_CATEGORIES.get(c, c): int(n) for c, n in rows}


def resolution_times(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Solved problems' time to resolution (办理时长), counted per category and whole hour.

    Columns: category (Chinese), hours (int, rounded), count. Grouped in SQL so that 40k
    problems come back as a few thousand rows.
    """
    hours = func.round(_days_between(conn, P.c.created_at, P.c.closed_at) * 24)
    rows = conn.execute(
        select(P.c.category, hours, func.count())
        .where(
            _solved_condition(scope),
            P.c.closed_at.is_not(None),
            _where(_of_targets_in_scope(P.c.target_id, scope, tree), *_between(P.c.created_at, scope)),
        )
        .group_by(P.c.category, hours)
    ).all()
    return _resolution_table(rows)


def _resolution_table(rows) -> pd.DataFrame:
    df = pd.DataFrame(
        [(PROBLEM_CATEGORIES.get(c, c), int(h), int(n)) for c, h, n in rows],
        columns=["category", "hours", "count"],
    )
    return df.sort_values(["category", "hours"], ignore_index=True)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The median of values repeated by weights (the mean of the two middle ones when even)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], np.cumsum(weights[order])
    n = int(w[-1])
    lo = v[np.searchsorted(w, (n - 1) // 2 + 1)]
    hi = v[np.searchsorted(w, n // 2 + 1)]
    return (float(lo) + float(hi)) / 2


def resolution_medians(times: pd.DataFrame) -> pd.DataFrame:
    """Median days to resolution and count per category, slowest first."""
    rows = []
    for cat, g in times.groupby("category"):
        med_h = _weighted_median(g["hours"].to_numpy(float), g["count"].to_numpy(np.int64))
        rows.append((cat, med_h / 24.0, int(g["count"].sum())))
    out = pd.DataFrame(rows, columns=["category", "median_days", "count"])
    return out.sort_values(["median_days", "category"], ascending=[False, True], ignore_index=True)


def resolution_histogram(
    times: pd.DataFrame, bins_days: tuple[float, ...] = (1, 3, 7, 15, 30)
) -> pd.DataFrame:
    """Solved problems per time-to-resolution class: ≤1 天, 1–3 天 … >30 天 (columns: label, count)."""
    edges = [0.0, *bins_days, np.inf]
    labels = [f"≤{bins_days[0]:g}天"]
    labels += [f"{a:g}–{b:g}天" for a, b in zip(bins_days, bins_days[1:], strict=False)]
    labels.append(f">{bins_days[-1]:g}天")
    days = times["hours"].to_numpy(float) / 24.0
    counts = np.zeros(len(labels), np.int64)
    if len(days):
        idx = np.searchsorted(np.asarray(edges[1:-1]), days, side="left")
        np.add.at(counts, idx, times["count"].to_numpy(np.int64))
    return pd.DataFrame({"label": labels, "count": counts})


def _overdue_condition(day: dt.date):
    """Not closed by the end of `day` and the deadline passed before `day`."""
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
    closed_by_then = and_(P.c.status.in_(CLOSED_STATUSES), or_(P.c.closed_at.is_(None), P.c.closed_at < end))
    return and_(P.c.deadline.is_not(None), P.c.deadline < day, P.c.created_at < end, not_(closed_by_then))


def overdue_by_unit(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Overdue problems (逾期问题) per handling unit as of scope.overdue_day, most first.

    Columns: unit, level, overdue.
    """
    rows = conn.execute(
        select(U.c.name, U.c.level, func.count())
        .select_from(P.outerjoin(U, U.c.id == P.c.unit_id))
        .where(
            _where(_overdue_condition(scope.overdue_day), _of_targets_in_scope(P.c.target_id, scope, tree))
        )
        .group_by(U.c.id, U.c.name, U.c.level)
    ).all()
    return _overdue_table(rows)


def _overdue_table(rows) -> pd.DataFrame:
    df = pd.DataFrame(
        [(n or NO_UNIT, lvl or "", int(c)) for n, lvl, c in rows], columns=["unit", "level", "overdue"]
    )
    return df.sort_values(["overdue", "unit"], ascending=[False, True], ignore_index=True)


def visits_by_team(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Visits per team (走访小组) in the range: columns team, visits, visited (met or phone)."""
    ok = func.sum(case((V.c.outcome.in_(VISITED_OUTCOMES), 1), else_=0))
    rows = conn.execute(
        select(TM.c.id, TM.c.name, func.count(), ok)
        .select_from(V.outerjoin(TM, TM.c.id == V.c.team_id))
        .where(_where(_of_targets_in_scope(V.c.target_id, scope, tree), *_between(V.c.visited_at, scope)))
        .group_by(TM.c.id, TM.c.name)
    ).all()
    df = pd.DataFrame(
        {
            "team_id": pd.Series([None if tid is None else int(tid) for tid, *_ in rows], dtype=object),
            "team": [name or NO_TEAM for _, name, _, _ in rows],
            "visits": np.array([int(n) for *_, n, _ in rows], np.int64),
            "visited": np.array([int(k or 0) for *_, k in rows], np.int64),
        }
    )
    return df.sort_values(["visits", "team"], ascending=[False, True], ignore_index=True)


def visits_by_session(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Visits per session (走访时段) of their round, plus one row for visits outside every session.

    Columns: session_id (None for the outside row), label, start, visits. In time order.
    """
    # a small scope is fastest driven by its targets' visits, a large one by each session's time range
    by_target = _small_scope(scope, tree)
    base = _where(
        _of_targets_in_scope(V.c.target_id, scope, tree, use_index=by_target),
        *_between(V.c.visited_at, scope),
    )
    # one count per session through the visited_at index; `round_id + 0` keeps SQLite from
    # walking the whole round through the round_id index instead
    inside = and_(V.c.visited_at >= S.c.start, V.c.visited_at <= S.c.end, (V.c.round_id + 0) == S.c.round_id)
    per_session = select(func.count()).where(inside, base).correlate(S).scalar_subquery()
    rows = conn.execute(select(S.c.id, S.c.label, S.c.start, per_session).order_by(S.c.start, S.c.id)).all()
    total = conn.execute(select(func.count()).select_from(V).where(base)).scalar()
    # a round's sessions do not overlap (schedule.py makes them so): the rest is outside them
    in_sessions = sum(int(r[3]) for r in rows)
    data = [(int(sid), label or "", start, int(n)) for sid, label, start, n in rows if n]
    df = pd.DataFrame(data, columns=["session_id", "label", "start", "visits"]).astype(
        {"session_id": "object"}
    )
    outside = int(total or 0) - int(in_sessions or 0)
    if outside:
        df.loc[len(df)] = [None, OUTSIDE_SESSIONS, None, outside]
    return df


def kind_totals(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Per target kind (群众家庭 / 企业 / 名士): targets, visited, problems and how they ended.

    Index: household, enterprise, notable. Columns: targets, visited, problems, solved,
    solved_on_spot, explained, rectification, open (not closed yet).
    """
    in_scope = _target_in_scope(scope, tree)
    targets = dict(
        conn.execute(select(T.c.kind, func.count()).where(_where(in_scope)).group_by(T.c.kind)).all()
    )
    visited = dict(
        conn.execute(
            select(T.c.kind, func.count(distinct(V.c.target_id)))
            .select_from(V.join(T, T.c.id == V.c.target_id))
            .where(_where(V.c.outcome.in_(VISITED_OUTCOMES), in_scope, *_between(V.c.visited_at, scope)))
            .group_by(T.c.kind)
        ).all()
    )
    solved = _solved_condition(scope)

    def n(cond):
        return func.sum(case((cond, 1), else_=0))

    closed_by_end = P.c.status.in_(CLOSED_STATUSES)
    if scope.end is not None:
        closed_by_end = and_(closed_by_end, or_(P.c.closed_at.is_(None), P.c.closed_at < scope.end))
    probs = {
        r[0]: r[1:]
        for r in conn.execute(
            select(
                T.c.kind,
                func.count(),
                n(solved),
                n(and_(solved, P.c.solved_on_spot)),
                n(and_(P.c.status == ProblemStatus.EXPLAINED, closed_by_end)),
                n(and_(P.c.status == ProblemStatus.RECTIFICATION, closed_by_end)),
                n(not_(closed_by_end)),
            )
            .select_from(P.join(T, T.c.id == P.c.target_id))
            .where(_where(in_scope, *_between(P.c.created_at, scope)))
            .group_by(T.c.kind)
        ).all()
    }
    kinds = TargetKind.values()
    cols = ["problems", "solved", "solved_on_spot", "explained", "rectification", "open"]
    rows = []
    for k in kinds:
        p = probs.get(k, (0,) * len(cols))
        rows.append(
            {
                "targets": int(targets.get(k, 0)),
                "visited": int(visited.get(k, 0)),
                **{c: int(v or 0) for c, v in zip(cols, p, strict=True)},
            }  # fmt: skip
        )
    return pd.DataFrame(rows, index=list(kinds))


def problems_by_area(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Per area that holds targets (village): problems collected, solved, closed, and overdue.

    Index: area id. Columns: problems, solved, closed (resolved / explained / rectification by
    the end of the range), overdue (as of scope.overdue_day, whenever raised). Roll up with
    :func:`roll_up`.
    """
    in_scope = _target_in_scope(scope, tree)

    def n(cond):
        return func.sum(case((cond, 1), else_=0))

    closed = P.c.status.in_(CLOSED_STATUSES)
    if scope.end is not None:
        closed = and_(closed, or_(P.c.closed_at.is_(None), P.c.closed_at < scope.end))
    rows = conn.execute(
        select(T.c.area_id, func.count(), n(_solved_condition(scope)), n(closed))
        .select_from(P.join(T, T.c.id == P.c.target_id))
        .where(_where(in_scope, *_between(P.c.created_at, scope)))
        .group_by(T.c.area_id)
    ).all()
    over = dict(
        conn.execute(
            select(T.c.area_id, func.count())
            .select_from(P.join(T, T.c.id == P.c.target_id))
            .where(_where(in_scope, _overdue_condition(scope.overdue_day)))
            .group_by(T.c.area_id)
        ).all()
    )
    df = pd.DataFrame(
        [(int(a), int(p), int(s or 0), int(c or 0)) for a, p, s, c in rows],
        columns=["area_id", "problems", "solved", "closed"],
    ).set_index("area_id")
    df = df.reindex(sorted(set(df.index) | set(over)), fill_value=0)
    df["overdue"] = pd.Series(over, dtype="int64").reindex(df.index, fill_value=0)
    return df.astype("int64")


def households_by_area(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Per area that holds targets: households, special-group households, and how many of each
    were visited (met or phone) in the range. Index: area id."""
    in_scope = _target_in_scope(scope, tree)
    special = or_(T.c.elderly_alone, T.c.disabled, T.c.hardship)
    hh = _where(T.c.kind == TargetKind.HOUSEHOLD, in_scope)
    counts = conn.execute(
        select(T.c.area_id, func.count(), func.sum(case((special, 1), else_=0)))
        .where(hh)
        .group_by(T.c.area_id)
    ).all()
    visited = conn.execute(
        select(
            T.c.area_id,
            func.count(distinct(V.c.target_id)),
            func.count(distinct(case((special, V.c.target_id), else_=None))),
        )
        .select_from(V.join(T, T.c.id == V.c.target_id))
        .where(hh, _where(V.c.outcome.in_(VISITED_OUTCOMES), *_between(V.c.visited_at, scope)))
        .group_by(T.c.area_id)
    ).all()
    df = pd.DataFrame(
        [(int(a), int(n), int(sp or 0)) for a, n, sp in counts],
        columns=["area_id", "households", "special_households"],
    ).set_index("area_id")
    v = pd.DataFrame(
        [(int(a), int(n), int(sp or 0)) for a, n, sp in visited],
        columns=["area_id", "visited", "special_visited"],
    ).set_index("area_id")
    return df.join(v, how="left").fillna(0).astype("int64")


def problems_by_unit(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Per handling unit (承办单位): problems collected in the range, solved, overdue, median days.

    Columns: unit_id (None: no unit), unit, level, problems, solved, overdue, median_days.
    """
    in_scope = _of_targets_in_scope(P.c.target_id, scope, tree)
    solved = _solved_condition(scope)
    rows = conn.execute(
        select(P.c.unit_id, func.count(), func.sum(case((solved, 1), else_=0)))
        .where(_where(in_scope, *_between(P.c.created_at, scope)))
        .group_by(P.c.unit_id)
    ).all()
    over = dict(
        conn.execute(
            select(P.c.unit_id, func.count())
            .where(_where(in_scope, _overdue_condition(scope.overdue_day)))
            .group_by(P.c.unit_id)
        ).all()
    )
    hours = func.round(_days_between(conn, P.c.created_at, P.c.closed_at) * 24)
    dist = conn.execute(
        select(P.c.unit_id, hours, func.count())
        .where(solved, P.c.closed_at.is_not(None), _where(in_scope, *_between(P.c.created_at, scope)))
        .group_by(P.c.unit_id, hours)
    ).all()
    units = {r[0]: (r[1], r[2]) for r in conn.execute(select(U.c.id, U.c.name, U.c.level)).all()}
    per = {}
    for uid, h, n in dist:
        per.setdefault(uid, ([], []))
        per[uid][0].append(float(h))
        per[uid][1].append(int(n))
    data = {}
    for uid, n, s in rows:
        data[uid] = [int(n), int(s or 0), 0]
    for uid, n in over.items():
        data.setdefault(uid, [0, 0, 0])[2] = int(n)
    out = []
    for uid, (n, s, o) in data.items():
        name, level = units.get(uid, (NO_UNIT, ""))
        med = (
            _weighted_median(np.array(per[uid][0]), np.array(per[uid][1], np.int64)) / 24.0
            if uid in per
            else np.nan
        )
        out.append((uid, name, level, n, s, o, med))
    df = pd.DataFrame(
        out, columns=["unit_id", "unit", "level", "problems", "solved", "overdue", "median_days"]
    )
    df["unit_id"] = pd.Series([r[0] for r in out], dtype=object)
    return df


def last_visit_by_area(conn: Connection, scope: Scope, tree: AreaTree) -> pd.Series:
    """Per area that holds targets: the time of the latest visit (any outcome) up to the range end."""
    conds = [_target_in_scope(scope, tree)]
    if scope.end is not None:
        conds.append(V.c.visited_at < scope.end)
    rows = conn.execute(
        select(T.c.area_id, func.max(V.c.visited_at))
        .select_from(V.join(T, T.c.id == V.c.target_id))
        .where(_where(*conds))
        .group_by(T.c.area_id)
    ).all()
    return pd.Series({int(a): pd.Timestamp(t) for a, t in rows if t is not None}, dtype="datetime64[ns]")


def roll_up(tree: AreaTree, per_leaf: pd.DataFrame | pd.Series, area_ids: Iterable[int], how: str = "sum"):
    """Totals (or maxima) over each given area's subtree from per-leaf figures."""
    out = {}
    for aid in area_ids:
        sub = per_leaf.reindex([i for i in tree.descendants(aid) if i in per_leaf.index])
        out[aid] = sub.max() if how == "max" else sub.sum()
    if isinstance(per_leaf, pd.Series):
        return pd.Series(out, dtype=per_leaf.dtype)
    return (
        pd.DataFrame.from_dict(out, orient="index", columns=per_leaf.columns)
        .fillna(0)
        .astype(per_leaf.dtypes)
    )


# -- the dashboard's fast path: one read of the visits serves several figures ------------------
# At 250k households SQLite needs ~0.15 s per scan of the visit table; the dashboard would scan
# it four times (first visits, teams, sessions, coverage). Instead the visits of the scope are
# read once as numpy arrays, and those figures are computed from them — with the same
# definitions as the SQL functions above (the tests check both against direct SQL).
OUTCOME_CODES = Outcome.values()  # the codes are indexes into vocab.OUTCOMES (coverage's too)
VISITED_CODES = tuple(outcome_code(o) for o in vocab.VISITED_OUTCOMES)  # met, phone
_UNKNOWN_CODE = 7  # an outcome outside the vocabulary (fits the 3 bits it is packed in): refused


@dataclass
class VisitArrays:
    """The scope's visits as columns: target_id, team_id (0: none), round_id (0: none), jd
    (julian day of visited_at, computed by the database), outcome (index into OUTCOME_CODES)."""

    target_id: np.ndarray
    team_id: np.ndarray
    round_id: np.ndarray
    jd: np.ndarray
    outcome: np.ndarray

    def __len__(self) -> int:
        return len(self.target_id)


def _julian(conn: Connection, col):
    if conn.dialect.name == "sqlite":
        return func.julianday(col)
    return extract("epoch", col) / 86400.0 + 2440587.5


def _jd_of(conn: Connection, when: dt.datetime | None) -> float | None:
    """A time as the database's own julian day (so comparisons match the stored values exactly)."""
    if when is None:
        return None
    from sqlalchemy import DateTime
    from sqlalchemy import literal as lit

    return float(conn.execute(select(_julian(conn, lit(when, DateTime)))).scalar())


def _jd_date(jd: np.ndarray) -> list[dt.date]:
    ordinals = np.floor(np.asarray(jd) - 1721424.5).astype(np.int64)
    return [dt.date.fromordinal(int(o)) for o in ordinals]


def _raw_rows(conn: Connection, query) -> np.ndarray:
    """All rows of a numeric query as one float64 array, straight from the DBAPI cursor
    (SQLAlchemy's Row objects cost ~10× more at 200k rows)."""
    res = conn.execute(query)
    rows = res.cursor.fetchall()
    res.close()
    if not rows:
        return np.zeros((0, 0))
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.float64, count=len(rows) * len(rows[0]))
    return flat.reshape(len(rows), -1)


def _raw_tuples(conn: Connection, query) -> list[tuple]:
    """Rows as plain tuples from the DBAPI cursor (dates stay as the driver returns them)."""
    res = conn.execute(query)
    rows = res.cursor.fetchall()
    res.close()
    return rows


def counts_from(targets: pd.DataFrame, scope: Scope, tree: AreaTree) -> dict:
    """:func:`household_counts` from the target list (id, area_id, kind, special)."""
    from gisplanner.supervision import household_targets

    hh = household_targets(targets, scope, tree)
    return {"households": int(len(hh)), "special_households": int(hh["special"].sum())}


def load_visits(conn: Connection, scope: Scope, tree: AreaTree) -> VisitArrays:
    """Every visit of the scope's targets (all dates: coverage counts whole rounds).

    Read as three numbers a row (target·8 + outcome, team·2^20 + round, julian day): fewer
    Python objects per row, exact in float64 for ids below 2^30.
    """
    code = case(*[(V.c.outcome == o, i) for i, o in enumerate(OUTCOME_CODES)], else_=_UNKNOWN_CODE)
    q = select(
        V.c.target_id * 8 + code,
        func.coalesce(V.c.team_id, 0) * 1_048_576 + func.coalesce(V.c.round_id, 0),
        _julian(conn, V.c.visited_at),
    ).where(_where(_of_targets_in_scope(V.c.target_id, scope, tree)))
    a = _raw_rows(conn, q)
    if a.size == 0:
        a = np.zeros((0, 3))
    tc = a[:, 0].astype(np.int64)
    tr = a[:, 1].astype(np.int64)
    if ((tc & 7) == _UNKNOWN_CODE).any():
        bad = conn.execute(select(V.c.outcome).where(V.c.outcome.not_in(OUTCOME_CODES)).distinct()).scalars()
        raise UnknownValueError(f"走访记录（visit.outcome）中有不认识的走访结果：{'、'.join(map(repr, sorted(bad)))}")
    return VisitArrays(
        target_id=tc >> 3,
        team_id=tr >> 20,
        round_id=tr & 1_048_575,
        jd=a[:, 2],
        outcome=(tc & 7).astype(np.int8),
    )


def _in_range(conn: Connection, v: VisitArrays, scope: Scope) -> np.ndarray:
    keep = np.ones(len(v), bool)
    start, end = _jd_of(conn, scope.start), _jd_of(conn, scope.end)
    if start is not None:
        keep &= v.jd >= start
    if end is not None:
        keep &= v.jd < end
    return keep


def first_days_from(conn: Connection, v: VisitArrays, scope: Scope, targets: pd.DataFrame) -> pd.DataFrame:
    """:func:`visited_first_days` from the visit arrays and the target list (id, kind, special)."""
    ok = _in_range(conn, v, scope) & np.isin(v.outcome, VISITED_CODES)
    ids = targets["id"].to_numpy(np.int64)
    pos = np.searchsorted(ids, v.target_id[ok])
    pos = np.clip(pos, 0, max(len(ids) - 1, 0))
    known = (ids[pos] == v.target_id[ok]) if len(ids) else np.zeros(0, bool)
    hh = known & (targets["kind"] == TargetKind.HOUSEHOLD.value).to_numpy()[pos] if len(ids) else known
    tid, jd = v.target_id[ok][hh], v.jd[ok][hh]
    special = targets["special"].to_numpy(bool)[pos[hh]] if len(ids) else np.zeros(0, bool)
    if len(tid) == 0:
        return pd.DataFrame({"day": [], "special": [], "households": []})
    order = np.lexsort((jd, tid))
    tid, jd, special = tid[order], jd[order], special[order]
    first = np.r_[True, tid[1:] != tid[:-1]]
    day_ord = np.floor(jd[first] - 1721424.5).astype(np.int64)
    frame = pd.DataFrame({"ord": day_ord, "special": special[first]})
    g = frame.groupby(["ord", "special"]).size().reset_index(name="households")
    g["day"] = [dt.date.fromordinal(int(o)) for o in g["ord"]]
    return g[["day", "special", "households"]].sort_values(["day", "special"], ignore_index=True)


def teams_from(conn: Connection, v: VisitArrays, scope: Scope) -> pd.DataFrame:
    """:func:`visits_by_team` from the visit arrays."""
    keep = _in_range(conn, v, scope)
    team = v.team_id[keep]
    ok = np.isin(v.outcome[keep], VISITED_CODES)
    uniq, inv = np.unique(team, return_inverse=True)
    visits = np.bincount(inv, minlength=len(uniq))
    visited = np.bincount(inv, weights=ok, minlength=len(uniq)).astype(np.int64)
    names = dict(
        conn.execute(select(TM.c.id, TM.c.name).where(TM.c.id.in_([int(t) for t in uniq if t]))).all()
    )
    df = pd.DataFrame(
        {
            "team_id": pd.Series([int(t) if t else None for t in uniq], dtype=object),
            "team": [names.get(int(t), NO_TEAM) if t else NO_TEAM for t in uniq],
            "visits": visits.astype(np.int64),
            "visited": visited,
        }
    )
    return df.sort_values(["visits", "team"], ascending=[False, True], ignore_index=True)


def sessions_from(conn: Connection, v: VisitArrays, scope: Scope) -> pd.DataFrame:
    """:func:`visits_by_session` from the visit arrays (sessions compared in julian days)."""
    keep = _in_range(conn, v, scope)
    rnd, jd = v.round_id[keep], v.jd[keep]
    rows = conn.execute(
        select(
            S.c.id, S.c.round_id, S.c.label, S.c.start, _julian(conn, S.c.start), _julian(conn, S.c.end)
        ).order_by(S.c.start, S.c.id)
    ).all()
    by_round: dict[int, np.ndarray] = {}
    data, inside = [], 0
    for sid, rid, label, start, a, b in rows:
        if rid not in by_round:
            by_round[rid] = np.sort(jd[rnd == rid])
        t = by_round[rid]
        n = int(np.searchsorted(t, b, side="right") - np.searchsorted(t, a, side="left"))
        if n:
            data.append((int(sid), label or "", start, n))
            inside += n
    df = pd.DataFrame(data, columns=["session_id", "label", "start", "visits"]).astype(
        {"session_id": "object"}
    )
    outside = int(keep.sum()) - inside
    if outside:
        df.loc[len(df)] = [None, OUTSIDE_SESSIONS, None, outside]
    return df


def load_problems(conn: Connection, scope: Scope, tree: AreaTree) -> pd.DataFrame:
    """Every problem of the scope's targets with julian-day times (created, closed, deadline)."""
    q = select(
        P.c.category, P.c.status, _julian(conn, P.c.created_at), _julian(conn, P.c.closed_at),
        _julian(conn, P.c.deadline), func.coalesce(P.c.unit_id, 0), P.c.target_id,
        func.coalesce(P.c.round_id, 0), P.c.deadline,
    ).where(_where(_of_targets_in_scope(P.c.target_id, scope, tree)))  # fmt: skip
    cols = [
        "category",
        "status",
        "created",
        "closed",
        "deadline",
        "unit_id",
        "target_id",
        "round_id",
        "deadline_date",
    ]
    df = pd.DataFrame(_raw_tuples(conn, q), columns=cols)
    for c in ("created", "closed", "deadline"):
        df[c] = df[c].astype(float)
    for c in ("unit_id", "target_id", "round_id"):
        df[c] = df[c].astype(np.int64)
    return df


def _collected_mask(conn: Connection, p: pd.DataFrame, scope: Scope) -> tuple[np.ndarray, np.ndarray]:
    """Problems created in the range, and of those the ones solved by its end."""
    created = p["created"].to_numpy()
    keep = np.ones(len(p), bool)
    start, end = _jd_of(conn, scope.start), _jd_of(conn, scope.end)
    if start is not None:
        keep &= created >= start
    if end is not None:
        keep &= created < end
    solved = keep & (p["status"].to_numpy() == ProblemStatus.RESOLVED.value)
    if end is not None:
        closed = p["closed"].to_numpy()
        solved &= np.isnan(closed) | (closed < end)
    return keep, solved


def _per_day(jd: np.ndarray) -> pd.Series:
    jd = jd[~np.isnan(jd)]
    if len(jd) == 0:
        return pd.Series(dtype="int64")
    ords, n = np.unique(np.floor(jd - 1721424.5).astype(np.int64), return_counts=True)
    return pd.Series(n.astype(np.int64), index=[dt.date.fromordinal(int(o)) for o in ords])


def problem_figures_from(conn: Connection, p: pd.DataFrame, scope: Scope) -> dict:
    """:func:`problem_days`, :func:`problems_by_category_status`, :func:`resolution_times` and
    :func:`overdue_by_unit` from one read of the problems."""
    collected, solved = _collected_mask(conn, p, scope)
    out = {
        "problem_days": {
            "problems_collected": _per_day(p["created"].to_numpy()[collected]),
            "problems_solved": _per_day(p["closed"].to_numpy()[solved]),
        }
    }
    cs = p[collected].groupby(["category", "status"]).size()
    out["by_category_status"] = _category_status_table([(c, st_, n) for (c, st_), n in cs.items()])
    done = p[solved & p["closed"].notna().to_numpy()]
    # SQL round(): half away from zero (durations are never negative)
    hours = np.floor((done["closed"].to_numpy() - done["created"].to_numpy()) * 24 + 0.5).astype(np.int64)
    rh = (
        pd.DataFrame({"category": done["category"].to_numpy(), "hours": hours})
        .groupby(["category", "hours"])
        .size()
    )
    out["resolution"] = _resolution_table([(c, h, n) for (c, h), n in rh.items()])
    day = scope.overdue_day
    day_jd = _jd_of(conn, dt.datetime.combine(day, dt.time()))
    end_jd = _jd_of(conn, dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    closed = p["closed"].to_numpy()
    closed_by_then = p["status"].isin(CLOSED_STATUSES).to_numpy() & (np.isnan(closed) | (closed < end_jd))
    deadline = p["deadline"].to_numpy()
    over = ~np.isnan(deadline) & (deadline < day_jd) & (p["created"].to_numpy() < end_jd) & ~closed_by_then
    per_unit = pd.Series(p["unit_id"].to_numpy()[over]).value_counts()
    units = {
        int(i): (n, lvl)
        for i, n, lvl in conn.execute(
            select(U.c.id, U.c.name, U.c.level).where(U.c.id.in_([int(u) for u in per_unit.index if u]))
        ).all()
    }
    out["overdue"] = _overdue_table([(*units.get(int(u), (None, None)), int(n)) for u, n in per_unit.items()])
    return out


def coverage_from(
    store: Store,
    conn: Connection,
    v: VisitArrays,
    problems: pd.DataFrame,
    scope: Scope,
    tree: AreaTree,
    targets: pd.DataFrame,
) -> pd.DataFrame:
    """The dashboard's coverage bars: coverage.py's arithmetic (``coverage.compute``) on inputs
    gathered here from the visit arrays already read (see supervision.coverage_rows for the columns)."""
    from gisplanner import coverage as cov
    from gisplanner.supervision import coverage_table, household_targets, scope_rounds

    rounds = scope_rounds(store, scope)
    areas = cov.load_areas(store)
    hh = household_targets(targets, scope, tree)
    in_round = np.isin(v.round_id, rounds)
    keep = cov.round_target_mask(store, rounds, areas, hh)
    keep |= np.isin(hh["id"].to_numpy(), v.target_id[in_round])  # visited in the rounds: always counted
    visits = pd.DataFrame({"target_id": v.target_id[in_round], "outcome_code": v.outcome[in_round]})
    in_rounds = problems[problems["round_id"].isin(rounds)]
    probs = pd.DataFrame(
        {
            "target_id": in_rounds["target_id"].to_numpy(np.int64),
            "status": in_rounds["status"].to_numpy(),
            "deadline": pd.to_datetime(in_rounds["deadline_date"]),
        }
    )
    inp = cov.CoverageInputs(
        areas=areas,
        targets=hh[keep].reset_index(drop=True),
        visits=visits,
        problems=probs,
        round_ids=tuple(rounds),
    )
    return coverage_table(cov.compute(inp, today=scope.overdue_day), scope, tree)


# -- everything the dashboard shows, in one pass ------------------------------------------------
@dataclass
class DashboardFigures:
    """All dashboard figures for one scope (plain data: DataFrames and dicts)."""

    scope: Scope
    totals: dict
    cumulative: pd.DataFrame
    coverage: pd.DataFrame  # per area: area, code, households, visited, coverage, special …
    by_category_status: pd.DataFrame
    resolution: pd.DataFrame
    resolution_median: pd.DataFrame
    overdue: pd.DataFrame
    teams: pd.DataFrame
    sessions: pd.DataFrame
    seconds: float = 0.0
    timings: dict = field(default_factory=dict)


# lanes of work that can run side by side on their own connections: (key, message) steps
_LANES: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("visits", "读取走访记录"),
        ("first_days", "首次走访"),
        ("teams", "小组走访量"),
        ("sessions", "时段走访量"),
    ),
    (("counts", "统计户数"), ("problems", "读取问题"), ("problem_figures", "问题类别、时长与逾期")),
)
_LAST = (("coverage", "覆盖率"),)  # needs the visits and the problems that the two lanes read


def dashboard_figures(
    store: Store,
    scope: Scope,
    progress: Progress = None,
    *,
    targets: pd.DataFrame | None = None,
    workers: int = 1,
) -> DashboardFigures:
    """Compute every dashboard figure for a scope (safe in a worker thread).

    ``targets``: ``coverage.load_targets(store)`` kept between refreshes (the target list changes
    far less often than visits; read here when not given). ``workers`` > 1 runs the two lanes
    on separate connections at once (SQLite readers do not block each other in WAL mode).
    """
    from gisplanner import coverage as cov

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    out: dict = {}
    tree = AreaTree.load(store)
    if targets is None:
        t = time.perf_counter()
        targets = cov.load_targets(store)
        timings["targets"] = time.perf_counter() - t
    total_steps = sum(len(lane) for lane in _LANES) + len(_LAST)
    done = [0]

    def step(conn, key: str):
        t = time.perf_counter()
        if key == "visits":
            out[key] = load_visits(conn, scope, tree)
        elif key == "first_days":
            out[key] = first_days_from(conn, out["visits"], scope, targets)
        elif key == "teams":
            out[key] = teams_from(conn, out["visits"], scope)
        elif key == "sessions":
            out[key] = sessions_from(conn, out["visits"], scope)
        elif key == "coverage":
            out[key] = coverage_from(store, conn, out["visits"], out["problems"], scope, tree, targets)
        elif key == "counts":
            out[key] = counts_from(targets, scope, tree)
        elif key == "problems":
            out[key] = load_problems(conn, scope, tree)
        elif key == "problem_figures":
            out.update(problem_figures_from(conn, out["problems"], scope))
        else:
            raise KeyError(key)
        timings[key] = time.perf_counter() - t

    def run_lane(lane, check: bool) -> None:
        with store.engine.connect() as conn:
            prepare_scope(conn, scope)
            for key, msg in lane:
                if check:
                    _report(progress, done[0] / total_steps, msg)
                step(conn, key)
                done[0] += 1
            conn.rollback()

    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        _report(progress, 0.0, "统计中")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for f in [pool.submit(run_lane, lane, False) for lane in _LANES]:
                f.result()
    else:
        for lane in _LANES:
            run_lane(lane, True)
    run_lane(_LAST, True)
    _report(progress, 1.0, "完成")
    out.pop("visits")
    out.pop("problems")
    first = out.pop("first_days")
    return DashboardFigures(
        scope=scope,
        totals=_totals(out.pop("counts"), first),
        cumulative=cumulative_table(first, out.pop("problem_days")),
        resolution_median=resolution_medians(out["resolution"]),
        seconds=time.perf_counter() - t0,
        timings=timings,
        **out,
    )


def _report(progress: Progress, frac: float, msg: str) -> None:
    if progress is not None and progress(frac, msg) is False:
        raise StatsCancelled("已取消")


def run_figures(store: Store, scope: Scope, fns: Iterable[Callable]) -> list:
    """Run figure functions on one connection (for callers that need only a few)."""
    with store.engine.connect() as conn:
        tree = AreaTree.load(conn)
        prepare_scope(conn, scope)
        res = [fn(conn, scope, tree) for fn in fns]
        conn.rollback()
    return res
