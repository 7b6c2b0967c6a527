"""Solomon / Gehring-Homberger VRPTW benchmark through gisplanner.routing (and OR-Tools).

Distance-only DIMACS convention (see the data README): every arc is the Euclidean distance
truncated to one decimal, used as both distance and travel time; we work in integers ×10
(windows and service times ×10 as well), so a cost of 8273 is 827.3. Any number of
vehicles up to the fleet size. The gap is against the distance-only BKS in bks.csv.

    .venv/bin/python bench/vrptw_bench.py --instances ../shared/data/vrptw/solomon --time-limit 10
    .venv/bin/python bench/vrptw_bench.py --instances DIR --only C101,R101 --no-ortools
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gisplanner.routing.vrptw import Client, Problem, Shift, solve, validate  # noqa: E402


def read_vrp(path: Path) -> dict:
    """Read a VRPLIB/LKH-3 CVRPTW file (node 1 = depot)."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    current = None
    for lineno, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line:
            key, _, val = line.partition(":")
            header[key.strip()] = val.strip()
            current = None
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
            continue
        if current is None:
            raise ValueError(f"{path}:{lineno}: unexpected line {line!r}")
        try:
            sections[current].append([float(v) for v in line.split()])
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: not a number in {current}: {line!r}") from exc
    coords = np.array([r[1:3] for r in sections["NODE_COORD_SECTION"]])
    demand = np.array([r[1] for r in sections["DEMAND_SECTION"]], dtype=np.int64)
    tw = np.array([r[1:3] for r in sections["TIME_WINDOW_SECTION"]])
    depots = [int(r[0]) for r in sections.get("DEPOT_SECTION", [[1]]) if r[0] > 0]
    if depots != [1]:
        raise ValueError(f"{path}: expected node 1 as the only depot, got {depots}")
    return {
        "name": header.get("NAME", path.stem),
        "coords": coords,
        "demand": demand,
        "tw": tw,
        "service": float(header.get("SERVICE_TIME", 0)),
        "capacity": int(float(header["CAPACITY"])),
        "vehicles": int(float(header["VEHICLES"])),
    }


def dimacs_problem(inst: dict) -> Problem:
    """The instance as a routing Problem in the DIMACS ×10 integer convention."""
    xy = inst["coords"]
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    mat = (10 * d).astype(np.int64)  # truncation to one decimal, ×10
    tw = (10 * inst["tw"]).astype(np.int64)
    service = int(10 * inst["service"])
    clients = [
        Client(
            location=i,
            windows=[(int(tw[i, 0]), int(tw[i, 1]))],
            service=service,
            demand=int(inst["demand"][i]),
            ref=i,
        )
        for i in range(1, xy.shape[0])
    ]
    shift = Shift(
        depot=0,
        tw_early=int(tw[0, 0]),
        tw_late=int(tw[0, 1]),
        capacity=inst["capacity"],
        num_available=inst["vehicles"],
        label="fleet",
    )
    return Problem(mat, mat, clients, [shift])


def solve_ortools(p: Problem, time_limit: float) -> tuple[int | None, int]:
    """Google OR-Tools routing (guided local search) on the same integer data."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    n = p.distances.shape[0]
    shift = p.shifts[0]
    nv = shift.num_available
    manager = pywrapcp.RoutingIndexManager(n, nv, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = p.distances.tolist()
    service = [0] * n
    demand = [0] * n
    windows = [(shift.tw_early, shift.tw_late)] * n
    for c in p.clients:
        service[c.location] = c.service
        demand[c.location] = c.demand
        windows[c.location] = c.windows[0]

    def dist_cb(i, j):
        return dist[manager.IndexToNode(i)][manager.IndexToNode(j)]

    def time_cb(i, j):
        a = manager.IndexToNode(i)
        return service[a] + dist[a][manager.IndexToNode(j)]

    def demand_cb(i):
        return demand[manager.IndexToNode(i)]

    dcb = routing.RegisterTransitCallback(dist_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(dcb)
    tcb = routing.RegisterTransitCallback(time_cb)
    routing.AddDimension(tcb, shift.tw_late, shift.tw_late, False, "Time")
    tdim = routing.GetDimensionOrDie("Time")
    for node in range(1, n):
        tdim.CumulVar(manager.NodeToIndex(node)).SetRange(*windows[node])
    for v in range(nv):
        tdim.CumulVar(routing.Start(v)).SetRange(shift.tw_early, shift.tw_late)
        tdim.CumulVar(routing.End(v)).SetRange(shift.tw_early, shift.tw_late)
    qcb = routing.RegisterUnaryTransitCallback(demand_cb)
    routing.AddDimensionWithVehicleCapacity(qcb, 0, [shift.capacity] * nv, True, "Load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit * 1000))
    sol = routing.SolveWithParameters(params)
    if sol is None:
        return None, 0
    used = sum(1 for v in range(nv) if not routing.IsEnd(sol.Value(routing.NextVar(routing.Start(v)))))
    return int(sol.ObjectiveValue()), used


def load_bks(path: Path) -> dict[str, tuple[float, int]]:
    out = {}
    with path.open(newline="") as fh:
        for row in csv.DictReader(fh):
            if row["objective"] == "distance_only":
                out[row["instance"]] = (float(row["distance"]), int(row["vehicles"]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances", type=Path, required=True, help="folder with *.vrp files")
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance and solver")
    ap.add_argument("--only", default="", help="comma separated instance names")
    ap.add_argument("--no-ortools", action="store_true")
    ap.add_argument("--bks", type=Path, default=None, help="bks.csv (default: next to the instances)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    files = sorted(args.instances.glob("*.vrp"))
    if args.only:
        wanted = {s.strip() for s in args.only.split(",") if s.strip()}
        files = [f for f in files if f.stem in wanted]
        missing = wanted - {f.stem for f in files}
        if missing:
            print(f"not found in {args.instances}: {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    if not files:
        print(f"no .vrp files in {args.instances}", file=sys.stderr)
        return 2
    bks_path = args.bks or args.instances.parent / "bks.csv"
    bks = load_bks(bks_path) if bks_path.exists() else {}

    print(f"# time limit {args.time_limit:g} s per instance and solver; costs in DIMACS units (1 decimal)")
    print(
        f"{'instance':10} {'bks':>9} {'veh':>4} | {'ours':>9} {'veh':>4} {'gap%':>7} {'s':>5} {'ok':>3}"
        + ("" if args.no_ortools else f" | {'ortools':>9} {'veh':>4} {'gap%':>7}")
    )
    gaps, or_gaps = [], []
    for f in files:
        inst = read_vrp(f)
        p = dimacs_problem(inst)
        t = time.perf_counter()
        sol = solve(p, time_limit=args.time_limit, seed=args.seed)
        el = time.perf_counter() - t
        errors = validate(p, sol)
        ok = "yes" if not errors and not sol.unserved else "NO"
        cost = sol.distance / 10
        ref = bks.get(inst["name"])
        gap = (cost / ref[0] - 1) * 100 if ref else float("nan")
        if ref and ok == "yes":
            gaps.append(gap)
        line = (
            f"{inst['name']:10} {ref[0] if ref else float('nan'):9.1f} {ref[1] if ref else 0:4d} | "
            f"{cost:9.1f} {len(sol.routes):4d} {gap:7.2f} {el:5.1f} {ok:>3}"
        )
        if not args.no_ortools:
            oc, ov = solve_ortools(p, args.time_limit)
            if oc is None:
                line += f" | {'none':>9} {0:4d} {'':>7}"
            else:
                og = (oc / 10 / ref[0] - 1) * 100 if ref else float("nan")
                if ref:
                    or_gaps.append(og)
                line += f" | {oc / 10:9.1f} {ov:4d} {og:7.2f}"
        print(line, flush=True)
        for e in errors[:5]:
            print(f"    invalid: {e}", flush=True)
    if gaps:
        print(f"# ours: mean gap {np.mean(gaps):.3f} % over {len(gaps)} instances (max {np.max(gaps):.2f} %)")
    if or_gaps:
        print(
            f"# OR-Tools: mean gap {np.mean(or_gaps):.3f} % over {len(or_gaps)} instances (max {np.max(or_gaps):.2f} %)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
