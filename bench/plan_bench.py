"""Planning benchmarks (issue 14): a whole round of the demo town, its winter round, a city.

1. **Six weeks** (default): the demo town (8,000 households) gets a regular round of six weeks
   of evenings, weekends and working hours (``round new --template evenings,weekends,workdays``),
   teams formed (三搭配, availability-aware) and territories split; prints the capacity
   figures, then plans it: share of the targets with a window that got a stop (overall and
   in the teams whose capacity fits: the goal is ≥ 98 %), window violations recomputed from
   the stored rows (0), wall time (≤ 120 s on 2 cores), walking.
2. ``--long``: the same once more with ``--long-factor`` × the time, and how much walking
   the short plan loses against it (goal: within 5 %). Run it once, it is long.
3. ``--winter``: the demo's winter round (12-05..12-27, its own sessions): capacity report and
   a plan.
4. ``--city``: a 250,000-household city (8 towns; ~25 s to build): capacity and a plan of its
   next round, time and share scheduled (goal ≤ 15 min).

Every figure line carries the machine's load (``uptime``): the machine is shared.

    .venv/bin/python bench/plan_bench.py [--time-limit 60] [--long] [--winter] [--city] [--matrix-only]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


def stored_violations(store, round_id: int) -> int:
    """Count visits outside their window / overlapping / past the session end, from the DB rows."""
    from sqlalchemy import select

    from gisplanner.store.model import Route, VisitSession

    bad = 0
    with store.session() as s:
        for r in s.scalars(select(Route).where(Route.round_id == round_id)).all():
            ses = s.get(VisitSession, r.session_id)
            t = ses.start
            for x in sorted(r.stops, key=lambda x: x.seq):
                if not (x.window_start <= x.eta <= x.window_end) or x.eta < t:
                    bad += 1
                t = x.eta + dt.timedelta(minutes=x.service_minutes)
            if t > ses.end:
                bad += 1
    return bad


def matrix_timing(store, rid: int) -> None:
    """Walking matrices on the demo road network for 300 random targets (median of 5)."""
    import numpy as np

    from gisplanner.planning.plan_input import load_round
    from gisplanner.routing.matrix import travel_matrices

    ri = load_round(store, rid, require_teams=False)
    xy = np.array(list(ri.xy.values()))
    pts = xy[np.random.default_rng(0).choice(len(xy), min(300, len(xy)), replace=False)]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        m = travel_matrices(pts, ri.roads)
        times.append(time.perf_counter() - t)
    print(
        f"matrices: {len(pts)} points, road graph {ri.roads.num_nodes if ri.roads else 0} nodes: "
        f"median {np.median(times) * 1000:.0f} ms ({100 * m.on_road.mean():.0f} % snapped to a road) | {load()}"
    )


def build(path: Path, households: int) -> None:
    from gisplanner.demo import build_demo
    from gisplanner.store.database import Store

    store = Store.open(path)
    if store.is_empty():
        t = time.perf_counter()
        build_demo(store, households=households, seed=1)
        print(f"demo database {path} ({households} households) built in {time.perf_counter() - t:.1f} s")
    store.close()


def six_week_round(store) -> int:
    from gisplanner.campaign.rounds import create_round, parse_template_names

    with store.session() as s:
        from sqlalchemy import select

        from gisplanner.store.model import Area

        town = s.scalars(select(Area.code).where(Area.level == "town")).first()
    made = create_round(
        store, "六周常规走访", "regular", dt.date(2026, 12, 7), dt.date(2027, 1, 17), town,
        parse_template_names("evenings,weekends,workdays"),
    )  # fmt: skip
    return made.round_id


def staff(store, rid: int) -> None:
    from gisplanner.teams.formation import form_round_teams
    from gisplanner.teams.territory import split_round

    t = time.perf_counter()
    formed = form_round_teams(store, rid)
    split_round(store, rid)
    print(f"teams: {len(formed.team_ids)} formed and territories split in {time.perf_counter() - t:.1f} s")


def capacity_report(store, rid: int) -> None:
    from gisplanner.planning.capacity import round_capacity

    t = time.perf_counter()
    cap = round_capacity(store, rid)
    short = [tc for tc in cap.teams if tc.targets and not tc.fits]
    print(
        f"capacity ({time.perf_counter() - t:.1f} s): targets {cap.targets}, with a window {cap.with_window}, "
        f"work {cap.workload_minutes / 60:.0f} h vs sessions {cap.available_minutes / 60:.0f} h, fits {cap.fits}, "
        f"teams short {len(short)}/{len(cap.teams)}, extra sessions {cap.extra_sessions_needed}, "
        f"extra teams {cap.extra_teams_needed}, expected finish {cap.expected_finish} | {load()}"
    )


def plan(store, rid: int, limit: float, workers, label: str):
    from gisplanner.planning.plan import PlanConfig, plan_round

    t = time.perf_counter()
    res = plan_round(store, rid, PlanConfig(time_limit=limit, workers=workers))
    wall = time.perf_counter() - t
    viol = stored_violations(store, rid) if res.saved else -1
    cap = res.capacity
    fit = {tc.team_id for tc in cap.teams if tc.fits}
    fit_plannable = sum(tc.plannable for tc in cap.teams if tc.fits)
    per_team = Counter(r.team_id for r in res.routes for _ in r.stops)
    fit_sched = sum(per_team[t] for t in fit)
    print(
        f"{label}: limit {limit:.0f} s | wall {wall:.1f} s | teams {res.teams} | targets {res.targets}, "
        f"with a window {res.with_window} | scheduled {res.scheduled} "
        f"({100 * res.scheduled / max(1, res.with_window):.1f} % of those with a window) | "
        f"teams that fit: {len(fit)}, {fit_sched}/{fit_plannable} "
        f"({100 * fit_sched / max(1, fit_plannable):.2f} %) | by reason {res.by_reason()} | "
        f"priority {res.priority_scheduled}/{res.priority_targets} | walking {res.walking_minutes:.0f} min "
        f"({res.walking_minutes / max(1, res.scheduled):.2f} min/visit) | violations solver {len(res.violations)} "
        f"stored {viol} | {load()}",
        flush=True,
    )
    return res


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=8000)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--long", action="store_true", help="also plan with --long-factor × the time")
    ap.add_argument("--long-factor", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--winter", action="store_true", help="the demo's winter round instead")
    ap.add_argument("--city", action="store_true", help="a 250,000-household city round")
    ap.add_argument("--matrix-only", action="store_true", help="only time the travel matrices")
    ap.add_argument("--db", type=Path, default=None, help="work on (a copy of) this demo database")
    ap.add_argument("--round", type=int, default=None, help="plan this (staffed) round of --db again")
    args = ap.parse_args(argv)

    from sqlalchemy import select

    from gisplanner.store.database import Store
    from gisplanner.store.model import Round

    households = 250_000 if args.city else args.households
    path = args.db or Path(tempfile.mkdtemp(prefix="plan-bench-")) / "demo.sqlite"
    build(path, households)
    store = Store.open(path)
    if args.matrix_only:
        with store.session() as s:
            rid = s.scalars(select(Round.id).where(Round.status == "planning")).first()
        matrix_timing(store, rid)
        return 0
    if args.round is not None:
        rid = args.round
    elif args.winter or args.city:
        with store.session() as s:
            rid = s.scalars(select(Round.id).where(Round.status == "planning")).first()
    else:
        rid = six_week_round(store)
    if args.round is None:
        staff(store, rid)
    capacity_report(store, rid)
    short = plan(store, rid, args.time_limit, args.workers, "short")
    if args.long:
        long = plan(store, rid, args.time_limit * args.long_factor, args.workers, "long ")
        wa = short.walking_minutes / max(1, short.scheduled)
        wb = long.walking_minutes / max(1, long.scheduled)
        print(
            f"short vs long: walking {100 * (short.walking_minutes / max(1e-9, long.walking_minutes) - 1):+.1f} % "
            f"total, {100 * (wa / max(1e-9, wb) - 1):+.1f} % per visit; scheduled {short.scheduled - long.scheduled:+d}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
