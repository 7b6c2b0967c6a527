"""Vehicle routing with time windows (带时间窗的车辆路径问题, VRPTW) on top of PyVRP.

The problem and the solution are plain dataclasses with integer arrays; PyVRP is used only
inside :func:`solve`. Times are integers in one unit of the caller's choice (seconds in the
planner, Solomon time units ×10 in the benchmark). A client may have several alternative
time windows (a PyVRP mutually exclusive client group); shifts are vehicles with their own
depot and working window. Every solution can be re-checked with :func:`validate`, which
recomputes the routes from the matrices without PyVRP.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gisplanner.progress import Progress, cancel_requested

NO_WINDOW = "no_window"  # no window of the client can be reached and left in time from any shift
NO_TIME = "no_time"  # windows exist, but the shifts had no time left for this client


@dataclass
class Client:
    """A place to visit (走访对象) with one or more alternative windows for the service start."""

    location: int  # row/column in the matrices
    windows: Sequence[tuple[int, int]]  # alternatives (earliest, latest) service start
    service: int = 0
    prize: int = 0  # earned when visited (optional clients); ignored when required
    window_prizes: Sequence[int] | None = None  # per-window prize (e.g. × at-home probability)
    required: bool = True
    demand: int = 0
    ref: object = None  # the caller's id, carried through untouched


@dataclass
class Shift:
    """One vehicle (a team in one session, 走访时段): leaves its depot at or after
    ``tw_early`` and must be back by ``tw_late``."""

    depot: int  # location of the depot in the matrices
    tw_early: int
    tw_late: int
    label: str = ""
    capacity: int | None = None
    num_available: int = 1  # identical vehicles (the benchmark's fleet); 1 in the planner
    ref: object = None


@dataclass
class Problem:
    distances: np.ndarray  # (n, n) int
    durations: np.ndarray  # (n, n) int
    clients: list[Client]
    shifts: list[Shift]
    duration_cost: int = 0  # cost per time unit on top of distance (0 = distance only)

    def check(self) -> None:
        """Raise ValueError with a clear message on malformed input."""
        n = self.distances.shape[0]
        if self.distances.shape != (n, n) or self.durations.shape != (n, n):
            raise ValueError(
                f"matrices must be square and equal: {self.distances.shape} {self.durations.shape}"
            )
        if (self.distances < 0).any() or (self.durations < 0).any():
            raise ValueError("matrices contain negative values")
        if not self.shifts:
            raise ValueError("no shifts (vehicles) given")
        for i, c in enumerate(self.clients):
            if not 0 <= c.location < n:
                raise ValueError(
                    f"client {i} ({c.ref!r}): location {c.location} outside the matrix (size {n})"
                )
            if not c.windows:
                raise ValueError(f"client {i} ({c.ref!r}): no time window")
            if c.window_prizes is not None and len(c.window_prizes) != len(c.windows):
                raise ValueError(
                    f"client {i} ({c.ref!r}): {len(c.window_prizes)} prizes for {len(c.windows)} windows"
                )
            for e, lt in c.windows:
                if e > lt:
                    raise ValueError(f"client {i} ({c.ref!r}): window ({e}, {lt}) ends before it starts")
        for i, s in enumerate(self.shifts):
            if not 0 <= s.depot < n:
                raise ValueError(f"shift {i} ({s.label}): depot {s.depot} outside the matrix (size {n})")
            if s.tw_early > s.tw_late:
                raise ValueError(f"shift {i} ({s.label}): ends before it starts")


@dataclass
class Stop:
    client: int  # index into Problem.clients
    window: int  # index of the chosen alternative window
    arrival: int
    start: int  # service start (arrival + waiting)
    end: int  # service end


@dataclass
class Route:
    shift: int  # index into Problem.shifts
    stops: list[Stop]
    start: int  # departure from the depot
    end: int  # return to the depot
    distance: int
    travel: int  # time spent moving


@dataclass
class Unserved:
    client: int
    reason: str  # NO_WINDOW or NO_TIME


@dataclass
class Solution:
    routes: list[Route]
    unserved: list[Unserved]
    distance: int
    feasible: bool
    runtime: float
    iterations: int = 0
    cancelled: bool = False
    repaired: list[int] = field(default_factory=list)  # clients taken out to remove time warp


# --------------------------------------------------------------------------- reachability


def _alternative_fits(p: Problem, c: Client, window: tuple[int, int], s: Shift) -> bool:
    """Can a vehicle of this shift go depot -> client -> depot and start service inside the window?"""
    go = int(p.durations[s.depot, c.location])
    back = int(p.durations[c.location, s.depot])
    start = max(window[0], s.tw_early + go)
    return start <= window[1] and start + c.service + back <= s.tw_late


def feasible_windows(p: Problem) -> list[list[int]]:
    """For each client, the indices of its windows that at least one shift can serve alone."""
    out = []
    for c in p.clients:
        out.append(
            [k for k, w in enumerate(c.windows) if any(_alternative_fits(p, c, w, s) for s in p.shifts)]
        )
    return out


# --------------------------------------------------------------------------- solve


def solve(
    p: Problem,
    time_limit: float = 5.0,
    seed: int = 0,
    progress: Progress | None = None,
    max_iterations: int | None = None,
    start_empty: bool = False,
    params=None,
    initial: Sequence[tuple[int, Sequence[tuple[int, int]]]] | None = None,
) -> Solution:
    """Solve with PyVRP's iterated local search within ``time_limit`` seconds.

    ``progress(fraction, message)`` is called a few times per second; returning False
    stops the search and returns the best solution found so far (``cancelled=True``).
    ``params`` is an optional ``pyvrp.SolveParams`` (tuning experiments). ``initial`` is a
    start solution as [(shift index, [(client, window), ...])] (one route per shift); by
    default prize-collecting problems start from :func:`greedy_routes`.
    """
    import pyvrp
    from pyvrp.constants import MAX_VALUE

    p.check()
    t0 = time.perf_counter()
    fits = feasible_windows(p)
    dims = 1 if any(c.demand for c in p.clients) or any(s.capacity is not None for s in p.shifts) else 0

    # PyVRP locations: depots first (one Depot per distinct depot location), then one
    # client per (client, feasible window) alternative; locations map 1:1 to matrix rows.
    depot_locs = sorted({s.depot for s in p.shifts})
    depot_index = {loc: i for i, loc in enumerate(depot_locs)}
    loc_rows: list[int] = list(depot_locs)
    pv_clients: list = []
    groups: list = []
    alt_of: list[tuple[int, int]] = []  # pyvrp client index -> (client, window)
    for ci, c in enumerate(p.clients):
        alts = fits[ci]
        if not alts:
            continue
        delivery = [int(c.demand)] if dims else []
        if len(alts) > 1:
            group_idx = len(groups)
            group = pyvrp.ClientGroup(required=c.required)
            groups.append(group)
        else:
            group_idx, group = None, None
        for k in alts:
            e, lt = c.windows[k]
            pv_idx = len(pv_clients)
            loc_rows.append(c.location)
            pv_clients.append(
                pyvrp.Client(
                    location=len(loc_rows) - 1,
                    delivery=delivery,
                    service_duration=int(c.service),
                    tw_early=int(e),
                    tw_late=int(lt),
                    prize=int(c.window_prizes[k] if c.window_prizes is not None else c.prize),
                    required=c.required and group is None,
                    group=group_idx,
                )
            )
            if group is not None:
                group.add_client(pv_idx)
            alt_of.append((ci, k))

    unserved_no_window = [Unserved(ci, NO_WINDOW) for ci in range(len(p.clients)) if not fits[ci]]
    if not pv_clients:
        return Solution([], unserved_no_window, 0, True, time.perf_counter() - t0)

    rows = np.asarray(loc_rows)
    dist = np.ascontiguousarray(p.distances[np.ix_(rows, rows)], dtype=np.int64)
    dur = np.ascontiguousarray(p.durations[np.ix_(rows, rows)], dtype=np.int64)
    if dist.max(initial=0) > MAX_VALUE or dur.max(initial=0) > MAX_VALUE:
        raise ValueError("distances or durations exceed PyVRP's limit; rescale the input")
    locations = [pyvrp.Location(x=float(r), y=0.0) for r in loc_rows]
    depots = [pyvrp.Depot(location=i) for i in range(len(depot_locs))]
    vtypes = []
    for s in p.shifts:
        d = depot_index[s.depot]
        vtypes.append(
            pyvrp.VehicleType(
                num_available=s.num_available,
                capacity=[int(s.capacity if s.capacity is not None else 10**9)] if dims else [],
                start_depot=d,
                end_depot=d,
                tw_early=int(s.tw_early),
                tw_late=int(s.tw_late),
                unit_distance_cost=1,
                unit_duration_cost=int(p.duration_cost),
                name=s.label,
            )
        )
    data = pyvrp.ProblemData(locations, pv_clients, depots, vtypes, [dist], [dur], groups)

    stop = _Stop(time_limit, progress, max_iterations)
    # PyVRP's default start is a random full solution improved by local search; an empty
    # start is offered for experiments (it was not better on the planner's problems).
    init = None
    if start_empty:
        init = pyvrp.Solution(data, [])
    elif initial is not None:
        pv_index = {ck: i for i, ck in enumerate(alt_of)}
        routes0 = [pyvrp.Route(data, [pv_index[ck] for ck in seq], si) for si, seq in initial if seq]
        init = pyvrp.Solution(data, routes0)
    elif not any(c.required for c in p.clients):
        # prize-collecting (the planner): start from a greedy plan that inserts clients in
        # order of prize, so high-priority visits are in from the first iteration
        pv_index = {ck: i for i, ck in enumerate(alt_of)}
        routes0 = []
        for si, seq in greedy_routes(p, fits):
            if seq:
                routes0.append(pyvrp.Route(data, [pv_index[ck] for ck in seq], si))
        init = pyvrp.Solution(data, routes0)
    result = pyvrp.solve(
        data, stop=stop, seed=seed, collect_stats=False, display=False, initial_solution=init
    )
    best = result.best

    routes: list[Route] = []
    served: set[int] = set()
    for r in best.routes():
        shift = r.vehicle_type()
        stops = []
        for act in r.schedule():
            if not act.is_client():
                continue
            ci, k = alt_of[act.idx]  # activity idx = client index (depots not counted)
            start = int(act.start_time)
            stops.append(Stop(ci, k, start - int(act.wait_duration), start, int(act.end_time)))
        routes.append(Route(shift, stops, int(r.start_time()), int(r.end_time()), int(r.distance()), 0))
    routes, repaired = _repair(p, routes)
    for r in routes:
        served.update(s.client for s in r.stops)
    unserved = list(unserved_no_window)
    unserved += [Unserved(ci, NO_TIME) for ci in range(len(p.clients)) if fits[ci] and ci not in served]
    unserved.sort(key=lambda u: u.client)
    total = sum(r.distance for r in routes)
    req_missing = any(p.clients[u.client].required for u in unserved)
    return Solution(
        routes=routes,
        unserved=unserved,
        distance=total,
        feasible=not req_missing,
        runtime=time.perf_counter() - t0,
        iterations=stop.iterations,
        cancelled=stop.cancelled,
        repaired=repaired,
    )


def greedy_routes(p: Problem, fits: list[list[int]]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Cheapest feasible insertion, clients taken by decreasing (best) prize.

    One route per vehicle of every shift; returns [(shift index, [(client, window), ...])].
    Only insertions that keep every window and the shift end are made.
    """
    routes: list[tuple[int, list[tuple[int, int]]]] = []
    for si, s in enumerate(p.shifts):
        routes += [(si, []) for _ in range(s.num_available)]
    load = [0] * len(routes)

    def best_prize(ci: int) -> int:
        c = p.clients[ci]
        return max(c.window_prizes) if c.window_prizes is not None else c.prize

    order = sorted((ci for ci in range(len(p.clients)) if fits[ci]), key=lambda ci: (-best_prize(ci), ci))
    for ci in order:
        c = p.clients[ci]
        best = None
        for ri, (si, seq) in enumerate(routes):
            shift = p.shifts[si]
            if shift.capacity is not None and load[ri] + c.demand > shift.capacity:
                continue
            locs = [shift.depot] + [p.clients[x].location for x, _ in seq] + [shift.depot]
            for k in fits[ci]:
                prize = c.window_prizes[k] if c.window_prizes is not None else c.prize
                for pos in range(len(seq) + 1):
                    added = (
                        int(p.distances[locs[pos], c.location])
                        + int(p.distances[c.location, locs[pos + 1]])
                        - int(p.distances[locs[pos], locs[pos + 1]])
                    )
                    score = added - prize
                    if best is not None and score >= best[0]:
                        continue
                    trial = seq[:pos] + [(ci, k)] + seq[pos:]
                    stops, back, _ = retime(p, shift, trial, shift.tw_early)
                    if back <= shift.tw_late and not _late_stops(p, stops):
                        best = (score, ri, pos, k)
        if best is not None and best[0] < 0:
            _, ri, pos, k = best
            routes[ri][1].insert(pos, (ci, k))
            load[ri] += c.demand
    return routes


class _Stop:
    """PyVRP stopping criterion: time limit, optional iteration cap, progress and cancel."""

    def __init__(self, time_limit: float, progress: Progress | None, max_iterations: int | None):
        self.time_limit = time_limit
        self.progress = progress
        self.max_iterations = max_iterations
        self.start = time.perf_counter()
        self.last_report = 0.0
        self.iterations = 0
        self.cancelled = False

    def __call__(self, best_cost: int) -> bool:
        self.iterations += 1
        now = time.perf_counter() - self.start
        if self.max_iterations is not None and self.iterations > self.max_iterations:
            return True
        if self.progress is not None and now - self.last_report >= 0.2:
            self.last_report = now
            frac = min(1.0, now / self.time_limit) if self.time_limit > 0 else 1.0
            if cancel_requested(self.progress, frac, f"搜索中 {now:.1f}/{self.time_limit:.0f} s"):
                self.cancelled = True
                return True
        return now >= self.time_limit


# --------------------------------------------------------------------------- timing


def retime(
    p: Problem, shift: Shift, stops: Sequence[tuple[int, int]], depart: int
) -> tuple[list[Stop], int, int]:
    """Earliest-start schedule of a stop sequence [(client, window)], leaving at ``depart``.

    Returns (stops, return time at the depot, total travel time); windows are not enforced
    here, see :func:`route_violations`.
    """
    t = depart
    here = shift.depot
    out = []
    travel = 0
    for ci, k in stops:
        c = p.clients[ci]
        leg = int(p.durations[here, c.location])
        travel += leg
        arrival = t + leg
        start = max(arrival, c.windows[k][0])
        end = start + c.service
        out.append(Stop(ci, k, arrival, start, end))
        t, here = end, c.location
    leg = int(p.durations[here, shift.depot])
    return out, t + leg, travel + leg


def _late_stops(p: Problem, stops: Sequence[Stop]) -> list[int]:
    return [i for i, s in enumerate(stops) if s.start > p.clients[s.client].windows[s.window][1]]


def _repair(p: Problem, routes: list[Route]) -> tuple[list[Route], list[int]]:
    """Re-time each route from its own departure and remove stops until no window is missed
    and the vehicle is back in time. PyVRP's best solution is normally feasible already;
    this keeps a time-limited or cancelled search from ever returning a late visit."""
    removed: list[int] = []
    out = []
    for r in routes:
        shift = p.shifts[r.shift]
        seq = [(s.client, s.window) for s in r.stops]
        depart = max(r.start, shift.tw_early)
        while True:
            stops, back, travel = retime(p, shift, seq, depart)
            late = _late_stops(p, stops)
            if not late and back <= shift.tw_late:
                break
            # drop the first late stop, or when only the return is late, the last stop
            drop = late[0] if late else len(seq) - 1
            removed.append(seq[drop][0])
            del seq[drop]
        if not seq:
            continue
        # keep the solver's own timing when it is consistent (it may wait less at the start)
        if [(s.client, s.window) for s in r.stops] == seq:
            dist = r.distance
        else:
            dist = _route_distance(p, shift, seq)
        out.append(Route(r.shift, stops, depart, back, dist, travel))
    return out, removed


def _route_distance(p: Problem, shift: Shift, seq: Sequence[tuple[int, int]]) -> int:
    locs = [shift.depot] + [p.clients[ci].location for ci, _ in seq] + [shift.depot]
    return int(sum(int(p.distances[a, b]) for a, b in zip(locs[:-1], locs[1:], strict=True)))


# --------------------------------------------------------------------------- validation


def validate(p: Problem, sol: Solution) -> list[str]:
    """Independent check of a solution; returns a list of violations (empty = valid).

    Recomputes every route from the matrices: each visit starts inside the chosen window,
    reported times are not earlier than physically possible, each shift is back at its
    depot by its end, capacities hold, no client is visited twice, every client is either
    visited or reported unserved, and the reported distance matches.
    """
    errors: list[str] = []
    seen: dict[int, int] = {}
    used_shifts: dict[int, int] = {}
    for ri, r in enumerate(sol.routes):
        if not 0 <= r.shift < len(p.shifts):
            errors.append(f"route {ri}: unknown shift {r.shift}")
            continue
        shift = p.shifts[r.shift]
        used_shifts[r.shift] = used_shifts.get(r.shift, 0) + 1
        if r.start < shift.tw_early:
            errors.append(f"route {ri}: leaves at {r.start} before the shift starts at {shift.tw_early}")
        t, here, load, dist = r.start, shift.depot, 0, 0
        for si, s in enumerate(r.stops):
            if s.client in seen:
                errors.append(f"route {ri} stop {si}: client {s.client} already visited")
            seen[s.client] = ri
            c = p.clients[s.client]
            if not 0 <= s.window < len(c.windows):
                errors.append(f"route {ri} stop {si}: client {s.client} has no window {s.window}")
                continue
            earliest_arrival = t + int(p.durations[here, c.location])
            dist += int(p.distances[here, c.location])
            e, lt = c.windows[s.window]
            start = max(earliest_arrival, e)
            if s.start < start:
                errors.append(
                    f"route {ri} stop {si}: reported start {s.start} earlier than possible ({start})"
                )
            start = max(start, s.start)
            if start > lt:
                errors.append(f"route {ri} stop {si}: client {s.client} served at {start}, window ends {lt}")
            if start < e:
                errors.append(f"route {ri} stop {si}: client {s.client} served at {start}, window opens {e}")
            t, here = start + c.service, c.location
            load += c.demand
        back = t + int(p.durations[here, shift.depot])
        dist += int(p.distances[here, shift.depot])
        if back > shift.tw_late:
            errors.append(
                f"route {ri} ({shift.label}): back at the depot at {back}, shift ends {shift.tw_late}"
            )
        if shift.capacity is not None and load > shift.capacity:
            errors.append(f"route {ri}: load {load} exceeds capacity {shift.capacity}")
        if dist != r.distance:
            errors.append(f"route {ri}: reported distance {r.distance}, recomputed {dist}")
    for si, count in used_shifts.items():
        if count > p.shifts[si].num_available:
            errors.append(f"shift {si} used {count} times, {p.shifts[si].num_available} available")
    unserved = {u.client for u in sol.unserved}
    for ci in range(len(p.clients)):
        if ci in seen and ci in unserved:
            errors.append(f"client {ci} both visited and reported unserved")
        if ci not in seen and ci not in unserved:
            errors.append(f"client {ci} neither visited nor reported unserved")
    if sum(r.distance for r in sol.routes) != sol.distance:
        errors.append("total distance differs from the sum of the routes")
    return errors
