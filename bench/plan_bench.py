"""Town-scale planning benchmark: the demo town's next round (8,000 households, ~40 teams,
6 sessions) planned through gisplanner.planning, then again with 10× the time.

Prints wall time, scheduled share, walking minutes, window violations (recomputed from the
stored rows, must be 0) and how much the long plan changes walking.

    .venv/bin/python bench/plan_bench.py [--time-limit 45] [--long-factor 10] [--households 8000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def stored_violations(store, round_id: int) -> int:
    """Count visits outside their window / overlapping / past the session end, from the DB rows."""
    from sqlalchemy import select

    from gisplanner.model import Route, VisitSession

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

    from gisplanner.planning import PlanConfig, _load
    from gisplanner.routing.matrix import travel_matrices

    ri = _load(store, rid, PlanConfig())
    xy = np.array(list(ri.xy.values()))
    pts = xy[np.random.default_rng(0).choice(len(xy), min(300, len(xy)), replace=False)]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        m = travel_matrices(pts, ri.roads)
        times.append(time.perf_counter() - t)
    print(
        f"matrices: {len(pts)} points, road graph {ri.roads.num_nodes if ri.roads else 0} nodes: "
        f"median {np.median(times) * 1000:.0f} ms ({100 * m.on_road.mean():.0f} % snapped to a road)"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=8000)
    ap.add_argument("--teams", type=int, default=40)
    ap.add_argument("--time-limit", type=float, default=45.0)
    ap.add_argument("--long-factor", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--matrix-only", action="store_true", help="only time the travel matrices")
    ap.add_argument(
        "--db", type=Path, default=None, help="reuse a demo database (its next round gets quick teams)"
    )
    args = ap.parse_args(argv)

    from sqlalchemy import select

    from gisplanner.demo import build_demo
    from gisplanner.model import Round, Team
    from gisplanner.planning import PlanConfig, plan_round, quick_teams
    from gisplanner.store import Store

    path = args.db or Path(tempfile.mkdtemp(prefix="plan-bench-")) / "demo.sqlite"
    store = Store.open(path)
    if store.is_empty():
        t = time.perf_counter()
        build_demo(store, households=args.households, seed=1)
        print(f"demo database {path} built in {time.perf_counter() - t:.1f} s")
    with store.session() as s:
        rid = s.scalars(select(Round.id).where(Round.status == "planning")).first()
        has_teams = s.scalar(select(Team.id).where(Team.round_id == rid).limit(1)) is not None
    if not has_teams:
        made = quick_teams(store, rid, args.teams)
        print(f"quick teams: {made} (sector split per village around its office)")

    matrix_timing(store, rid)
    if args.matrix_only:
        return 0
    runs = [("short", args.time_limit), ("long", args.time_limit * args.long_factor)]
    results = {}
    for name, limit in runs:
        cfg = PlanConfig(time_limit=limit, workers=args.workers)
        t = time.perf_counter()
        res = plan_round(store, rid, cfg)
        wall = time.perf_counter() - t
        viol = stored_violations(store, rid) if res.saved else -1
        results[name] = res
        reasons: dict[str, int] = {}
        for u in res.unscheduled:
            reasons[u.reason] = reasons.get(u.reason, 0) + 1
        per_visit = res.walking_minutes / max(1, res.scheduled)
        print(
            f"{name:5}: limit {limit:6.0f} s | wall {wall:6.1f} s | teams {res.teams} | targets {res.targets} | "
            f"scheduled {res.scheduled} ({100 * res.scheduled / max(1, res.targets):.1f} %) | "
            f"no_window {reasons.get('no_window', 0)} no_time {reasons.get('no_time', 0)} | "
            f"priority {res.priority_scheduled}/{res.priority_targets} | "
            f"walking {res.walking_minutes:.0f} min ({per_visit:.2f} min/visit) | "
            f"violations solver {len(res.violations)} stored {viol}",
            flush=True,
        )
    a, b = results["short"], results["long"]
    wa = a.walking_minutes / max(1, a.scheduled)
    wb = b.walking_minutes / max(1, b.scheduled)
    print(
        f"long vs short: walking {100 * (b.walking_minutes / max(1e-9, a.walking_minutes) - 1):+.1f} % total, "
        f"{100 * (wb / max(1e-9, wa) - 1):+.1f} % per visit; scheduled {b.scheduled - a.scheduled:+d}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
