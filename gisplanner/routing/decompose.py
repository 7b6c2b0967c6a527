"""One team's many sessions: cluster first, route second, then improve (分时段分解求解).

A team with 200 targets and 60 sessions is one VRPTW with 60 vehicles and one alternative
window per target and session: 12,000 PyVRP clients, more than a minute of search buys
much for. Here the work is cut instead:

1. **Construct** (sequential insertion, Solomon I1 style): the sessions are filled in time
   order; each takes, by cheapest feasible insertion, the targets near its route, with
   priority targets first and targets with fewer remaining sessions (an enterprise that can
   only be seen on two afternoons) before those that can wait. Every insertion is checked
   against the windows and the session end, so each route is feasible as it grows.
2. **Fill**: whatever is left is inserted wherever it still fits (cheapest first); what then
   fits nowhere really has no room in the team's sessions (``no_time``).
3. **Improve** (large neighbourhood): a few sessions whose routes lie close together are
   given to PyVRP at once (their targets plus left-overs that fit them), started from the
   current routes; a result is kept only when it serves at least the same prize for less
   walking. The time budget decides how many such groups are re-solved.

Input and output are :mod:`gisplanner.routing.vrptw` problems and solutions, so the result
is checked by the same :func:`~gisplanner.routing.vrptw.validate`. A client's windows must
each lie inside one shift (no windows merged across sessions).
"""

from __future__ import annotations

import time

import numpy as np

from gisplanner.routing.vrptw import (
    NO_TIME,
    NO_WINDOW,
    Client,
    Problem,
    Route,
    Shift,
    Solution,
    Unserved,
    _late_stops,
    _route_distance,
    retime,
    solve,
)

SCARCITY_METRES = 150  # score bonus per compatible session fewer (targets that cannot wait first)


def _shift_of_window(p: Problem):
    """A function (earliest, latest) -> index of the shift that contains the window, or None."""
    import bisect

    order = sorted(range(len(p.shifts)), key=lambda si: (p.shifts[si].tw_early, si))
    starts = [p.shifts[si].tw_early for si in order]

    def find(e: int, lt: int) -> int | None:
        j = bisect.bisect_right(starts, e) - 1
        while j >= 0:  # shifts may overlap: look back while they could still contain it
            si = order[j]
            s = p.shifts[si]
            if s.tw_early <= e and lt <= s.tw_late:
                return si
            if j > 0 and p.shifts[order[j - 1]].tw_late < e and s.tw_late < e:
                break
            j -= 1
        return None

    return find


def fitting_windows(p: Problem) -> list[list[int]]:
    """Like :func:`~gisplanner.routing.vrptw.feasible_windows` for windows that each lie in one
    shift: only that shift is tried (linear instead of windows × shifts)."""
    from gisplanner.routing.vrptw import _alternative_fits

    find = _shift_of_window(p)
    out = []
    for c in p.clients:
        ks = []
        for k, w in enumerate(c.windows):
            si = find(*w)
            if si is not None and _alternative_fits(p, c, w, p.shifts[si]):
                ks.append(k)
        out.append(ks)
    return out


def _window_by_shift(p: Problem, fits: list[list[int]]) -> list[dict[int, int]]:
    """For every client: shift index -> index of its window inside that shift."""
    find = _shift_of_window(p)
    out = []
    for ci, c in enumerate(p.clients):
        d: dict[int, int] = {}
        for k in fits[ci]:
            si = find(*c.windows[k])
            if si is not None and si not in d:
                d[si] = k
        out.append(d)
    return out


def _prize(c: Client, k: int) -> int:
    return int(c.window_prizes[k]) if c.window_prizes is not None else int(c.prize)


def _feasible(p: Problem, shift: Shift, seq: list[tuple[int, int]]) -> bool:
    stops, back, _ = retime(p, shift, seq, shift.tw_early)
    return back <= shift.tw_late and not _late_stops(p, stops)


BIG = np.iinfo(np.int64).max // 4


def _route_state(p: Problem, shift: Shift, seq: list[tuple[int, int]], dur: np.ndarray):
    """Timing of a route for O(1) insertion checks (push-forward, Savelsbergh style).

    Returns (locations incl. depot at both ends, departure time from node i = 0..k,
    earliest start of node i = 1..k+1, latest start of node i = 1..k+1 that keeps the rest of
    the route feasible); node k+1 is the return to the depot.
    """
    locs = [shift.depot] + [p.clients[ci].location for ci, _ in seq] + [shift.depot]
    k = len(seq)
    depart = np.empty(k + 1, dtype=np.int64)
    t = shift.tw_early
    depart[0] = t
    for i, (ci, kw) in enumerate(seq, start=1):
        c = p.clients[ci]
        t = max(t + int(dur[locs[i - 1], locs[i]]), c.windows[kw][0]) + c.service
        depart[i] = t
    early = np.empty(k + 1, dtype=np.int64)
    latest = np.empty(k + 1, dtype=np.int64)
    early[k] = -BIG
    latest[k] = shift.tw_late
    for i in range(k, 0, -1):
        ci, kw = seq[i - 1]
        c = p.clients[ci]
        early[i - 1] = c.windows[kw][0]
        latest[i - 1] = min(c.windows[kw][1], latest[i] - c.service - int(dur[locs[i], locs[i + 1]]))
    return np.asarray(locs, dtype=np.int64), depart, early, latest


def _insertion_costs(p, state, cl, e_c, l_c, svc, dist, dur) -> np.ndarray:
    """(positions × candidates) added distance of each feasible insertion, BIG where infeasible."""
    locs, depart, early, latest = state
    a, b = locs[:-1], locs[1:]
    arr = depart[:, None] + dur[a[:, None], cl[None, :]]
    st = np.maximum(e_c[None, :], arr)
    ok = st <= l_c[None, :]
    arr_n = st + svc[None, :] + dur[cl[None, :], b[:, None]]
    ok &= np.maximum(early[:, None], arr_n) <= latest[:, None]
    added = dist[a[:, None], cl[None, :]] + dist[cl[None, :], b[:, None]] - dist[a, b][:, None]
    return np.where(ok, added, BIG)


def _best_insertion(p: Problem, si: int, seq: list[tuple[int, int]], ci: int, k: int, dist, dur):
    """(added distance, position) of the cheapest feasible insertion, or None."""
    c = p.clients[ci]
    state = _route_state(p, p.shifts[si], seq, dur)
    costs = _insertion_costs(
        p, state, np.array([c.location]), np.array([c.windows[k][0]]), np.array([c.windows[k][1]]),
        np.array([c.service]), dist, dur,
    )[:, 0]  # fmt: skip
    pos = int(np.argmin(costs))
    return None if costs[pos] >= BIG else (int(costs[pos]), pos)


def construct(p: Problem, fits: list[list[int]] | None = None) -> list[list[tuple[int, int]]]:
    """Sequential cheapest insertion, one shift after the other in time order.

    Returns one sequence of (client, window) per shift (index = shift index).
    """
    fits = fits if fits is not None else fitting_windows(p)
    wbs = _window_by_shift(p, fits)
    dist = np.asarray(p.distances, dtype=np.int64)
    dur = np.asarray(p.durations, dtype=np.int64)
    n = len(p.clients)
    loc = np.array([c.location for c in p.clients], dtype=np.int64) if n else np.zeros(0, np.int64)
    service = np.array([c.service for c in p.clients], dtype=np.int64) if n else np.zeros(0, np.int64)
    done = np.zeros(n, dtype=bool)
    order = sorted(range(len(p.shifts)), key=lambda si: (p.shifts[si].tw_early, si))
    remaining = np.array([len(w) for w in wbs], dtype=np.int64)  # compatible shifts not yet built
    by_shift: dict[int, list[int]] = {}
    for ci, w in enumerate(wbs):
        for si in w:
            by_shift.setdefault(si, []).append(ci)
    routes: list[list[tuple[int, int]]] = [[] for _ in p.shifts]
    for si in order:
        shift = p.shifts[si]
        cand = np.array([ci for ci in by_shift.get(si, []) if not done[ci]], dtype=np.int64)
        if len(cand):
            wins = [p.clients[ci].windows[wbs[ci][si]] for ci in cand]
            e_c = np.array([w[0] for w in wins], dtype=np.int64)
            l_c = np.array([w[1] for w in wins], dtype=np.int64)
            prize = np.array([_prize(p.clients[ci], wbs[ci][si]) for ci in cand], dtype=np.int64)
            bonus = prize - SCARCITY_METRES * remaining[cand]
            cl, svc = loc[cand], service[cand]
            alive = np.ones(len(cand), dtype=bool)
            seq: list[tuple[int, int]] = []
            while alive.any():
                state = _route_state(p, shift, seq, dur)
                costs = _insertion_costs(p, state, cl, e_c, l_c, svc, dist, dur)
                pos = costs.argmin(axis=0)
                added = costs[pos, np.arange(len(cand))]
                alive &= added < BIG
                score = np.where(alive, added - bonus, BIG)
                j = int(np.argmin(score))
                if not alive[j] or score[j] >= 0:
                    break
                ci = int(cand[j])
                seq.insert(int(pos[j]), (ci, wbs[ci][si]))
                done[ci] = True
                alive[j] = False
            routes[si] = seq
        for ci in by_shift.get(si, []):
            remaining[ci] -= 1
    fill(p, routes, wbs, done, dist, dur)
    return routes


def fill(p: Problem, routes, wbs, done: np.ndarray, dist: np.ndarray, dur: np.ndarray | None = None) -> None:
    """Insert every client not yet on a route where it still fits, by prize then cheapest."""
    dur = np.asarray(p.durations, dtype=np.int64) if dur is None else dur
    left = [ci for ci in range(len(p.clients)) if not done[ci] and wbs[ci]]
    left.sort(key=lambda ci: -max(_prize(p.clients[ci], k) for k in wbs[ci].values()))
    for ci in left:
        best = None
        for si, k in wbs[ci].items():
            ins = _best_insertion(p, si, routes[si], ci, k, dist, dur)
            if ins is not None and (best is None or ins[0] - _prize(p.clients[ci], k) < best[0]):
                best = (ins[0] - _prize(p.clients[ci], k), si, ins[1], k)
        if best is not None:
            _, si, pos, k = best
            routes[si].insert(pos, (ci, k))
            done[ci] = True


def _groups(p: Problem, routes, size: int) -> list[list[int]]:
    """Groups of ``size`` used shifts whose routes lie close together (by route centre)."""
    used = [si for si, seq in enumerate(routes) if seq]
    if len(used) <= size:
        return [used] if used else []
    # locations are matrix rows, not coordinates: route medoids and the distance matrix;
    # greedy: seed = the route farthest from the depot, then its nearest routes
    dist = np.asarray(p.distances)
    med = []
    for si in used:
        locs = [p.clients[ci].location for ci, _ in routes[si]]
        sub = dist[np.ix_(locs, locs)]
        med.append(locs[int(np.argmin(sub.sum(axis=1)))])
    med = np.array(med)
    free = set(range(len(used)))
    out = []
    depot = p.shifts[used[0]].depot
    while free:
        seed = max(free, key=lambda i: (dist[depot, med[i]], -i))
        free.discard(seed)
        near = sorted(free, key=lambda i: (dist[med[seed], med[i]], i))[: size - 1]
        free.difference_update(near)
        out.append([used[seed]] + [used[i] for i in near])
    return out


def improve(
    p: Problem,
    routes,
    fits,
    time_limit: float,
    seed: int = 0,
    group_size: int = 4,
) -> list[list[tuple[int, int]]]:
    """Re-solve groups of nearby sessions with PyVRP from the current routes while time lasts."""
    deadline = time.perf_counter() + time_limit
    wbs = _window_by_shift(p, fits)
    groups = _groups(p, routes, group_size)
    if not groups:
        return routes
    per_group = max(0.05, time_limit / len(groups))
    rounds = 0
    while time.perf_counter() < deadline - 0.05:
        improved = False
        for g in groups:
            left = deadline - time.perf_counter()
            if left <= 0.05:
                break
            gset = set(g)
            on = {ci for si in g for ci, _ in routes[si]}
            served = {ci for seq in routes for ci, _ in seq}
            extra = [ci for ci in range(len(p.clients)) if ci not in served and gset & set(wbs[ci])]
            members = sorted(on) + extra
            if not members:
                continue
            sub = _sub_problem(p, g, members, wbs)
            idx = {ci: j for j, ci in enumerate(members)}
            init = []
            for gi, si in enumerate(g):
                seq = [(idx[ci], sub.win_map[idx[ci]][si]) for ci, _ in routes[si]]
                init.append((gi, seq))
            sol = solve(sub.problem, time_limit=min(left, per_group), seed=seed + rounds, initial=init)
            new = {si: [] for si in g}
            for r in sol.routes:
                si = g[r.shift]
                new[si] = [(members[st.client], sub.back_map[st.client][st.window]) for st in r.stops]
            old_obj = _objective_sub(p, g, [routes[si] for si in g])
            new_obj = _objective_sub(p, g, [new[si] for si in g])
            if new_obj < old_obj and all(_feasible(p, p.shifts[si], new[si]) for si in g):
                for si in g:
                    routes[si] = new[si]
                improved = True
        rounds += 1
        if not improved and rounds >= 2:
            break
        # next round: groups formed anew from the changed routes
        groups = _groups(p, routes, group_size)
    return routes


def _objective_sub(p: Problem, shifts: list[int], seqs) -> int:
    total = 0
    for si, seq in zip(shifts, seqs, strict=True):
        if seq:
            total += _route_distance(p, p.shifts[si], seq)
            total -= sum(_prize(p.clients[ci], k) for ci, k in seq)
    return total


class _Sub:
    def __init__(self, problem, win_map, back_map):
        self.problem = problem
        self.win_map = win_map  # sub client -> {shift: sub window index}
        self.back_map = back_map  # sub client -> [original window index per sub window]


def _sub_problem(p: Problem, g: list[int], members: list[int], wbs) -> _Sub:
    clients = []
    win_map, back_map = [], []
    for ci in members:
        c = p.clients[ci]
        wins, prizes, wm, bm = [], [], {}, []
        for si in g:
            k = wbs[ci].get(si)
            if k is None:
                continue
            wm[si] = len(wins)
            wins.append(c.windows[k])
            prizes.append(_prize(c, k))
            bm.append(k)
        clients.append(
            Client(c.location, wins, c.service, c.prize, prizes, required=False, demand=c.demand, ref=ci)
        )
        win_map.append(wm)
        back_map.append(bm)
    shifts = [p.shifts[si] for si in g]
    return _Sub(Problem(p.distances, p.durations, clients, shifts, p.duration_cost), win_map, back_map)


def solve_decomposed(
    p: Problem, time_limit: float = 5.0, seed: int = 0, group_size: int = 4, improve_share: float = 0.8
) -> Solution:
    """Construct, fill and improve (see the module docstring); same result type as
    :func:`gisplanner.routing.vrptw.solve`. ``improve_share`` of the time left after the
    construction goes to improving; the rest is kept for the final fill."""
    t0 = time.perf_counter()
    p.check()
    fits = fitting_windows(p)
    routes = construct(p, fits)
    left = time_limit - (time.perf_counter() - t0)
    if left > 0.1 and improve_share > 0:
        routes = improve(p, routes, fits, left * improve_share, seed=seed, group_size=group_size)
        dist = np.asarray(p.distances, dtype=np.int64)
        done = np.zeros(len(p.clients), dtype=bool)
        for seq in routes:
            for ci, _ in seq:
                done[ci] = True
        fill(p, routes, _window_by_shift(p, fits), done, dist)
    out_routes = []
    served = set()
    for si, seq in enumerate(routes):
        if not seq:
            continue
        shift = p.shifts[si]
        stops, back, travel = retime(p, shift, seq, shift.tw_early)
        out_routes.append(Route(si, stops, shift.tw_early, back, _route_distance(p, shift, seq), travel))
        served.update(ci for ci, _ in seq)
    unserved = [
        Unserved(ci, NO_WINDOW if not fits[ci] else NO_TIME)
        for ci in range(len(p.clients))
        if ci not in served
    ]
    total = sum(r.distance for r in out_routes)
    return Solution(
        out_routes, unserved, total, not any(p.clients[u.client].required for u in unserved),
        time.perf_counter() - t0,
    )  # fmt: skip
