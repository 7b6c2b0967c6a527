"""Coverage (走访覆盖) per area and per target, and the targets of the next round.

For a round (or several rounds, e.g. all rounds in a date range) this counts, for every area
at every level (village 村/社区 → town 镇/街道 → district 区 → city 市, rolled up through
``Area.parent_id``): the targets, how many were visited at all, met in person, attempted but
not met (by the strongest outcome: moved, refused, phone, not home), special-group targets
(``model.SPECIAL_GROUP_TAGS``) and how many of them were met, the problems raised and how many
are still open or overdue. Each area gets a status class and three need flags:

* status — ``not_started`` (no target visited), ``partial``, ``complete`` (every target
  visited at least once), ``empty`` (no targets at all);
* 补课访 makeup — targets never met in person (visited but missed, or not visited);
* 重点访 priority — special-group targets (elderly living alone, disabled, hardship) not met;
* 回头访 return — targets with many problems (≥ ``min_problems``) or with unresolved ones.

A flag is raised when the share of targets with that need reaches a threshold
(:class:`NeedThresholds`; 0 means "any").

Which targets belong to a round: a regular round (常规走访) with a scope area covers every
target in the scope (一户不落); other rounds (补课访/重点访/回头访, or no scope) cover their
assignments; a round with neither covers every target. Targets visited in the round are
always included. Problems counted are those raised in the round(s).

Everything is computed with numpy on column arrays: :func:`load_inputs` reads the few columns
needed from the store (or reuses a targets frame the caller already has), :func:`compute`
does the arithmetic, :func:`coverage` does both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from gisplanner.progress import Progress, check, finish
from gisplanner.store.area_tree import subtree_ids
from gisplanner.store.database import Store
from gisplanner.store.model import SPECIAL_GROUP_TAGS
from gisplanner.store.vocab import (
    CLOSED_STATUSES,
    Outcome,
    ProblemStatus,
    RoundKind,
    TargetKind,
    UnknownValueError,
    outcome_code,
    sql_code_case,
)

STATUS_CLASSES = ("not_started", "partial", "complete", "empty")
STATUS_ZH = {"not_started": "未开始", "partial": "部分完成", "complete": "已完成", "empty": "无走访对象"}
NEEDS = ("makeup", "priority", "return")
NEED_ZH = {"makeup": "补课访", "priority": "重点访", "return": "回头访"}

KINDS = TargetKind.values()
# Visit outcomes as small integer codes (their index in vocab.OUTCOMES); -1 = never visited.
OUTCOMES = Outcome.values()
MET, NOT_HOME, REFUSED, MOVED, PHONE = (outcome_code(o) for o in Outcome)
_UNKNOWN = -1  # the SQL code of a value outside the vocabulary: refused, never counted

# Per-area count columns, in the order of the internal matrix.
COUNT_COLUMNS = (
    "targets", "households", "enterprises", "notables", "visited", "met", "unmet_visited",
    "not_home", "refused", "moved", "phone", "never_met", "special_targets", "special_met",
    "special_not_met", "problems", "open_problems", "overdue_problems", "many_problem_targets",
    "unresolved_targets", "return_targets",
)  # fmt: skip


@dataclass(frozen=True)
class NeedThresholds:
    """When an area is flagged: share of targets with the need (0 = any one target).

    ``min_problems``: a target with at least this many problems needs a return visit (回头访)
    even when they are all solved.
    """

    makeup: float = 0.10  # never met / targets
    priority: float = 0.10  # special-group not met / special-group targets
    ret: float = 0.05  # return-visit targets / targets
    min_problems: int = 2


@dataclass
class CoverageInputs:
    """The columns coverage needs, for the targets of the chosen round(s).

    ``targets``: id, area_id, kind, special (bool). ``visits``: target_id and
    outcome_code (index into OUTCOMES) or outcome (string). ``problems``: target_id, status, deadline. ``areas``: id, code, name, level,
    parent_id.
    """

    areas: pd.DataFrame
    targets: pd.DataFrame
    visits: pd.DataFrame
    problems: pd.DataFrame
    round_ids: tuple[int, ...] = ()


@dataclass
class Coverage:
    """The result: one row per area (``areas``) and one row per target (``targets``)."""

    areas: pd.DataFrame
    targets: pd.DataFrame
    round_ids: tuple[int, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    thresholds: NeedThresholds = field(default_factory=NeedThresholds)

    # -- per-target lists the next-round rules reuse ------------------------------------
    def never_met_ids(self) -> np.ndarray:
        """补课访 candidates: targets never met in person (moved-away targets excluded)."""
        return self.targets.loc[self.targets["never_met"], "id"].to_numpy()

    def special_not_met_ids(self) -> np.ndarray:
        """重点访 candidates: special-group targets not met in person."""
        return self.targets.loc[self.targets["special_not_met"], "id"].to_numpy()

    def return_ids(self) -> np.ndarray:
        """回头访 candidates: targets with many problems or with unresolved ones."""
        return self.targets.loc[self.targets["return_visit"], "id"].to_numpy()

    def area_status(self, area_ids: Iterable[int]) -> np.ndarray:
        return self.areas["status"].reindex(list(area_ids)).fillna("empty").to_numpy()

    def level(self, level: str) -> pd.DataFrame:
        return self.areas[self.areas["level"] == level]


# -- reading from the store ------------------------------------------------------------------
def rounds_in_range(store: Store, start: dt.date, end: dt.date) -> list[int]:
    """Ids of the rounds whose dates overlap [start, end] (rounds without dates: by creation)."""
    df = store.read_frame("SELECT id, start_date, end_date, created_at FROM round ORDER BY id")
    if df.empty:
        return []
    s = pd.to_datetime(df["start_date"]).fillna(pd.to_datetime(df["created_at"])).dt.date
    e = pd.to_datetime(df["end_date"]).dt.date
    e = e.where(e.notna(), s)
    keep = (s <= end) & (e >= start)
    return [int(i) for i in df.loc[keep, "id"]]


def _fetch(store: Store, sql: str, params: Sequence = ()) -> list[tuple]:
    """Rows through the DBAPI cursor: several times faster than pandas.read_sql at 250k rows."""
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(sql, tuple(params)) if params else cur.execute(sql)
        return cur.fetchall()
    finally:
        raw.close()


def _int_columns(
    store: Store, exprs: Sequence[str], table_sql: str, params: Sequence = ()
) -> list[np.ndarray]:
    """Integer columns (no NULLs) of one query, as int64 arrays.

    SQLite: each column comes as one string joined by SQLite (group_concat; the aggregates of
    one query step through the same rows in the same order) and parsed by numpy, so there is no
    Python tuple per row (1.5 million visits: 0.4 s instead of 1 s of CPU); else the cursor."""
    if not store.is_sqlite:
        rows = _fetch(store, f"SELECT {', '.join(exprs)} {table_sql}", params)
        a = np.array(rows, dtype=np.int64).reshape(-1, len(exprs))
        return [a[:, i] for i in range(len(exprs))]
    cols = ", ".join(f"group_concat({e})" for e in exprs)
    texts = _fetch(store, f"SELECT {cols} {table_sql}", params)[0]
    return [np.fromstring(t, dtype=np.int64, sep=",") if t else np.empty(0, np.int64) for t in texts]


def _placeholders(store: Store, n: int) -> str:
    mark = "?" if store.is_sqlite else "%s"
    return ",".join([mark] * n)


def load_areas(store: Store) -> pd.DataFrame:
    rows = _fetch(store, "SELECT id, code, name, level, parent_id FROM area ORDER BY id")
    df = pd.DataFrame(rows, columns=["id", "code", "name", "level", "parent_id"])
    df["parent_id"] = df["parent_id"].astype("Int64")
    return df


def load_targets(store: Store) -> pd.DataFrame:
    """Every target: id, area_id, kind (categorical), special (bool)."""
    special = " OR ".join(f"{c} = {'1' if store.is_sqlite else 'true'}" for c in SPECIAL_GROUP_TAGS)
    scope = getattr(store, "bound_scope", None)  # the signed-in user's villages only
    where = (
        ""
        if scope is None
        else f"WHERE area_id IN ({','.join(map(str, sorted(scope.village_ids))) or '-1'}) "
    )
    rows = _fetch(
        store,
        f"SELECT id, area_id, {sql_code_case('kind', TargetKind, len(KINDS) - 1)}, "
        f"CASE WHEN {special} THEN 1 ELSE 0 END FROM target {where}ORDER BY id",
    )
    a = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return pd.DataFrame(
        {
            "id": a[:, 0],
            "area_id": a[:, 1],
            "kind": pd.Categorical.from_codes(a[:, 2], categories=list(KINDS)),
            "special": a[:, 3].astype(bool),
        }
    )


def _positions(all_targets: pd.DataFrame, ids: np.ndarray) -> np.ndarray:
    """Row positions of target ids in the frame (ids not in the frame are dropped)."""
    pos = _SortedIndex(all_targets["id"].to_numpy()).get_indexer(ids)
    return pos[pos >= 0]


def round_target_mask(
    store: Store, round_ids: Sequence[int], areas: pd.DataFrame, all_targets: pd.DataFrame
) -> np.ndarray:
    """Which rows of ``all_targets`` the rounds cover (see the module docstring)."""
    n = len(all_targets)
    if not round_ids:
        return np.ones(n, bool)
    keep = np.zeros(n, bool)
    area = all_targets["area_id"].to_numpy()
    q = _placeholders(store, len(round_ids))
    rounds = _fetch(store, f"SELECT id, kind, scope_area_id FROM round WHERE id IN ({q})", round_ids)
    for rid, kind, scope in rounds:
        if kind == RoundKind.REGULAR and scope is not None:
            keep |= np.isin(area, subtree_ids([int(scope)], areas["id"], areas["parent_id"]))
            continue
        mark = _placeholders(store, 1)
        assigned = _fetch(store, f"SELECT target_id FROM assignment WHERE round_id = {mark}", (rid,))
        if assigned:
            keep[_positions(all_targets, np.array(assigned, np.int64).ravel())] = True
        elif scope is None:
            keep[:] = True
        else:
            keep |= np.isin(area, subtree_ids([int(scope)], areas["id"], areas["parent_id"]))
    return keep


def load_inputs(
    store: Store,
    round_id: int | None = None,
    *,
    round_ids: Sequence[int] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    targets: pd.DataFrame | None = None,
) -> CoverageInputs:
    """Read what :func:`compute` needs for one round, several rounds, or a date range.

    ``targets`` may be a frame the caller already holds (e.g. ``store.targets_frame()``,
    with the tag columns) to save reading 250k rows again.
    """
    if round_ids is None:
        if round_id is not None:
            round_ids = [round_id]
        elif date_from is not None or date_to is not None:
            round_ids = rounds_in_range(store, date_from or dt.date.min, date_to or dt.date.max)
        else:
            round_ids = []
    round_ids = [int(r) for r in round_ids]
    areas = load_areas(store)
    all_t = load_targets(store) if targets is None else _normalise_targets(targets)
    if round_ids:
        q = _placeholders(store, len(round_ids))
        scope = getattr(store, "bound_scope", None)  # signed in: the user's villages only
        mine = (
            ""
            if scope is None
            else " AND target_id IN (SELECT id FROM target WHERE area_id IN "
            f"({','.join(map(str, sorted(scope.village_ids))) or '-1'}))"
        )
        vt, vc = _int_columns(
            store,
            ["target_id", sql_code_case("outcome", Outcome, _UNKNOWN)],
            f"FROM visit WHERE round_id IN ({q}){mine}",
            round_ids,
        )
        if (vc == _UNKNOWN).any():
            _refuse_unknown_outcomes(store, f"FROM visit WHERE round_id IN ({q}){mine}", round_ids)
        problems = _load_problems(store, f"FROM problem WHERE round_id IN ({q}){mine}", round_ids)
    else:
        vt = vc = np.empty(0, np.int64)
        problems = _load_problems(store, "", [])
    visits = pd.DataFrame({"target_id": vt, "outcome_code": vc.astype(np.int8)})
    keep = round_target_mask(store, round_ids, areas, all_t)
    keep[_positions(all_t, visits["target_id"].to_numpy())] = True
    sel = all_t[keep].reset_index(drop=True)
    return CoverageInputs(
        areas=areas, targets=sel, visits=visits, problems=problems, round_ids=tuple(round_ids)
    )


def _refuse_unknown_outcomes(store: Store, table_sql: str, params: Sequence) -> None:
    """Stored outcomes outside the vocabulary (a database the CHECK constraint does not guard
    yet): name them and stop, rather than count them as anything."""
    known = ", ".join(f"'{o.value}'" for o in Outcome)
    rows = _fetch(store, f"SELECT DISTINCT outcome {table_sql} AND outcome NOT IN ({known})", params)
    bad = sorted(str(r[0]) for r in rows)
    raise UnknownValueError(f"走访记录（visit.outcome）中有不认识的走访结果：{'、'.join(map(repr, bad))}")


def _load_problems(store: Store, table_sql: str, params: Sequence) -> pd.DataFrame:
    """target_id, status, deadline of the problems ``table_sql`` names (none when empty)."""
    if not table_sql:
        rows: list = []
    elif store.is_sqlite:  # columns as numbers: status by its index, deadline in days since 1970
        statuses = list(ProblemStatus.values())
        case = " ".join(f"WHEN '{st}' THEN {i}" for i, st in enumerate(statuses))
        tid, code, day = _int_columns(
            store,
            [
                "target_id",
                f"CASE status {case} ELSE {len(statuses)} END",
                f"COALESCE(CAST(julianday(deadline) - 2440587.5 AS INTEGER), {_NO_DAY})",
            ],
            table_sql,
            params,
        )
        known = code < len(statuses)
        if known.all():
            status = pd.Categorical.from_codes(code, categories=statuses)
            deadline = np.where(day == _NO_DAY, np.datetime64("NaT"), day.astype("datetime64[D]"))
            return pd.DataFrame({"target_id": tid, "status": status, "deadline": pd.to_datetime(deadline)})
        rows = _fetch(store, f"SELECT target_id, status, deadline {table_sql}", params)
    else:
        rows = _fetch(store, f"SELECT target_id, status, deadline {table_sql}", params)
    problems = pd.DataFrame(rows, columns=["target_id", "status", "deadline"])
    problems["target_id"] = problems["target_id"].astype(np.int64)
    problems["deadline"] = pd.to_datetime(problems["deadline"])
    return problems


_NO_DAY = -(2**40)  # a NULL deadline in the integer column


def _normalise_targets(df: pd.DataFrame) -> pd.DataFrame:
    """id, area_id, kind, special from a richer frame (targets_frame has the tag columns)."""
    if "special" in df.columns:
        special = df["special"].to_numpy(bool)
    else:
        special = df[list(SPECIAL_GROUP_TAGS)].fillna(False).to_numpy(bool).any(axis=1)
    return pd.DataFrame(
        {
            "id": df["id"].to_numpy(np.int64),
            "area_id": df["area_id"].to_numpy(np.int64),
            "kind": pd.Categorical(df["kind"], categories=list(KINDS)),
            "special": special,
        },
        copy=False,
    )


# -- the arithmetic ----------------------------------------------------------------------------
def _target_flags(inp: CoverageInputs, today: dt.date, th: NeedThresholds) -> pd.DataFrame:
    t = _normalise_targets(inp.targets) if "special" not in inp.targets else inp.targets
    n = len(t)
    index = _SortedIndex(t["id"].to_numpy())
    # visits: the round's result per target is its strongest outcome, in the order
    # met > moved > refused > phone > not home (so no sorting by time is needed)
    v = inp.visits
    code = v["outcome_code"].to_numpy() if "outcome_code" in v else _outcome_codes(v["outcome"])
    pos = index.get_indexer(v["target_id"].to_numpy())
    ok = pos >= 0
    pos, code = pos[ok], code[ok]
    n_visits = np.bincount(pos, minlength=n)
    result = np.full(n, -1, np.int8)
    for c in (NOT_HOME, PHONE, REFUSED, MOVED, MET):  # weakest first: stronger ones overwrite
        result[pos[code == c]] = c
    visited = n_visits > 0
    met = result == MET
    moved = result == MOVED
    never_met = ~met & ~moved
    special = t["special"].to_numpy(bool)
    # problems raised in the round(s)
    p = inp.problems
    ppos = index.get_indexer(p["target_id"].to_numpy())
    pok = ppos >= 0
    is_open = ~p["status"].isin(CLOSED_STATUSES).to_numpy()
    deadline = pd.to_datetime(p["deadline"]).to_numpy("datetime64[D]")
    overdue = is_open & (deadline < np.datetime64(today, "D"))  # NaT compares False
    n_prob = np.bincount(ppos[pok], minlength=n)
    n_open = np.bincount(ppos[pok & is_open], minlength=n)
    n_over = np.bincount(ppos[pok & overdue], minlength=n)
    many = n_prob >= th.min_problems
    unresolved = n_open > 0
    return pd.DataFrame(
        {
            "id": t["id"].to_numpy(),
            "area_id": t["area_id"].to_numpy(),
            "kind": pd.Categorical(t["kind"], categories=list(KINDS)),
            "special": special,
            "visits": n_visits.astype(np.int32),
            "visited": visited,
            "met": met,
            "result": pd.Categorical.from_codes(result.astype(np.int64), categories=list(OUTCOMES)),
            "never_met": never_met,
            "special_not_met": special & never_met,
            "problems": n_prob.astype(np.int32),
            "open_problems": n_open.astype(np.int32),
            "overdue_problems": n_over.astype(np.int32),
            "many_problems": many,
            "unresolved": unresolved,
            "return_visit": many | unresolved,
        },
        copy=False,  # one block per column: no stacking of millions of rows into 2-D blocks
    )


class _SortedIndex:
    """``pd.Index(ids).get_indexer`` by binary search when the ids are sorted (targets are read
    in id order): no hash table over millions of ids."""

    def __init__(self, ids: np.ndarray) -> None:
        self.ids = np.asarray(ids, np.int64)
        self.sorted = bool(len(self.ids) < 2 or np.all(self.ids[1:] > self.ids[:-1]))
        self._pd = None if self.sorted else pd.Index(self.ids)

    def get_indexer(self, query) -> np.ndarray:
        query = np.asarray(query, np.int64)
        if self._pd is not None:
            return self._pd.get_indexer(query)
        if not len(self.ids):
            return np.full(len(query), -1, np.int64)
        k = np.searchsorted(self.ids, query)
        k[k == len(self.ids)] = 0
        return np.where(self.ids[k] == query, k, -1)


_OUTCOME_CODE = {o: i for i, o in enumerate(OUTCOMES)}


def _outcome_codes(outcomes: pd.Series) -> np.ndarray:
    """Outcome strings as codes; an unknown one is refused (it used to count as a phone visit)."""
    codes = outcomes.map(_OUTCOME_CODE)
    if codes.isna().any():
        bad = sorted({str(o) for o in outcomes[codes.isna()]})
        raise UnknownValueError(f"走访记录（visit.outcome）中有不认识的走访结果：{'、'.join(map(repr, bad))}")
    return codes.to_numpy(np.int8)


def _direct_counts(tf: pd.DataFrame, aidx: np.ndarray, n_areas: int) -> np.ndarray:
    """Per area (rows) the sums of each COUNT_COLUMNS entry over its own targets."""
    kind = np.asarray(tf["kind"].cat.codes)
    met = tf["met"].to_numpy()
    visited = tf["visited"].to_numpy()
    unmet_visited = visited & ~met
    result = np.asarray(tf["result"].cat.codes)
    special = tf["special"].to_numpy()
    cols = [
        None, kind == 0, kind == 1, kind == 2, visited, met, unmet_visited,
        result == NOT_HOME, result == REFUSED, result == MOVED, result == PHONE,
        tf["never_met"].to_numpy(), special, special & met, tf["special_not_met"].to_numpy(),
        tf["problems"].to_numpy(), tf["open_problems"].to_numpy(), tf["overdue_problems"].to_numpy(),
        tf["many_problems"].to_numpy(), tf["unresolved"].to_numpy(), tf["return_visit"].to_numpy(),
    ]  # fmt: skip
    out = np.zeros((n_areas, len(cols)), np.int64)
    for j, c in enumerate(cols):
        if c is None:
            out[:, j] = np.bincount(aidx, minlength=n_areas)
        elif c.dtype == bool:
            out[:, j] = np.bincount(aidx[c], minlength=n_areas)
        else:
            out[:, j] = np.bincount(aidx, weights=c, minlength=n_areas).astype(np.int64)
    return out


def _roll_up(areas: pd.DataFrame, direct: np.ndarray) -> np.ndarray:
    """Add each area's totals into all its ancestors (children before parents)."""
    index = pd.Index(areas["id"].to_numpy())
    parent = index.get_indexer(areas["parent_id"].fillna(-1).to_numpy(np.int64))
    depth = np.zeros(len(areas), np.int64)
    # depth by repeated parent steps (the ladder has four levels; guard against cycles)
    cur = parent.copy()
    for _ in range(len(areas) + 1):
        has = cur >= 0
        if not has.any():
            break
        depth[has] += 1
        cur[has] = parent[cur[has]]
    else:
        from gisplanner.store.area_tree import AreaTreeError

        raise AreaTreeError(
            "行政区划的上级关系有环 (area.parent_id)：数据库可能被旧版本的边界导入改坏，"
            "请用“从备份恢复”（gisplanner backup restore --db …）恢复导入前的备份"
        )
    total = direct.copy()
    for d in range(int(depth.max(initial=0)), 0, -1):
        rows = np.flatnonzero((depth == d) & (parent >= 0))
        np.add.at(total, parent[rows], total[rows])
    return total


def compute(
    inp: CoverageInputs, today: dt.date | None = None, thresholds: NeedThresholds | None = None
) -> Coverage:
    """Coverage per target and per area from loaded inputs (pure numpy, no database)."""
    today = today or dt.date.today()
    th = thresholds or NeedThresholds()
    tf = _target_flags(inp, today, th)
    areas = inp.areas.reset_index(drop=True)
    aidx = pd.Index(areas["id"].to_numpy()).get_indexer(tf["area_id"].to_numpy())
    if (aidx < 0).any():
        bad = tf.loc[aidx < 0, ["id", "area_id"]].iloc[0]
        raise ValueError(f"走访对象 {bad['id']} 的所属区划 {bad['area_id']} 不存在 (target.area_id)")
    direct = _direct_counts(tf, aidx, len(areas))
    total = _roll_up(areas, direct)
    out = areas[["id", "code", "name", "level", "parent_id"]].copy()
    for j, c in enumerate(COUNT_COLUMNS):
        out[c] = total[:, j]
    out["status"] = _status(out)
    with np.errstate(divide="ignore", invalid="ignore"):
        tg = out["targets"].to_numpy(float)
        sp = out["special_targets"].to_numpy(float)
        out["visited_rate"] = np.where(tg > 0, out["visited"] / tg, np.nan)
        out["met_rate"] = np.where(tg > 0, out["met"] / tg, np.nan)
        out["need_makeup"] = (out["never_met"] > 0) & (out["never_met"].to_numpy() >= th.makeup * tg)
        out["need_priority"] = (out["special_not_met"] > 0) & (
            out["special_not_met"].to_numpy() >= th.priority * sp
        )
        out["need_return"] = (out["return_targets"] > 0) & (out["return_targets"].to_numpy() >= th.ret * tg)
    out = out.set_index("id", drop=False)
    out.index.name = None
    return Coverage(areas=out, targets=tf, round_ids=inp.round_ids, today=today, thresholds=th)


def _status(a: pd.DataFrame) -> pd.Categorical:
    targets = a["targets"].to_numpy()
    visited = a["visited"].to_numpy()
    s = np.where(
        targets == 0,
        "empty",
        np.where(visited == 0, "not_started", np.where(visited >= targets, "complete", "partial")),
    )
    return pd.Categorical(s, categories=list(STATUS_CLASSES))


def coverage(
    store: Store,
    round_id: int | None = None,
    *,
    round_ids: Sequence[int] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
    thresholds: NeedThresholds | None = None,
    targets: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> Coverage:
    """Load and compute in one call (see :func:`load_inputs` for the round arguments)."""
    check(progress, 0.0, "读取走访记录")
    inp = load_inputs(
        store, round_id, round_ids=round_ids, date_from=date_from, date_to=date_to, targets=targets
    )
    check(progress, 0.7, "统计覆盖情况")
    cov = compute(inp, today=today, thresholds=thresholds)
    finish(progress)
    return cov
