"""Territories (责任片区): workload per team and the automatic split of a round's targets ("turf cutting").

Workload (工作量) of a set of targets = service minutes per target type (configurable: household 20,
special-group household 30, enterprise 40, notable person 30) + walking: the walk from each
building/house to its nearest neighbour in the set (road detour factor) and the return trip
from the team's village office (村委会/居委会), at walking speed.

The split (:func:`split_points`, pure, metres):
1. targets sharing a building key (or, without one, an address) form one *unit*: a building is
   never cut between teams;
2. seeds by k-means on the units; distances from each seed to each unit along the road network
   (Dijkstra from the seeds' road nodes), capped at 1.6 x the straight line (houses off a lane are
   reached across the hamlet) and straight line x detour where no road is near;
3. Lloyd rounds (nearest seed, seed -> weighted medoid), then a balanced round: a transportation LP
   (HiGHS) assigns units to the k seeds with each territory's load within ±tolerance/2 of the
   mean (soft, heavily penalised), minimising load x distance² (compact, power-diagram-like
   cells); the seeds move to the balanced cells' medoids and the LP is solved again; the units the
   LP splits between territories are placed whole by a small exact MILP;
4. local boundary moves fix what is left: a unit on the edge of the heaviest (lightest) territory
   moves to a neighbouring lighter (heavier) one while the spread shrinks (the per-team walk from
   the office counts in the load).
Round split (:func:`split_round`) without an area: teams are shared out over the villages in
proportion to workload (largest remainder) after merging villages too small for one team; when
whole teams leave two groups' hours per team more than the tolerance apart, the group furthest
from the mean joins its nearest neighbour.
Compactness is reported as the mean distance of targets to their territory centroid and the
share of territory convex hulls that overlap another territory's hull (0 = cleanly separated).

Length: workload, the split and its balancing (by village, then within) are one algorithm with
shared unit and weight tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely

from gisplanner.progress import Progress, check, finish
from gisplanner.routing.matrix import RoadGraph
from gisplanner.store.vocab import SessionKind, TargetKind


class TerritoryError(ValueError):
    """Bad input to the territory split (message says what is missing)."""


@dataclass(frozen=True)
class WorkloadConfig:
    """Service minutes per target type and walking assumptions."""

    household_minutes: float = 20.0
    special_minutes: float = 30.0  # household of a special group (独居老人/残疾/困难家庭)
    enterprise_minutes: float = 40.0
    notable_minutes: float = 30.0
    walk_kmh: float = 4.5
    detour: float = 1.3  # straight line -> walking distance where no road is known

    def service_minutes(self, kind: str, special: bool) -> float:
        if kind == TargetKind.ENTERPRISE:
            return self.enterprise_minutes
        if kind == TargetKind.NOTABLE:
            return self.notable_minutes
        return self.special_minutes if special else self.household_minutes

    def walk_minutes(self, metres):
        return np.asarray(metres, dtype=float) / (self.walk_kmh * 1000.0 / 60.0)


# ----------------------------------------------------------------------------- geometry helpers


def unit_keys(buildings: Sequence, addresses: Sequence) -> np.ndarray:
    """Group index per target: same building key -> same unit, else same address, else alone."""
    out = np.empty(len(buildings), dtype=np.int64)
    seen: dict[tuple[str, str], int] = {}
    for i, (b, a) in enumerate(zip(buildings, addresses, strict=True)):
        if isinstance(b, str) and b.strip():  # None / NaN / "" = no building key
            key = ("b", b.strip())
        elif isinstance(a, str) and a.strip():
            key = ("a", a.strip())
        else:
            key = ("t", str(i))
        out[i] = seen.setdefault(key, len(seen))
    return out


class RoadDistances:
    """Walking distance from a few sources to many points along the road network."""

    def __init__(self, graph: RoadGraph | None, points: np.ndarray, detour: float, max_snap: float = 300.0):
        self.graph, self.points, self.detour = graph, np.asarray(points, float), detour
        if graph is not None and len(self.points):
            snap = graph.snap(self.points)
            self.on = snap.offset <= max_snap
            self.ends = np.stack([graph.seg_from[snap.segment], graph.seg_to[snap.segment]], axis=1)
            along = np.stack([snap.t * snap.segment_length, (1 - snap.t) * snap.segment_length], axis=1)
            self.access = along + snap.offset[:, None]

    def from_points(self, idx: np.ndarray) -> np.ndarray:
        """(len(idx), n) distances from the points ``idx`` to every point."""
        from scipy.sparse.csgraph import dijkstra

        idx = np.asarray(idx, dtype=np.int64)
        src, dst = self.points[idx], self.points
        straight = (
            np.hypot(src[:, None, 0] - dst[None, :, 0], src[:, None, 1] - dst[None, :, 1]) * self.detour
        )
        if self.graph is None or not len(idx):
            return straight
        nodes = np.unique(self.ends[idx].reshape(-1))
        node_d = dijkstra(self.graph.graph, directed=False, indices=nodes)
        row = {n: r for r, n in enumerate(nodes)}
        best = np.full((len(idx), len(dst)), np.inf)
        for a in (0, 1):
            ra = np.array([row[n] for n in self.ends[idx, a]])
            for b in (0, 1):
                d = node_d[ra][:, self.ends[:, b]] + self.access[idx, a][:, None] + self.access[:, b][None, :]
                np.minimum(best, d, out=best)
        ok = self.on[idx][:, None] & self.on[None, :] & np.isfinite(best)
        # off-road points (a village's houses around one lane) walk across: the road distance,
        # capped at a generous straight-line detour so that near neighbours stay together
        out = np.where(ok, np.minimum(best, straight * 1.6 / self.detour), straight)
        out[np.arange(len(idx)), idx] = 0.0
        return out


def nearest_neighbour_metres(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Straight distance from each point to its nearest other point (0 for a single point)."""
    from scipy.spatial import cKDTree

    if len(x) < 2:
        return np.zeros(len(x))
    d, _ = cKDTree(np.column_stack([x, y])).query(np.column_stack([x, y]), k=2)
    return d[:, 1]


@dataclass
class Territory:
    index: int
    members: np.ndarray  # indices of the input targets
    hours: float
    service_hours: float
    walk_hours: float
    office: int | None  # index into the offices given, nearest to the territory
    mean_dist_to_centroid: float


@dataclass
class SplitResult:
    labels: np.ndarray  # territory index per input target
    territories: list[Territory]
    hull_overlap: float  # share of hull area covered by another territory's hull
    notes: list[str] = field(default_factory=list)

    @property
    def hours(self) -> np.ndarray:
        return np.array([t.hours for t in self.territories])

    @property
    def balance(self) -> float:
        """max/min of the estimated hours (1.0 = perfectly balanced)."""
        h = self.hours
        return float(h.max() / h.min()) if len(h) and h.min() > 0 else math.inf

    @property
    def mean_dist_to_centroid(self) -> float:
        return (
            float(np.mean([t.mean_dist_to_centroid for t in self.territories])) if self.territories else 0.0
        )


def territory_hours(x, y, minutes, offices, cfg: WorkloadConfig) -> tuple[float, float, int | None]:
    """(service hours, walking hours, nearest office) of one set of targets."""
    if len(x) == 0:
        return 0.0, 0.0, None
    walk = nearest_neighbour_metres(x, y).sum() * cfg.detour
    office = None
    if offices is not None and len(offices):
        cx, cy = float(np.mean(x)), float(np.mean(y))
        office = int(np.argmin(np.hypot(offices[:, 0] - cx, offices[:, 1] - cy)))
        walk += 2 * np.min(np.hypot(x - offices[office, 0], y - offices[office, 1])) * cfg.detour
    return float(np.sum(minutes)) / 60.0, float(cfg.walk_minutes(walk)) / 60.0, office


# ----------------------------------------------------------------------------- the split


def _balanced_lp(w, dist, lo, hi, cand):
    """Fractional assignment of units to territories with loads in [lo, hi] (soft, big penalty)."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n_units, k = dist.shape
    rows_u, cols_c = np.repeat(np.arange(n_units), cand.shape[1]), cand.reshape(-1)
    nvar = len(rows_u)
    cost = w[rows_u] * dist[rows_u, cols_c] ** 2  # squared: compact, power-diagram-like cells
    scale = max(float(cost.mean()), 1e-9)
    big = 1e3
    c = np.concatenate([cost / scale, np.full(2 * k, big)])  # + slack over / under per territory
    a_eq = coo_matrix((np.ones(nvar), (rows_u, np.arange(nvar))), shape=(n_units, nvar + 2 * k))
    # load_c - over_c <= hi ; -load_c - under_c <= -lo
    r = np.concatenate([cols_c, k + cols_c, np.arange(k), k + np.arange(k)])
    cc = np.concatenate([np.arange(nvar), np.arange(nvar), nvar + np.arange(k), nvar + k + np.arange(k)])
    v = np.concatenate([w[rows_u], -w[rows_u], -np.ones(k), -np.ones(k)])
    a_ub = coo_matrix((v, (r, cc)), shape=(2 * k, nvar + 2 * k))
    b_ub = np.concatenate([np.broadcast_to(hi, k), -np.broadcast_to(lo, k)])
    res = linprog(
        c,
        A_ub=a_ub.tocsr(),
        b_ub=b_ub,
        A_eq=a_eq.tocsr(),
        b_eq=np.ones(n_units),
        method="highs-ds",
        options={"presolve": False},
    )
    if res.x is None:
        raise TerritoryError(f"片区划分线性规划失败：{res.message}")
    share = np.zeros((n_units, k))
    share[rows_u, cols_c] = res.x[:nvar]
    labels = share.argmax(axis=1)
    split = np.flatnonzero(share.max(axis=1) < 0.999)
    if len(split):
        labels = _round_split_units(labels, split, w, cand, cost.reshape(n_units, -1) / scale, lo, hi, k, big)
    return labels


def _round_split_units(labels, split, w, cand, cost, lo, hi, k, big):
    """Exact rounding of the units the LP split between territories (a small MILP): whole
    buildings are placed so that the loads stay as close to the band as possible."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    fixed = np.ones(len(labels), bool)
    fixed[split] = False
    base = np.bincount(labels[fixed], weights=w[fixed], minlength=k)
    m = cand.shape[1]
    nvar = len(split) * m
    uu = np.repeat(np.arange(len(split)), m)
    cc = cand[split].reshape(-1)
    c = np.concatenate([cost[split].reshape(-1), np.full(2 * k, big)])
    rows = [coo_matrix((np.ones(nvar), (uu, np.arange(nvar))), shape=(len(split), nvar + 2 * k))]
    r = np.concatenate([cc, k + cc, np.arange(k), k + np.arange(k)])
    col = np.concatenate([np.arange(nvar), np.arange(nvar), nvar + np.arange(k), nvar + k + np.arange(k)])
    v = np.concatenate([w[split][uu], -w[split][uu], -np.ones(k), -np.ones(k)])
    rows.append(coo_matrix((v, (r, col)), shape=(2 * k, nvar + 2 * k)))
    from scipy.sparse import vstack

    a = vstack(rows).tocsr()
    lower = np.concatenate([np.ones(len(split)), np.full(2 * k, -np.inf)])
    upper = np.concatenate([np.ones(len(split)), hi - base, -(lo - base)])
    res = milp(
        c,
        constraints=LinearConstraint(a, lower, upper),
        integrality=np.concatenate([np.ones(nvar), np.zeros(2 * k)]),
        bounds=Bounds(0, np.concatenate([np.ones(nvar), np.full(2 * k, np.inf)])),
        options={"time_limit": 10.0, "mip_rel_gap": 1e-3, "presolve": False},
    )
    if res.x is None:
        return labels
    pick = res.x[:nvar].reshape(len(split), m).argmax(axis=1)
    out = labels.copy()
    out[split] = cand[split][np.arange(len(split)), pick]
    return out


def _office_trips(labels, pts, offices, k, cfg) -> np.ndarray:
    """Minutes of the walk from the nearest office to each territory and back (a per-team overhead)."""
    if offices is None or not len(offices):
        return np.zeros(k)
    out = np.zeros(k)
    for t in range(k):
        p = pts[labels == t]
        if len(p):
            d = np.hypot(p[:, None, 0] - offices[None, :, 0], p[:, None, 1] - offices[None, :, 1])
            out[t] = cfg.walk_minutes(2 * d.min() * cfg.detour)
    return out


def _rebalance(labels, w, dist, k, tol, base=None, max_moves: int = 3000, share=None):
    """Move boundary units from heavy to light neighbouring territories while the spread shrinks.

    ``share``: each territory's part of the total (its team's session time); default equal."""
    load = np.bincount(labels, weights=w, minlength=k) + (0 if base is None else base)
    if share is not None:
        # in units of "load per share": balanced when load_t / (k * share_t) is the same everywhere
        scale = np.asarray(share, float) * k
        return _rebalance_scaled(labels, w, dist, k, tol, load, scale, max_moves)
    mean = load.mean()
    near = np.argsort(dist, axis=1)[:, : min(k, 4)]  # a unit's neighbouring territories
    for _ in range(max_moves):
        if load.max() <= mean * (1 + tol / 2) and load.min() >= mean * (1 - tol / 2):
            break
        best = None
        for heavy_side in (True, False):
            t = int(load.argmax() if heavy_side else load.argmin())
            if heavy_side:
                units = np.flatnonzero(labels == t)
                for u in units:
                    for c in near[u]:
                        if c == t or load[c] >= load[t]:
                            continue
                        gain = (load[t] - mean) ** 2 + (load[c] - mean) ** 2
                        gain -= (load[t] - w[u] - mean) ** 2 + (load[c] + w[u] - mean) ** 2
                        extra = dist[u, c] - dist[u, t]
                        if gain > 1e-9 and (best is None or extra / gain < best[0]):
                            best = (extra / gain, u, t, c)
            else:
                cand = np.flatnonzero((near == t).any(axis=1) & (labels != t))
                for u in cand:
                    s = labels[u]
                    if load[s] <= load[t]:
                        continue
                    gain = (load[s] - mean) ** 2 + (load[t] - mean) ** 2
                    gain -= (load[s] - w[u] - mean) ** 2 + (load[t] + w[u] - mean) ** 2
                    extra = dist[u, t] - dist[u, s]
                    if gain > 1e-9 and (best is None or extra / gain < best[0]):
                        best = (extra / gain, u, s, t)
        if best is None:
            break
        _, u, s, t = best
        labels[u] = t
        load[s] -= w[u]
        load[t] += w[u]
    return labels


def _rebalance_scaled(labels, w, dist, k, tol, load, scale, max_moves):
    """_rebalance for unequal targets: balances load_t / scale_t (scale: k * share_t)."""
    target = load.sum() / k  # the mean of load_t / scale_t when balanced
    near = np.argsort(dist, axis=1)[:, : min(k, 4)]

    def err(t, value):
        return (value / scale[t] - target) ** 2

    for _ in range(max_moves):
        rel = load / scale
        if rel.max() <= target * (1 + tol / 2) and rel.min() >= target * (1 - tol / 2):
            break
        best = None
        t = int(rel.argmax())
        for u in np.flatnonzero(labels == t):
            for c in near[u]:
                if c == t or rel[c] >= rel[t]:
                    continue
                gain = err(t, load[t]) + err(c, load[c]) - err(t, load[t] - w[u]) - err(c, load[c] + w[u])
                extra = dist[u, c] - dist[u, t]
                if gain > 1e-9 and (best is None or extra / gain < best[0]):
                    best = (extra / gain, u, t, c)
        t = int(rel.argmin())
        for u in np.flatnonzero((near == t).any(axis=1) & (labels != t)):
            src = labels[u]
            if rel[src] <= rel[t]:
                continue
            gain = err(src, load[src]) + err(t, load[t]) - err(src, load[src] - w[u]) - err(t, load[t] + w[u])
            extra = dist[u, t] - dist[u, src]
            if gain > 1e-9 and (best is None or extra / gain < best[0]):
                best = (extra / gain, u, src, t)
        if best is None:
            break
        _, u, src, t = best
        labels[u] = t
        load[src] -= w[u]
        load[t] += w[u]
    return labels


def split_points(
    x: np.ndarray,
    y: np.ndarray,
    minutes: np.ndarray,
    units: np.ndarray,
    k: int,
    *,
    offices: np.ndarray | None = None,
    graph: RoadGraph | None = None,
    cfg: WorkloadConfig | None = None,
    tolerance: float = 0.10,
    rounds: int = 6,
    seed: int = 0,
    progress: Progress | None = None,
    shares: np.ndarray | None = None,
) -> SplitResult:
    """Split targets (x, y metres; service minutes; unit index) into ``k`` balanced territories.

    ``shares`` (k values summing to 1): territory t gets that part of the work — its team's part
    of the session time the teams can give (a team of evenings-only cadres gets less); default
    equal parts."""
    from scipy.cluster.vq import kmeans2

    cfg = cfg or WorkloadConfig()
    x, y, minutes = np.asarray(x, float), np.asarray(y, float), np.asarray(minutes, float)
    n = len(x)
    if k < 1:
        raise TerritoryError("至少需要一个队伍")
    if n == 0:
        return SplitResult(np.zeros(0, np.int64), [], 0.0, ["没有需要划分的走访对象"])
    uniq, unit_of = np.unique(units, return_inverse=True)
    nu = len(uniq)
    ux = np.bincount(unit_of, weights=x) / np.bincount(unit_of)
    uy = np.bincount(unit_of, weights=y) / np.bincount(unit_of)
    # unit load: service minutes + the walk to the nearest other building (an additive walking share)
    w = np.bincount(unit_of, weights=minutes, minlength=nu)
    w = w + cfg.walk_minutes(nearest_neighbour_metres(ux, uy) * cfg.detour)
    notes = []
    if k > nu:
        notes.append(f"只有{nu}个楼栋/住址单元，{k - nu}个队伍分不到片区")
    kk = min(k, nu)
    roads = RoadDistances(graph, np.column_stack([ux, uy]), cfg.detour)
    rng = np.random.default_rng(seed)
    pts = np.column_stack([ux, uy])
    if kk == nu:
        labels = np.arange(nu)
    else:
        _, init = kmeans2(pts, kk, minit="++", seed=rng, iter=20)
        part = np.full(kk, 1.0 / kk) if shares is None else np.asarray(shares[:kk], float) / sum(shares[:kk])
        lo = w.sum() * part * (1 - tolerance / 2)
        hi = w.sum() * part * (1 + tolerance / 2)
        # seeds: the unit nearest each k-means centre (distinct)
        seeds = _distinct_nearest(
            pts, np.array([pts[init == c].mean(axis=0) for c in range(kk) if (init == c).any()])
        )
        seeds = _top_up(seeds, pts, kk, rng)
        # capacitated k-means: Lloyd rounds on road distances, then a balanced LP round that moves
        # the seeds to balanced cells, then the final balanced LP with whole-building rounding
        for r in range(rounds):
            check(progress, 0.1 + 0.7 * r / rounds, "划分片区")
            dist = roads.from_points(seeds).T  # (units, k) along the roads
            if r < rounds - 1:
                labels = dist.argmin(axis=1)
            else:
                labels = _balanced_lp(w, dist, lo, hi, np.argsort(dist, axis=1)[:, : min(kk, 8)])
            seeds = _medoids(labels, pts, w, kk, seeds)
        dist = roads.from_points(seeds).T
        labels = _balanced_lp(w, dist, lo, hi, np.argsort(dist, axis=1)[:, : min(kk, 8)])
        base = _office_trips(labels, pts, offices, kk, cfg)
        labels = _rebalance(labels, w, dist, kk, tolerance, base=base, share=None if shares is None else part)
    target_labels = labels[unit_of]
    territories = []
    for t in range(kk):
        idx = np.flatnonzero(target_labels == t)
        svc, walk, office = territory_hours(x[idx], y[idx], minutes[idx], offices, cfg)
        mdc = float(np.mean(np.hypot(x[idx] - x[idx].mean(), y[idx] - y[idx].mean()))) if len(idx) else 0.0
        territories.append(Territory(t, idx, svc + walk, svc, walk, office, mdc))
    finish(progress)
    return SplitResult(target_labels, territories, _hull_overlap(x, y, target_labels, kk), notes)


def _distinct_nearest(pts, centres):
    from scipy.spatial import cKDTree

    tree = cKDTree(pts)
    chosen: list[int] = []
    for c in centres:
        _, cand = tree.query(c, k=min(len(pts), len(centres) + 1))
        for i in np.atleast_1d(cand):
            if int(i) not in chosen:
                chosen.append(int(i))
                break
    return np.array(chosen, dtype=np.int64)


def _top_up(seeds, pts, k, rng):
    """Add far-away units as seeds if k-means produced empty clusters."""
    seeds = list(seeds)
    while len(seeds) < k:
        d = np.min(
            np.hypot(pts[:, None, 0] - pts[seeds][None, :, 0], pts[:, None, 1] - pts[seeds][None, :, 1]), 1
        )
        seeds.append(int(np.argmax(d)))
    return np.array(seeds, dtype=np.int64)


def _medoids(labels, pts, w, k, old):
    """The unit nearest the weighted centroid of each territory."""
    out = []
    for t in range(k):
        idx = np.flatnonzero(labels == t)
        if not len(idx):
            out.append(int(old[t]))
            continue
        c = np.average(pts[idx], axis=0, weights=np.maximum(w[idx], 1e-9))
        out.append(int(idx[np.argmin(np.hypot(*(pts[idx] - c).T))]))
    return np.array(out, dtype=np.int64)


def _hull_overlap(x, y, labels, k) -> float:
    hulls = [shapely.convex_hull(shapely.multipoints(np.column_stack([x, y])[labels == t])) for t in range(k)]
    hulls = [h.buffer(1.0) for h in hulls]  # points / lines become small areas
    total = sum(h.area for h in hulls)
    if total <= 0:
        return 0.0
    tree = shapely.STRtree(hulls)
    overlap = 0.0
    for i, h in enumerate(hulls):
        others = [hulls[j] for j in tree.query(h) if j != i]
        if others:
            overlap += shapely.intersection(h, shapely.union_all(others)).area
    return overlap / total


# ----------------------------------------------------------------------------- shares of teams


def largest_remainder(weights: dict, k: int) -> dict:
    """Share ``k`` teams in proportion to ``weights`` (largest remainder method)."""
    total = sum(weights.values())
    if total <= 0 or k <= 0:
        return dict.fromkeys(weights, 0)
    quota = {a: k * v / total for a, v in weights.items()}
    share = {a: int(math.floor(q)) for a, q in quota.items()}
    left = k - sum(share.values())
    for a in sorted(quota, key=lambda a: (-(quota[a] - share[a]), str(a)))[:left]:
        share[a] += 1
    return share


# ----------------------------------------------------------------------------- the database side


@dataclass
class TeamWorkload:
    """A team's share of a round: what the team panel and `teams split` show."""

    team_id: int | None  # None: the round's unassigned targets
    name: str
    households: int = 0
    enterprises: int = 0
    special: int = 0  # special-group households (特殊群体)
    notables: int = 0
    hours: float = 0.0
    office_area_id: int | None = None


@dataclass
class RoundSplit:
    round_id: int
    workloads: list[TeamWorkload]
    per_area: dict[str, int]  # area code -> teams given to it
    mean_dist_to_centroid: float
    hull_overlap: float
    notes: list[str]
    workday_weight: float = 1.0  # how working-hours sessions counted in each team's share

    @property
    def balance(self) -> float:
        h = [w.hours for w in self.workloads if w.team_id is not None and w.hours > 0]
        return max(h) / min(h) if h else math.inf


def _round_targets(s, round_id: int):
    """The round's targets with what the workload needs (a pandas frame)."""
    import pandas as pd
    from sqlalchemy import select

    from gisplanner.store.model import SPECIAL_GROUP_TAGS, Assignment, Target

    cols = [Target.id, Target.kind, Target.building, Target.address, Target.lon, Target.lat, Target.area_id]
    cols += [getattr(Target, t) for t in SPECIAL_GROUP_TAGS]
    q = (
        select(Assignment.id.label("assignment_id"), Assignment.team_id, *cols)
        .join(Target, Target.id == Assignment.target_id)
        .where(Assignment.round_id == round_id)
        .order_by(Target.id)
    )
    df = pd.DataFrame(
        s.execute(q).all(),
        columns=[
            "assignment_id",
            "team_id",
            "id",
            "kind",
            "building",
            "address",
            "lon",
            "lat",
            "area_id",
            *SPECIAL_GROUP_TAGS,
        ],
    )
    df["special"] = df[list(SPECIAL_GROUP_TAGS)].astype(bool).any(axis=1) & (
        df["kind"] == TargetKind.HOUSEHOLD
    )
    return df


def _projection(df):
    from gisplanner.io.crs import LocalProjection

    lon = float(df["lon"].mean()) if len(df) else 120.0
    return LocalProjection.for_lonlat(lon)


def _road_graph(store, proj) -> RoadGraph | None:
    """The walking graph (no motorways; OpenStreetMap ways joined at their shared nodes)."""
    from gisplanner.geo.roads import road_graph

    return road_graph(store, proj, "walking")


def _minutes(df, cfg: WorkloadConfig) -> np.ndarray:
    return np.array([cfg.service_minutes(k, sp) for k, sp in zip(df["kind"], df["special"], strict=True)])


def team_workloads(store, round_id: int, cfg: WorkloadConfig | None = None) -> list[TeamWorkload]:
    """Workload of every team of the round, then one row (team_id None) for the unassigned targets."""
    from sqlalchemy import select

    from gisplanner.store.model import SPECIAL_GROUP_TAGS, Area, Team

    cfg = cfg or WorkloadConfig()
    with store.session() as s:
        teams = s.execute(
            select(Team.id, Team.name, Team.office_area_id).where(Team.round_id == round_id).order_by(Team.id)
        ).all()
        offices = {
            aid: (lon, lat)
            for aid, lon, lat in s.execute(select(Area.id, Area.office_lon, Area.office_lat))
            if lon is not None
        }
    special = " OR ".join(f"t.{c}" for c in SPECIAL_GROUP_TAGS)
    df = store.read_columns(
        f"SELECT a.team_id, t.kind, t.lon, t.lat, ({special}) AS special FROM assignment a "
        "JOIN target t ON t.id = a.target_id WHERE a.round_id = :r",
        {"r": int(round_id)},
    )
    proj = _projection(df)
    x, y = proj.forward(df["lon"].to_numpy(float), df["lat"].to_numpy(float)) if len(df) else ([], [])
    x, y = np.atleast_1d(np.asarray(x, float)), np.atleast_1d(np.asarray(y, float))
    kind = df["kind"].to_numpy(object)
    spec = df["special"].fillna(0).astype(bool).to_numpy() & (kind == TargetKind.HOUSEHOLD)
    minutes = np.where(
        kind == TargetKind.ENTERPRISE,
        cfg.enterprise_minutes,
        np.where(
            kind == TargetKind.NOTABLE,
            cfg.notable_minutes,
            np.where(spec, cfg.special_minutes, cfg.household_minutes),
        ),
    )
    team_col = df["team_id"].to_numpy(dtype=float)  # NaN = unassigned
    office_xy = {}
    if offices:
        ids = list(offices)
        ox, oy = proj.forward(np.array([offices[i][0] for i in ids]), np.array([offices[i][1] for i in ids]))
        office_xy = {
            i: (float(a), float(b)) for i, a, b in zip(ids, np.atleast_1d(ox), np.atleast_1d(oy), strict=True)
        }
    out = []
    for tid, name, office_area in [*teams, (None, "未分配", None)]:
        m = np.isnan(team_col) if tid is None else team_col == tid
        off = np.array([office_xy[office_area]]) if office_area in office_xy else None
        svc, walk, _ = territory_hours(x[m], y[m], minutes[m], off, cfg)
        k = kind[m]
        out.append(
            TeamWorkload(
                tid,
                name,
                int(((k == TargetKind.HOUSEHOLD) & ~spec[m]).sum()),
                int((k == TargetKind.ENTERPRISE).sum()),
                int(spec[m].sum()),
                int((k == TargetKind.NOTABLE).sum()),
                round(svc + walk, 2),
                office_area,
            )
        )
    return out


def _team_or_none(v) -> int | None:
    return None if v is None or v != v else int(v)  # NaN from a pandas column: unassigned


def assign_targets(
    store, round_id: int, target_ids: Sequence[int], team_id: int | None, *, expected: dict | None = None
) -> dict[int, int | None]:
    """Give targets of a round to a team (None: unassign) in one transaction.

    `expected`: target -> the team the user saw (optimistic locking, as
    :func:`gisplanner.access.concurrency.save_edit` for versioned rows): when another planner changed
    any of them meanwhile, nothing is written and :class:`gisplanner.access.concurrency.ConflictError`
    lists those targets with both teams (the rows are locked while checked, on PostgreSQL).
    Returns the previous team per target, so the change can be undone with :func:`restore_assignment`.
    """
    from sqlalchemy import select, update

    from gisplanner.store.model import Assignment, Team

    ids = [int(t) for t in target_ids]
    if expected is not None:
        _check_expected(store, round_id, ids, team_id, expected)
    with store.session() as s:
        if team_id is not None:
            team = s.get(Team, team_id)
            if team is None or team.round_id != round_id:
                raise TerritoryError(f"队伍 {team_id} 不属于走访轮次 {round_id}")
        before = {}
        for chunk in range(0, len(ids), 900):
            part = ids[chunk : chunk + 900]
            before.update(
                s.execute(
                    select(Assignment.target_id, Assignment.team_id).where(
                        Assignment.round_id == round_id, Assignment.target_id.in_(part)
                    )
                ).all()
            )
            s.execute(
                update(Assignment)
                .where(Assignment.round_id == round_id, Assignment.target_id.in_(part))
                .values(team_id=team_id)
            )
    return before


def _check_expected(store, round_id: int, ids: list[int], team_id: int | None, expected: dict) -> None:
    from sqlalchemy import select

    from gisplanner.access.concurrency import Conflict, ConflictError
    from gisplanner.store.model import Assignment, Target, Team

    with store.session() as s:
        now: dict[int, int | None] = {}
        for chunk in range(0, len(ids), 900):
            part = ids[chunk : chunk + 900]
            q = select(Assignment.target_id, Assignment.team_id).where(
                Assignment.round_id == round_id, Assignment.target_id.in_(part)
            )
            now.update(s.execute(q.with_for_update()).all())
        changed = [
            t for t in ids if t in expected and _team_or_none(expected[t]) != _team_or_none(now.get(t))
        ]
        if not changed:
            return
        teams = dict(s.execute(select(Team.id, Team.name).where(Team.round_id == round_id)).all())
        names = dict(s.execute(select(Target.id, Target.name).where(Target.id.in_(changed[:200]))).all())

    def team(v) -> str:
        v = _team_or_none(v)
        return "（未分配）" if v is None else teams.get(v, f"队伍 {v}")

    theirs, mine = {}, {}
    for t in changed[:200]:
        key = f"{names.get(t, t)}（{t}）"
        theirs[key] = (team(expected[t]), team(now.get(t)))
        mine[key] = (team(expected[t]), team(team_id))
    conflict = Conflict("assignment", (round_id,), f"（{len(changed)} 个对象的分配）", None, 0, theirs, mine)
    conflict.current = {"changed": changed, "now": now}
    raise ConflictError([conflict])


def restore_assignment(store, round_id: int, previous: dict[int, int | None]) -> None:
    """Put back the teams that :func:`assign_targets` returned (one transaction)."""
    from sqlalchemy import update

    from gisplanner.store.model import Assignment

    by_team: dict[int | None, list[int]] = {}
    for tid, team in previous.items():
        by_team.setdefault(team, []).append(tid)
    with store.session() as s:
        for team, tids in by_team.items():
            for chunk in range(0, len(tids), 900):
                s.execute(
                    update(Assignment)
                    .where(
                        Assignment.round_id == round_id, Assignment.target_id.in_(tids[chunk : chunk + 900])
                    )
                    .values(team_id=team)
                )


def team_session_hours(s, round_id: int, workday_weight: float = 1.0) -> dict[int, float]:
    """Team id -> hours of the round's sessions its members can all go out in
    (:func:`gisplanner.campaign.schedule.team_session_ids`); working-hours sessions count at
    ``workday_weight`` (households are not home then: only the share of the work that can be done
    in working hours — enterprises, 名士 — can use them)."""
    from sqlalchemy import select

    from gisplanner.campaign.schedule import team_session_ids
    from gisplanner.store.model import VisitSession

    dur = {
        sid: (b - a).total_seconds() / 3600 * (workday_weight if kind == SessionKind.WORKDAY else 1.0)
        for sid, a, b, kind in s.execute(
            select(VisitSession.id, VisitSession.start, VisitSession.end, VisitSession.kind).where(
                VisitSession.round_id == round_id
            )
        )
    }
    return {t: sum(dur[i] for i in ids) for t, ids in team_session_ids(s, round_id).items()}


def split_round(
    store,
    round_id: int,
    area_code: str | None = None,
    cfg: WorkloadConfig | None = None,
    tolerance: float = 0.10,
    seed: int = 0,
    progress: Progress | None = None,
) -> RoundSplit:
    """Assign the round's targets to its teams as territories (one transaction).

    With ``area_code``: that area's targets are split among the teams based in it (or, if none is,
    among all the round's teams). Without: the teams are shared out over the round's villages in
    proportion to their workload (largest remainder; a village too small for a team joins its
    nearest village that has one), then each village is split.
    """
    from sqlalchemy import select, update

    from gisplanner.store.area_tree import area_and_below
    from gisplanner.store.model import Area, Assignment, Team

    cfg = cfg or WorkloadConfig()
    notes: list[str] = []
    with store.session() as s:
        teams = list(s.scalars(select(Team).where(Team.round_id == round_id).order_by(Team.id)))
        if not teams:
            raise TerritoryError(f"走访轮次 {round_id} 还没有队伍：请先组建队伍（teams form）")
        df = _round_targets(s, round_id)
        if df.empty:
            raise TerritoryError(f"走访轮次 {round_id} 没有走访对象")
        areas = {a.id: a for a in s.scalars(select(Area))}
        if area_code is not None:
            area = next((a for a in areas.values() if a.code == area_code), None)
            if area is None:
                raise TerritoryError(f"找不到区划代码 {area_code}")
            inside = area_and_below(s, area.id)
            df = df[df["area_id"].isin(inside)]
            if df.empty:
                raise TerritoryError(f"走访轮次 {round_id} 在 {area.name}（{area_code}）没有走访对象")
            # the teams based in the area; else those already working there; else all teams
            based = [t for t in teams if t.office_area_id in inside]
            working = set(df["team_id"].dropna().astype(int))
            present = [t for t in teams if t.id in working]
            if not based and present:
                notes.append(f"{area.name}没有驻地队伍，由已在此走访的{len(present)}个队伍重新划分")
            groups = {area.id: (based or present or teams, df)}
        else:
            groups = _share_teams(df, teams, areas, cfg, notes, tolerance)
        proj = _projection(df)
        graph = _road_graph(store, proj)
        minutes = _minutes(df, cfg)
        daytime = df["kind"].isin([TargetKind.ENTERPRISE, TargetKind.NOTABLE]).to_numpy()
        workday_weight = float(minutes[daytime].sum() / max(minutes.sum(), 1))
        capacity = team_session_hours(s, round_id, workday_weight)
        if capacity and len(set(capacity.values())) > 1:
            short = sum(1 for v in capacity.values() if v < max(capacity.values()))
            notes.append(f"按各队伍可走访时段分配工作量（{short}个队伍的成员可走访时段较少，片区相应较小）")
        per_area, mdc, overlaps = {}, [], []
        for n, (area_id, (area_teams, sub)) in enumerate(sorted(groups.items())):
            check(progress, n / max(len(groups), 1), f"划分 {areas[area_id].name}")
            x, y = proj.forward(sub["lon"].to_numpy(float), sub["lat"].to_numpy(float))
            # offices of every village in the group (a merged group spans several villages)
            inside = set().union(*(area_and_below(s, int(v)) for v in sub["area_id"].unique()), {area_id})
            office_ids = sorted(a for a in inside if areas[a].office_lon is not None)
            offices = np.array(
                [proj.forward(areas[a].office_lon, areas[a].office_lat) for a in office_ids]
            ).reshape(-1, 2)
            caps = np.array([capacity.get(t.id, 0.0) for t in area_teams]) if capacity else None
            shares = caps / caps.sum() if caps is not None and caps.sum() > 0 and caps.min() > 0 else None
            res = split_points(
                np.asarray(x), np.asarray(y), _minutes(sub, cfg), unit_keys(sub["building"], sub["address"]),
                len(area_teams), offices=offices if len(offices) else None, graph=graph, cfg=cfg,
                tolerance=tolerance, seed=seed, shares=shares,
            )  # fmt: skip
            notes.extend(res.notes)
            per_area[areas[area_id].code] = len(area_teams)
            mdc.append(res.mean_dist_to_centroid)
            overlaps.append(res.hull_overlap)
            aids = sub["assignment_id"].to_numpy()
            for terr, team in zip(res.territories, area_teams, strict=False):
                ids = [int(a) for a in aids[terr.members]]
                for chunk in range(0, len(ids), 900):
                    s.execute(
                        update(Assignment)
                        .where(Assignment.id.in_(ids[chunk : chunk + 900]))
                        .values(team_id=team.id)
                    )
                # a team keeps an office it already has elsewhere (it may also work in other areas)
                if terr.office is not None and (
                    team.office_area_id is None or area_code is None or team.office_area_id in office_ids
                ):
                    team.office_area_id = office_ids[terr.office]
            for team in area_teams[len(res.territories) :]:
                if team.office_area_id is None:
                    team.office_area_id = area_id
    loads = team_workloads(store, round_id, cfg)
    return RoundSplit(
        round_id, loads, per_area, float(np.mean(mdc)), float(np.mean(overlaps)), notes, workday_weight
    )


def _share_teams(df, teams, areas, cfg, notes, tolerance: float = 0.10) -> dict:
    """Villages -> (teams, targets): a village whose workload is less than one team's joins its
    nearest village first (repeatedly, smallest first), then the teams are shared out over these
    groups in proportion to workload (largest remainder); where whole teams leave the hours per
    team of two groups more than ``tolerance`` apart, the group furthest from the mean joins its
    nearest neighbour (so in the worst case the town is split as one area)."""
    work = df.assign(minutes=_minutes(df, cfg)).groupby("area_id")["minutes"].sum().to_dict()
    total, k = sum(work.values()), len(teams)
    centre = df.groupby("area_id")[["lon", "lat"]].mean()

    def where(a):
        ar = areas[a]
        if ar.office_lon is not None:
            return ar.office_lon, ar.office_lat
        return tuple(centre.loc[a])

    group_of = {a: a for a in work}  # village -> the village whose group it joined
    load = dict(work)

    def merge(small):
        sx, sy = where(small)
        into = min(
            (g for g in load if g != small), key=lambda g: (where(g)[0] - sx) ** 2 + (where(g)[1] - sy) ** 2
        )
        load[into] += load.pop(small)
        for v, g in group_of.items():
            if g == small:
                group_of[v] = into

    while len(load) > 1:
        small = min(load, key=lambda g: (load[g], g))
        if k * load[small] / total >= 1:
            break
        merge(small)
    # whole teams per group leave rounding differences: merge the group whose hours per team
    # are furthest from the mean until the groups agree within the tolerance
    while len(load) > 1:
        share = largest_remainder(load, k)
        per = {g: load[g] / share[g] for g in load if share[g] > 0}
        if any(share[g] == 0 for g in load):
            merge(min((g for g in load if share[g] == 0), key=lambda g: load[g]))
            continue
        if max(per.values()) <= min(per.values()) * (1 + tolerance):
            break
        mean = total / k
        worst = max(per, key=lambda g: abs(math.log(per[g] / mean)))
        merge(worst)
    for g in sorted(load):
        villages = sorted(areas[v].name for v, gg in group_of.items() if gg == g)
        if len(villages) > 1:
            notes.append(f"{'、'.join(villages)}合并划分（按整队分配时工作量才能均衡）")
    share = largest_remainder(load, k)
    groups, pos = {}, 0
    for g in sorted(load):
        if share[g] == 0:
            continue
        groups[g] = (teams[pos : pos + share[g]], df[df["area_id"].map(group_of) == g])
        pos += share[g]
    return groups
