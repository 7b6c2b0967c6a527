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
        cls, lines: Sequence[np.ndarray] | Sequence[shapely.LineString], node_crossings: bool = True
    ) -> RoadGraph:
        """Build the graph from road polylines (arrays of (x, y) metres or shapely lines).

        Vertices closer than 0.1 m are merged so that roads meeting at a shared vertex are
        connected. With ``node_crossings`` the lines are first split where they cross
        (shapely.node), because digitised roads often cross without a shared vertex.
        """
        geoms = [
            ln if isinstance(ln, shapely.LineString) else shapely.linestrings(np.asarray(ln)) for ln in lines
        ]
        geoms = [g for g in geoms if g is not None and not g.is_empty and len(g.coords) >= 2]
        if not geoms:
            raise ValueError("no road polylines with at least two vertices")
        if node_crossings:
            noded = shapely.node(shapely.multilinestrings(geoms))
            geoms = list(shapely.get_parts(noded))
        # all segments of all parts as (x0, y0, x1, y1)
        coords_list = [np.asarray(g.coords)[:, :2] for g in geoms]
        starts = np.concatenate([c[:-1] for c in coords_list])
        ends = np.concatenate([c[1:] for c in coords_list])
        lengths = np.hypot(*(ends - starts).T)
        keep = lengths > 1e-6
        starts, ends, lengths = starts[keep], ends[keep], lengths[keep]
        # merge vertices on a 0.1 m grid
        keys = np.round(np.concatenate([starts, ends]) * 10.0).astype(np.int64)
        uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        m = starts.shape[0]
        seg_from, seg_to = inverse[:m], inverse[m:]
        nodes = uniq.astype(float) / 10.0
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
    snap = graph.snap(pts)
    on_road = snap.offset <= max_snap
    # the two end nodes of each point's segment and the distance along the road to them
    ends = np.stack([graph.seg_from[snap.segment], graph.seg_to[snap.segment]], axis=1)  # (k, 2)
    along = np.stack([snap.t * snap.segment_length, (1.0 - snap.t) * snap.segment_length], axis=1)
    access = along + snap.offset[:, None]  # point -> end node
    sources, src_row = np.unique(ends[on_road].reshape(-1), return_inverse=True)
    dist = np.full((k, k), np.inf)
    if sources.size:
        from scipy.sparse.csgraph import dijkstra

        node_dist = dijkstra(graph.graph, directed=False, indices=sources)  # (s, n)
        row_of = np.full(graph.num_nodes, -1, dtype=np.int64)
        row_of[sources] = np.arange(sources.size)
        for u in (0, 1):
            rows = row_of[ends[:, u]]
            valid_u = rows >= 0
            for v in (0, 1):
                d = np.full((k, k), np.inf)
                d[valid_u] = node_dist[rows[valid_u]][:, ends[:, v]]
                d = access[:, u][:, None] + d + access[:, v][None, :]
                np.minimum(dist, d, out=dist)
        # two points on the same segment walk straight along it
        same = snap.segment[:, None] == snap.segment[None, :]
        direct = np.abs(snap.t[:, None] - snap.t[None, :]) * snap.segment_length[:, None]
        direct = direct + snap.offset[:, None] + snap.offset[None, :]
        dist = np.where(same, np.minimum(dist, direct), dist)
    use_road = on_road[:, None] & on_road[None, :] & np.isfinite(dist)
    dist = np.where(use_road, dist, straight)
    np.fill_diagonal(dist, 0.0)
    return dist, on_road


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
