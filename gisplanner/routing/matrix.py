"""Travel distances and durations over a road network (路网距离矩阵).

Everything here works in metres in a local projected CRS (the caller projects WGS84 first).
A road graph is built from polylines; points are snapped to the nearest road *segment*
(projection, not just the nearest vertex), and shortest paths are run with
``scipy.sparse.csgraph.dijkstra`` only from the graph nodes that the points snapped to.
Where no road is known, or a point lies far from every road, the straight line times a
detour factor is used instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely

if TYPE_CHECKING:  # scipy loads on first use: the desktop app starts faster
    from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class TravelProfile:
    """How a team moves: walking (步行) or e-bike (电动车)."""

    name: str
    speed_kmh: float

    @property
    def metres_per_second(self) -> float:
        return self.speed_kmh * 1000.0 / 3600.0


WALKING = TravelProfile("walking", 4.5)
EBIKE = TravelProfile("ebike", 15.0)
PROFILES = {p.name: p for p in (WALKING, EBIKE)}


@dataclass(frozen=True)
class RoadGraph:
    """An undirected road graph: node coordinates and the road segments between them."""

    nodes: np.ndarray  # (n, 2) float metres
    seg_from: np.ndarray  # (m,) node index
    seg_to: np.ndarray  # (m,) node index
    graph: csr_matrix  # (n, n) symmetric, edge weight = segment length in metres
    _tree: shapely.STRtree
    _segments: np.ndarray  # (m,) shapely LineStrings, for the spatial index

    @property
    def num_nodes(self) -> int:
        return int(self.nodes.shape[0])

    @property
    def num_segments(self) -> int:
        return int(self.seg_from.shape[0])

    @classmethod
    def from_polylines(
        cls,
        lines: Sequence[np.ndarray] | Sequence[shapely.LineString],
        node_crossings: bool = True,
        *,
        snap_ends: float = 1.0,
        prenoded: Sequence[np.ndarray] | Sequence[shapely.LineString] = (),
    ) -> RoadGraph:
        """Build the graph from road polylines (arrays of (x, y) metres or shapely lines).

        Vertices closer than 0.1 m are merged so that roads meeting at a shared vertex are
        connected. With ``node_crossings`` the lines are first split where they cross
        (shapely.node), because digitised roads often cross without a shared vertex; their
        ends are first pushed ``snap_ends`` metres on, so that a lane drawn up to a road
        (ending a few millimetres short of it, or on it between two vertices) joins it.
        ``prenoded`` lines (OpenStreetMap ways, which meet only at shared nodes: a bridge
        crosses the road below without a junction) are taken as they are.
        """

        def as_arrays(items) -> list[np.ndarray]:
            out = []
            for ln in items:
                c = np.asarray(ln.coords if isinstance(ln, shapely.Geometry) else ln, dtype=float)
                if c.ndim == 2 and c.shape[0] >= 2:
                    out.append(c[:, :2])
            return out

        arrays = as_arrays(lines)
        if node_crossings and arrays:
            if snap_ends > 0:
                arrays = [_extend_ends(c, snap_ends) for c in arrays]
            parts = shapely.get_parts(
                shapely.node(shapely.multilinestrings([shapely.linestrings(c) for c in arrays]))
            )
            coords, index = shapely.get_coordinates(parts, return_index=True)
        else:
            coords, index = _stack(arrays)
        pre, pre_index = _stack(as_arrays(prenoded))
        coords = np.concatenate([coords, pre])
        index = np.concatenate([index, pre_index + (index.max() + 1 if len(index) else 0)])
        if len(coords) < 2:
            raise ValueError("no road polylines with at least two vertices")
        # all segments of all parts: consecutive vertices of the same part
        same = index[1:] == index[:-1]
        starts, ends = coords[:-1][same], coords[1:][same]
        if not len(starts):
            raise ValueError("no road polylines with at least two vertices")
        lengths = np.hypot(*(ends - starts).T)
        keep = lengths > 1e-6
        starts, ends, lengths = starts[keep], ends[keep], lengths[keep]
        # merge vertices on a 0.1 m grid
        keys = np.round(np.concatenate([starts, ends]) * 10.0).astype(np.int64)
        low = keys.min(axis=0)
        span = int(keys[:, 1].max() - low[1]) + 1
        flat = (keys[:, 0] - low[0]) * span + (keys[:, 1] - low[1])  # one int64 key: a fast 1-D unique
        uniq, inverse = np.unique(flat, return_inverse=True)
        inverse = inverse.reshape(-1)
        m = starts.shape[0]
        seg_from, seg_to = inverse[:m], inverse[m:]
        nodes = np.column_stack([uniq // span + low[0], uniq % span + low[1]]).astype(float) / 10.0
        n = nodes.shape[0]
        # symmetric adjacency; duplicates keep the shortest length
        rows = np.concatenate([seg_from, seg_to])
        cols = np.concatenate([seg_to, seg_from])
        vals = np.concatenate([lengths, lengths])
        order = np.lexsort((vals, cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        first = np.ones(rows.shape[0], dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        from scipy.sparse import coo_matrix

        graph = coo_matrix((vals[first], (rows[first], cols[first])), shape=(n, n)).tocsr()
        segments = shapely.linestrings(np.stack([nodes[seg_from], nodes[seg_to]], axis=1))
        return cls(nodes, seg_from, seg_to, graph, shapely.STRtree(segments), segments)

    def snap(self, points: np.ndarray) -> Snap:
        """Project each point onto its nearest road segment."""
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        geoms = shapely.points(pts)
        idx = self._tree.query_nearest(geoms, all_matches=False, return_distance=False)
        # query_nearest returns (2, k) with input index and tree index; one match per input
        seg = np.empty(pts.shape[0], dtype=np.int64)
        seg[idx[0]] = idx[1]
        a = self.nodes[self.seg_from[seg]]
        b = self.nodes[self.seg_to[seg]]
        ab = b - a
        seg_len = np.hypot(ab[:, 0], ab[:, 1])
        t = np.clip(np.einsum("ij,ij->i", pts - a, ab) / np.maximum(seg_len**2, 1e-12), 0.0, 1.0)
        proj = a + t[:, None] * ab
        offset = np.hypot(*(pts - proj).T)
        return Snap(seg, t, seg_len, offset, proj)


def _stack(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """All vertices of the polylines and, per vertex, the index of its polyline."""
    if not arrays:
        return np.empty((0, 2)), np.empty(0, dtype=np.int64)
    sizes = np.array([len(c) for c in arrays])
    return np.concatenate(arrays), np.repeat(np.arange(len(arrays)), sizes)


def _extend_ends(c: np.ndarray, by: float) -> np.ndarray:
    """The polyline with its first and last segments pushed ``by`` metres further out."""
    c = np.asarray(c, dtype=float)[:, :2].copy()
    for end, prev in ((0, 1), (-1, -2)):
        d = c[end] - c[prev]
        length = float(np.hypot(*d))
        if length > 1e-9:
            c[end] = c[end] + d / length * by
    return c


@dataclass(frozen=True)
class Snap:
    """Where each point joins the road network."""

    segment: np.ndarray  # index of the nearest segment
    t: np.ndarray  # position along the segment, 0 = from-node, 1 = to-node
    segment_length: np.ndarray
    offset: np.ndarray  # straight distance from the point to the road (metres)
    projected: np.ndarray  # (k, 2) foot point on the road


@dataclass(frozen=True)
class TravelMatrices:
    """Square integer matrices between the given points (index = input order)."""

    distance: np.ndarray  # metres, int64
    duration: np.ndarray  # seconds, int64
    on_road: np.ndarray  # bool per point: snapped to a road (else straight line × detour)


#: the road network is cut to the points' box grown by this (metres, at least) before the search
CROP_MARGIN = 1500.0
#: memory bound for one block of shortest-path rows (float64 cells)
BLOCK_CELLS = 25_000_000


class PointNetwork:
    """The road graph joined by the given points: shortest paths between them along the roads.

    Each point within ``max_snap`` of a road becomes a node of its own, tied to the two ends of
    its nearest segment by its *access leg*: the straight walk from the point to its foot on
    the road plus the way along the segment. So the search runs only from the k points (not
    from 2k segment ends), and the access leg is part of every path and every drawn leg.
    The graph is first cut to the points' bounding box grown by ``margin`` (default: the
    larger of :data:`CROP_MARGIN` and a third of the box's diagonal) so that a team's few
    dozen houses do not search a whole city's network; a path that would leave that box is
    the only thing lost, and the margin makes that a detour nobody walks.
    """

    def __init__(self, graph: RoadGraph, points: np.ndarray, max_snap: float = 300.0, margin=None):
        pts = np.asarray(points, dtype=float).reshape(-1, 2)
        self.points = pts
        k = pts.shape[0]
        self.k = k
        snap = graph.snap(pts) if k else None
        self.snap = snap
        self.on_road = snap.offset <= max_snap if k else np.zeros(0, dtype=bool)
        self.n = 0
        if not k:
            return
        from scipy.sparse import coo_matrix, csr_matrix

        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        if margin is None:
            margin = max(CROP_MARGIN, float(np.hypot(x1 - x0, y1 - y0)) / 3.0)
        box = shapely.box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)
        segs = np.union1d(graph._tree.query(box), snap.segment[self.on_road])
        keep = np.unique(np.concatenate([graph.seg_from[segs], graph.seg_to[segs]]))
        sub = graph.graph[keep][:, keep].tocsr()
        n = keep.shape[0]
        self.node_xy = graph.nodes[keep]
        self.n = n
        idx = np.flatnonzero(self.on_road)
        seg = snap.segment[idx]
        u = np.searchsorted(keep, graph.seg_from[seg])
        v = np.searchsorted(keep, graph.seg_to[seg])
        length = snap.segment_length[idx]
        wu = np.maximum(snap.t[idx] * length + snap.offset[idx], 1e-6)
        wv = np.maximum((1.0 - snap.t[idx]) * length + snap.offset[idx], 1e-6)
        p = n + idx
        self.u = np.full(k, -1, dtype=np.int64)
        self.v = np.full(k, -1, dtype=np.int64)
        self.u[idx], self.v[idx] = u, v
        rows = np.concatenate([p, p, u, v])
        cols = np.concatenate([u, v, p, p])
        vals = np.concatenate([wu, wv, wu, wv])
        big = csr_matrix(
            (sub.data, sub.indices, np.concatenate([sub.indptr, np.full(k, sub.indptr[-1])])),
            shape=(n + k, n + k),
        )
        self.csr = (big + coo_matrix((vals, (rows, cols)), shape=(n + k, n + k)).tocsr()).tocsr()
        # two points on the same segment walk straight along it (pairs kept sparse: k can be large)
        order = np.argsort(snap.segment, kind="stable")
        order = order[self.on_road[order]]
        seg_sorted = snap.segment[order]
        cut = np.flatnonzero(np.diff(seg_sorted)) + 1
        pi, pj = [], []
        for group in np.split(order, cut):
            if len(group) > 1:
                a, b = np.meshgrid(group, group, indexing="ij")
                off = a != b
                pi.append(a[off])
                pj.append(b[off])
        pi = np.concatenate(pi) if pi else np.empty(0, dtype=np.int64)
        pj = np.concatenate(pj) if pj else np.empty(0, dtype=np.int64)
        pd = np.abs(snap.t[pi] - snap.t[pj]) * snap.segment_length[pi] + snap.offset[pi] + snap.offset[pj]
        self._direct_pairs = (pi, pj, pd)
        self._direct = dict(zip(zip(pi.tolist(), pj.tolist(), strict=True), pd.tolist(), strict=True))

        self._contract()

    def _contract(self) -> None:
        """Collapse chains of degree-2 nodes (a way's shape points, a lane's bends) into one
        edge between their end junctions: the search then runs over junctions and points only
        (OpenStreetMap ways carry 3–10 shape nodes per junction). The chains are kept so that
        a path can be drawn with every vertex again (:meth:`_expand`)."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        a = self.csr
        size = a.shape[0]
        deg = np.diff(a.indptr)
        term = deg != 2
        term[self.n :] = True  # the points themselves are always kept
        coo = a.tocoo()
        up = coo.row < coo.col
        r, c, w = coo.row[up], coo.col[up], coo.data[up]
        tr, tc = term[r], term[c]
        chain = np.flatnonzero(~term)
        label = np.full(size, -1, dtype=np.int64)
        edges_a, edges_b, edges_w, edges_kind = (
            [r[tr & tc]],
            [c[tr & tc]],
            [w[tr & tc]],
            [np.full((tr & tc).sum(), -1)],
        )
        if chain.size:
            _, lab = connected_components(a[chain][:, chain], directed=False)
            label[chain] = lab
            ncomp = int(lab.max()) + 1
            inner = ~tr & ~tc
            wsum = np.bincount(label[r[inner]], weights=w[inner], minlength=ncomp)
            bnd = tr ^ tc
            comp = np.where(tr[bnd], label[c[bnd]], label[r[bnd]])
            tnode = np.where(tr[bnd], r[bnd], c[bnd])
            bw = w[bnd]
            order = np.argsort(comp, kind="stable")
            comp, tnode, bw = comp[order], tnode[order], bw[order]
            counts = np.bincount(comp, minlength=ncomp)
            two = np.flatnonzero(counts == 2)  # a path between two junctions (0: a closed loop)
            start = np.concatenate([[0], np.cumsum(counts)[:-1]])[two]
            t1, t2 = tnode[start], tnode[start + 1]
            cw = bw[start] + bw[start + 1] + wsum[two]
            ok = t1 != t2  # a loop back to the same junction never shortens a path
            edges_a.append(t1[ok])
            edges_b.append(t2[ok])
            edges_w.append(cw[ok])
            edges_kind.append(two[ok])
        ea, eb = np.concatenate(edges_a), np.concatenate(edges_b)
        ew, ek = np.concatenate(edges_w), np.concatenate(edges_kind)
        lo, hi = np.minimum(ea, eb), np.maximum(ea, eb)
        order = np.lexsort((ew, hi, lo))  # parallel edges: the shortest
        lo, hi, ew, ek = lo[order], hi[order], ew[order], ek[order]
        first = np.ones(len(lo), dtype=bool)
        first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
        lo, hi, ew, ek = lo[first], hi[first], ew[first], ek[first]
        nodes = np.flatnonzero(term)
        t_of = np.full(size, -1, dtype=np.int64)
        t_of[nodes] = np.arange(nodes.size)
        m = nodes.size
        self.search = coo_matrix(
            (
                np.concatenate([ew, ew]),
                (np.concatenate([t_of[lo], t_of[hi]]), np.concatenate([t_of[hi], t_of[lo]])),
            ),
            shape=(m, m),
        ).tocsr()
        self._nodes, self._t_of, self._label = nodes, t_of, label
        self._kind = dict(zip(zip(lo.tolist(), hi.tolist(), strict=True), ek.tolist(), strict=True))

    @property
    def search_nodes(self) -> int:
        """Nodes the shortest-path search runs over (junctions and points)."""
        return int(self._nodes.size) if self.k else 0

    def _block(self, sources: np.ndarray) -> int:
        return max(1, min(len(sources), BLOCK_CELLS // max(1, self.search_nodes)))

    def distances(self) -> np.ndarray:
        """(k, k) metres along the roads (inf where a point is off-road or unreachable)."""
        from scipy.sparse.csgraph import dijkstra

        k = self.k
        dist = np.full((k, k), np.inf)
        if not k:
            return dist
        src = np.flatnonzero(self.on_road)
        cols = self._t_of[self.n + np.arange(k)]
        step = self._block(src)
        for a in range(0, len(src), step):
            rows = src[a : a + step]
            d = dijkstra(self.search, directed=False, indices=self._t_of[self.n + rows])
            dist[rows] = d[:, cols]
        pi, pj, pd = self._direct_pairs
        dist[pi, pj] = np.minimum(dist[pi, pj], pd)
        off = ~self.on_road
        dist[off, :] = np.inf
        dist[:, off] = np.inf
        np.fill_diagonal(dist, 0.0)
        return dist

    def paths(self, pairs) -> list[tuple[np.ndarray | None, float]]:
        """The road path of each (i, j) point pair: ((m, 2) vertices from point i to point j,
        metres), or (None, inf) where either point is off-road or j cannot be reached."""
        from scipy.sparse.csgraph import dijkstra

        pairs = [(int(i), int(j)) for i, j in pairs]
        out: list[tuple[np.ndarray | None, float]] = [(None, float("inf"))] * len(pairs)
        todo: dict[int, list[int]] = {}
        for q, (i, j) in enumerate(pairs):
            if i == j:
                out[q] = (self.points[[i, j]], 0.0)
            elif self.k and self.on_road[i] and self.on_road[j]:
                todo.setdefault(i, []).append(q)
        sources = np.array(sorted(todo), dtype=np.int64)
        step = self._block(sources) if len(sources) else 1
        feet = self.snap.projected if self.k else None
        for a in range(0, len(sources), step):
            rows = sources[a : a + step]
            d, pred = dijkstra(
                self.search, directed=False, indices=self._t_of[self.n + rows], return_predecessors=True
            )
            for r, i in enumerate(rows):
                for q in todo[int(i)]:
                    j = pairs[q][1]
                    metres = float(d[r, self._t_of[self.n + j]])
                    direct = self._direct.get((int(i), j), float("inf"))
                    if np.isfinite(direct) and direct <= metres:
                        out[q] = (np.array([self.points[i], feet[i], feet[j], self.points[j]]), direct)
                    elif np.isfinite(metres):
                        out[q] = (self._trace(pred[r], int(i), j), metres)
        return [(None if xy is None else _dedupe(xy), m) for xy, m in out]

    def _trace(self, pred: np.ndarray, i: int, j: int) -> np.ndarray:
        """Vertices from point i to point j along the predecessor tree of i's search."""
        t, stop = int(self._t_of[self.n + j]), int(self._t_of[self.n + i])
        hops = [t]
        while t != stop and t >= 0:
            t = int(pred[t])
            hops.append(t)
        hops.reverse()
        chain = [int(self._nodes[hops[0]])]
        for u, v in zip(hops[:-1], hops[1:], strict=True):
            chain.extend(self._expand(int(self._nodes[u]), int(self._nodes[v]))[1:])
        feet = self.snap.projected
        xy = []
        for pos, node in enumerate(chain):
            if node < self.n:
                xy.append(self.node_xy[node])
            else:
                q = node - self.n
                if pos == 0:
                    xy.extend([self.points[q], feet[q]])
                elif pos == len(chain) - 1:
                    xy.extend([feet[q], self.points[q]])
                else:  # passing by another point's foot on the road
                    xy.append(feet[q])
        return np.asarray(xy, dtype=float)

    def _expand(self, a: int, b: int) -> list[int]:
        """The nodes of the contracted edge a–b, from a to b (a and b included)."""
        kind = self._kind[(min(a, b), max(a, b))]
        if kind < 0:
            return [a, b]
        ind, ptr = self.csr.indices, self.csr.indptr
        nbrs = ind[ptr[a] : ptr[a + 1]]
        cur = int(nbrs[self._label[nbrs] == kind][0])
        prev, seq = a, [a]
        while self._label[cur] == kind:
            seq.append(cur)
            two = ind[ptr[cur] : ptr[cur + 1]]
            nxt = int(two[0]) if int(two[0]) != prev else int(two[1])
            prev, cur = cur, nxt
        seq.append(cur)
        return seq


def _dedupe(xy: np.ndarray) -> np.ndarray:
    """Drop repeated consecutive vertices (a point on the road is its own foot)."""
    if len(xy) < 3:
        return xy
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.hypot(*(xy[1:] - xy[:-1]).T) > 1e-6
    out = xy[keep]
    return out if len(out) >= 2 else xy[[0, -1]]


def road_distances(graph: RoadGraph, points: np.ndarray, max_snap: float = 300.0, detour: float = 1.3):
    """Shortest walking distance (metres, float) between all pairs of points.

    Returns (distance matrix, on_road mask). Pairs involving a point farther than
    ``max_snap`` from any road, or in a part of the network not connected to the other
    point, use the straight line × ``detour``.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    k = pts.shape[0]
    straight = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1]) * detour
    if k == 0:
        return straight, np.zeros(0, dtype=bool)
    net = PointNetwork(graph, pts, max_snap=max_snap)
    dist = net.distances()
    dist = np.where(np.isfinite(dist), dist, straight)
    np.fill_diagonal(dist, 0.0)
    return dist, net.on_road


def travel_matrices(
    points: np.ndarray,
    graph: RoadGraph | None = None,
    profile: TravelProfile = WALKING,
    detour: float = 1.3,
    max_snap: float = 300.0,
) -> TravelMatrices:
    """Distance (m) and duration (s) matrices between points, rounded to integers.

    Without a road graph every pair is the straight line × ``detour``.
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if graph is None:
        dist = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1]) * detour
        on_road = np.zeros(pts.shape[0], dtype=bool)
    else:
        dist, on_road = road_distances(graph, pts, max_snap=max_snap, detour=detour)
    distance = np.rint(dist).astype(np.int64)
    duration = np.rint(dist / profile.metres_per_second).astype(np.int64)
    return TravelMatrices(distance, duration, on_road)
