"""The dashboard's figures (进度看板) in one pass: the scope's visits are read once as numpy
arrays, and the households visited per day, visits per team and per session, and the coverage
bars are computed from them; the problem figures come from one read of the problems
(:func:`gisplanner.reporting.stats.problem_figures_from`). The definitions are those of
:mod:`gisplanner.reporting.stats`; the tests recount every figure with independent SQL
(``tests/stats_oracle.py``).

At 250k households SQLite needs ~0.15 s per scan of the visit table; the dashboard would scan it
four times (first visits, teams, sessions, coverage) with one SQL aggregate per figure.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection

from gisplanner.campaign import coverage as cov
from gisplanner.progress import Progress, check
from gisplanner.reporting.stats import (
    NO_TEAM,
    OUTSIDE_SESSIONS,
    TM,
    AreaTree,
    S,
    Scope,
    V,
    _jd_of,
    _julian,
    _of_targets_in_scope,
    _totals,
    _where,
    cumulative_table,
    load_problems,
    prepare_scope,
    problem_figures_from,
    resolution_medians,
)
from gisplanner.reporting.supervision import coverage_table, household_targets, scope_rounds
from gisplanner.store import vocab
from gisplanner.store.database import Store
from gisplanner.store.vocab import Outcome, TargetKind, UnknownValueError, outcome_code

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


def counts_from(targets: pd.DataFrame, scope: Scope, tree: AreaTree) -> dict:
    """:func:`household_counts` from the target list (id, area_id, kind, special)."""
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
        raise UnknownValueError(
            f"走访记录（visit.outcome）中有不认识的走访结果：{'、'.join(map(repr, sorted(bad)))}"
        )
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
    progress: Progress | None = None,
    *,
    targets: pd.DataFrame | None = None,
    workers: int = 1,
) -> DashboardFigures:
    """Compute every dashboard figure for a scope (safe in a worker thread).

    ``targets``: ``coverage.load_targets(store)`` kept between refreshes (the target list changes
    far less often than visits; read here when not given). ``workers`` > 1 runs the two lanes
    on separate connections at once (SQLite readers do not block each other in WAL mode).
    """
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

    def run_lane(lane, report: bool) -> None:
        with store.engine.connect() as conn:
            prepare_scope(conn, scope)
            for key, msg in lane:
                if report:  # one thread reports (and may be cancelled); the others just work
                    check(progress, done[0] / total_steps, msg)
                step(conn, key)
                done[0] += 1
            conn.rollback()

    if workers > 1:
        from concurrent.futures import ThreadPoolExecutor

        check(progress, 0.0, "统计中")
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for f in [pool.submit(run_lane, lane, False) for lane in _LANES]:
                f.result()
    else:
        for lane in _LANES:
            run_lane(lane, True)
    run_lane(_LAST, True)
    check(progress, 1.0, "完成")
    out.pop("visits")
    out.pop("problems")
    out.pop("solved_by_category")  # the summary report shows it; the dashboard does not
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
