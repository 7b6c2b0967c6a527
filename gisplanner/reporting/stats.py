"""Progress figures (进度统计) for the supervision table and the summary report, and the pieces
the dashboard (:mod:`gisplanner.reporting.dashboard`) shares: scope, area tree, problem figures.

Each figure has one implementation: per area, unit and kind an SQL aggregate (portable SQLite /
PostgreSQL); the problem figures (per category and status, time to resolution, overdue per
unit, per day) from one read of the scope's problems (:func:`load_problems`,
:func:`problem_figures_from`). The tests recount every figure with independent SQL
(``tests/stats_oracle.py``). What counts (the definitions are the same everywhere):

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

Size: about 700 lines, one job (the definitions above, as SQL conditions and the figures built
on them); the scope conditions are shared by every figure, so a split would export them all.
``AreaTree`` (80 lines) belongs to the one area-tree module of issue 16 and leaves with it.

Length: the scope conditions every figure shares sit beside the figures; splitting them would
spread one definition of "in scope" over modules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    DateTime,
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

from gisplanner.store import vocab
from gisplanner.store.area_tree import AreaTree
from gisplanner.store.database import Store
from gisplanner.store.model import (
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
from gisplanner.store.vocab import CLOSED_STATUSES, ProblemStatus, TargetKind

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


# -- tables shared by the dashboard and the reports ---------------------------------------------------
def _totals(counts: dict, first_days: pd.DataFrame) -> dict:
    visited = int(first_days["households"].sum())
    special_visited = int(first_days.loc[first_days["special"], "households"].sum())
    return {**counts, "households_visited": visited, "special_visited": special_visited}


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


def _overdue_table(rows) -> pd.DataFrame:
    df = pd.DataFrame(
        [(n or NO_UNIT, lvl or "", int(c)) for n, lvl, c in rows], columns=["unit", "level", "overdue"]
    )
    return df.sort_values(["overdue", "unit"], ascending=[False, True], ignore_index=True)


# -- figures per kind, area and unit (SQL aggregates) -------------------------------------------
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


# -- problem figures from one read of the problems ---------------------------------------------------
def _julian(conn: Connection, col):
    if conn.dialect.name == "sqlite":
        return func.julianday(col)
    return extract("epoch", col) / 86400.0 + 2440587.5


def _jd_of(conn: Connection, when: dt.datetime | None) -> float | None:
    """A time as the database's own julian day (so comparisons match the stored values exactly)."""
    if when is None:
        return None
    return float(conn.execute(select(_julian(conn, literal(when, DateTime)))).scalar())


def _raw_tuples(conn: Connection, query) -> list[tuple]:
    """Rows as plain tuples from the DBAPI cursor (dates stay as the driver returns them)."""
    res = conn.execute(query)
    rows = res.cursor.fetchall()
    res.close()
    return rows


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
    """The problem figures from one read of the problems (:func:`load_problems`):

    - ``problem_days``: problems collected per day of creation and solved per day of closing
      (of those collected in the range);
    - ``by_category_status``: problems collected in the range, a category × status table of
      counts (Chinese labels; rows in PROBLEM_CATEGORIES order, columns in ProblemStatus order);
    - ``solved_by_category``: of those, solved by the end of the range, per category (Chinese);
    - ``resolution``: solved problems' time to resolution (办理时长) per category and whole
      hour (columns category, hours, count);
    - ``overdue``: overdue problems (逾期) per handling unit as of scope.overdue_day, most
      first (columns unit, level, overdue).
    """
    collected, solved = _collected_mask(conn, p, scope)
    out = {
        "problem_days": {
            "problems_collected": _per_day(p["created"].to_numpy()[collected]),
            "problems_solved": _per_day(p["closed"].to_numpy()[solved]),
        }
    }
    cs = p[collected].groupby(["category", "status"]).size()
    out["by_category_status"] = _category_status_table([(c, st_, n) for (c, st_), n in cs.items()])
    per_cat = p[solved].groupby("category").size()
    out["solved_by_category"] = {PROBLEM_CATEGORIES.get(c, c): int(n) for c, n in per_cat.items()}
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


def problem_figures(conn: Connection, scope: Scope, tree: AreaTree) -> dict:
    """:func:`problem_figures_from` after reading the scope's problems (a figure for :func:`run_figures`)."""
    return problem_figures_from(conn, load_problems(conn, scope, tree), scope)


def run_figures(store: Store, scope: Scope, fns: Iterable[Callable]) -> list:
    """Run figure functions on one connection (for callers that need only a few)."""
    with store.engine.connect() as conn:
        tree = AreaTree.load(conn)
        prepare_scope(conn, scope)
        res = [fn(conn, scope, tree) for fn in fns]
        conn.rollback()
    return res
