"""Route legs along the roads (沿路线段): the line a team walks from one stop to the next.

``leg_geometries`` is the one function the map, the web map, the route sheets and
``export routes`` use to draw a route: each leg follows the shortest path over the same road
graph the planner's matrices came from (:class:`gisplanner.routing.matrix.PointNetwork`), so
the drawn line and the planned metres agree. A stop off the road walks straight to its foot on
the nearest road; where no road is near, the leg is the straight line (its metres the straight
line × detour, as in the matrix).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from gisplanner.routing.matrix import PointNetwork, RoadGraph


@dataclass(frozen=True)
class Leg:
    """One leg of a route: from stop ``start`` to stop ``end`` (indices in the route)."""

    start: int
    end: int
    xy: np.ndarray  # (m, 2) vertices in the projected CRS, first = stop start, last = stop end
    metres: float  # along the roads (straight × detour where on_road is False)
    on_road: bool


def leg_geometries(
    graph: RoadGraph | None,
    routes: Sequence[np.ndarray],
    *,
    max_snap: float = 300.0,
    detour: float = 1.3,
) -> list[list[Leg]]:
    """The legs of each route, in order: ``routes`` is a list of (m, 2) stop positions (metres,
    in visiting order, the office first and last if the walk from and back to it is wanted).

    All routes share one search over the road graph, from each leg's start only.
    """
    routes = [np.asarray(r, dtype=float).reshape(-1, 2) for r in routes]
    allpts = np.vstack(routes) if routes and sum(len(r) for r in routes) else np.empty((0, 2))
    uniq, inverse = (
        np.unique(np.round(allpts, 3), axis=0, return_inverse=True) if len(allpts) else (allpts, np.empty(0))
    )
    inverse = np.asarray(inverse, dtype=np.int64).reshape(-1)
    index = np.split(inverse, np.cumsum([len(r) for r in routes])[:-1]) if routes else []
    pairs = [(int(ix[a]), int(ix[a + 1])) for ix in index for a in range(len(ix) - 1)]
    found: list[tuple[np.ndarray | None, float]]
    if graph is not None and len(uniq):
        found = PointNetwork(graph, uniq, max_snap=max_snap).paths(pairs)
    else:
        found = [(None, float("inf"))] * len(pairs)
    out: list[list[Leg]] = []
    q = 0
    for r in routes:
        legs = []
        for a in range(len(r) - 1):
            xy, metres = found[q]
            q += 1
            if xy is None:
                p0, p1 = r[a], r[a + 1]
                straight = float(np.hypot(*(p1 - p0))) * detour
                legs.append(Leg(a, a + 1, np.array([p0, p1]), straight, False))
            else:
                xy = xy.copy()
                xy[0], xy[-1] = r[a], r[a + 1]  # exact stop positions (the search rounded to mm)
                legs.append(Leg(a, a + 1, xy, metres, True))
        out.append(legs)
    return out
