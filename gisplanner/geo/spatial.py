"""Selection geometry → id arrays: rectangle, polygon (lasso), nearest, by area.

All coordinates are projected (metres in the local CRS, e.g. ``gisplanner.demo.LOCAL_CRS``);
the map tools hand over one geometry, these functions return the ids inside it.

Points are kept sorted by x so a rectangle cuts a slab with ``searchsorted`` and a y mask.
For polygons the points are also bucketed in a regular grid (~16 points per cell): grid
cells wholly inside the polygon are taken as they are, cells that touch its boundary go
through ``shapely.intersects_xy`` on the prepared polygon — so a lasso over 250,000 points
tests only the points near its edge. Nearest-point queries without a search radius
use a lazily built shapely ``STRtree``; areas (polygons) are indexed with an ``STRtree``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from shapely.geometry import Point, Polygon, box
from shapely.geometry.base import BaseGeometry


class PointIndex:
    """Points with ids, for rectangle / polygon / nearest queries. Immutable once built."""

    def __init__(self, ids: Sequence[int] | np.ndarray, x: np.ndarray, y: np.ndarray):
        ids = np.asarray(ids, np.int64)
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        if not (len(ids) == len(x) == len(y)):
            raise ValueError(f"ids, x, y differ in length: {len(ids)}, {len(x)}, {len(y)}")
        ok = np.isfinite(x) & np.isfinite(y)  # points without coordinates are never selected
        order = np.argsort(x[ok], kind="stable")
        self.ids = ids[ok][order]
        self.x = x[ok][order]
        self.y = y[ok][order]
        self._tree: shapely.STRtree | None = None
        self._build_grid()

    def _build_grid(self) -> None:
        n = len(self.ids)
        g = int(np.clip(np.sqrt(max(n, 1) / 16), 1, 1024))
        x0, y0, x1, y1 = self.bounds
        self._g = g
        self._origin = (x0, y0)
        self._cell = (max((x1 - x0) / g, 1e-9), max((y1 - y0) / g, 1e-9))
        cx = np.clip(((self.x - x0) / self._cell[0]).astype(np.int64), 0, g - 1)
        cy = np.clip(((self.y - y0) / self._cell[1]).astype(np.int64), 0, g - 1)
        cell = cy * g + cx
        self._grid_order = np.argsort(cell, kind="stable")  # positions, grouped by cell
        self._grid_start = np.searchsorted(cell[self._grid_order], np.arange(g * g + 1))

    def _grid_candidates(self, poly: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
        """(positions surely inside, positions to test) for a prepared polygon."""
        g, (x0, y0), (w, h) = self._g, self._origin, self._cell
        bx0, by0, bx1, by1 = poly.bounds
        i0, i1 = (int(np.clip(np.floor((v - x0) / w), 0, g - 1)) for v in (bx0, bx1))
        j0, j1 = (int(np.clip(np.floor((v - y0) / h), 0, g - 1)) for v in (by0, by1))
        ii, jj = np.meshgrid(np.arange(i0, i1 + 1), np.arange(j0, j1 + 1))
        ii, jj = ii.ravel(), jj.ravel()
        cells = jj * g + ii
        filled = self._grid_start[cells + 1] > self._grid_start[cells]
        ii, jj, cells = ii[filled], jj[filled], cells[filled]
        # boxes a hair larger than the cells, so rounding never puts a point outside its box
        ex, ey = w * 1e-6, h * 1e-6
        boxes = shapely.box(
            x0 + ii * w - ex, y0 + jj * h - ey, x0 + (ii + 1) * w + ex, y0 + (jj + 1) * h + ey
        )
        inside = shapely.contains(poly, boxes)
        edge = ~inside & shapely.intersects(poly, boxes)
        return self._gather(cells[inside]), self._gather(cells[edge])

    def _gather(self, cells: np.ndarray) -> np.ndarray:
        start, end = self._grid_start[cells], self._grid_start[cells + 1]
        lengths = end - start
        total = int(lengths.sum())
        if total == 0:
            return np.empty(0, np.int64)
        offsets = np.repeat(start - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return self._grid_order[offsets + np.arange(total)]

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        if not len(self):
            return (0.0, 0.0, 0.0, 0.0)
        return (float(self.x[0]), float(self.y.min()), float(self.x[-1]), float(self.y.max()))

    def _slab(self, xmin: float, ymin: float, xmax: float, ymax: float) -> np.ndarray:
        """Positions of the points in the closed box."""
        lo = np.searchsorted(self.x, xmin, "left")
        hi = np.searchsorted(self.x, xmax, "right")
        ys = self.y[lo:hi]
        return lo + np.flatnonzero((ys >= ymin) & (ys <= ymax))

    def in_rect(self, xmin: float, ymin: float, xmax: float, ymax: float) -> np.ndarray:
        """Ids of the points in the rectangle (edges included; corners in any order)."""
        xmin, xmax = sorted((xmin, xmax))
        ymin, ymax = sorted((ymin, ymax))
        return np.sort(self.ids[self._slab(xmin, ymin, xmax, ymax)])

    def in_polygon(self, polygon: BaseGeometry | np.ndarray | Sequence) -> np.ndarray:
        """Ids of the points inside a polygon (a lasso ring as an (n, 2) array also works).

        A self-intersecting lasso is repaired with ``make_valid`` (the loops it draws count).
        Points exactly on the boundary count as inside.
        """
        poly = as_polygon(polygon)
        if poly.is_empty:
            return np.empty(0, np.int64)
        if not len(self):
            return np.empty(0, np.int64)
        shapely.prepare(poly)
        sure, cand = self._grid_candidates(poly)
        hit = cand[shapely.intersects_xy(poly, self.x[cand], self.y[cand])]
        return np.sort(self.ids[np.concatenate([sure, hit])])

    def nearest(self, x: float, y: float, max_distance: float | None = None) -> int | None:
        """Id of the point nearest to (x, y), or None (nothing within ``max_distance``)."""
        if not len(self):
            return None
        if max_distance is not None:
            cand = self._slab(x - max_distance, y - max_distance, x + max_distance, y + max_distance)
            if not len(cand):
                return None
            d2 = (self.x[cand] - x) ** 2 + (self.y[cand] - y) ** 2
            k = int(np.argmin(d2))
            return int(self.ids[cand[k]]) if d2[k] <= max_distance**2 else None
        if self._tree is None:
            self._tree = shapely.STRtree(shapely.points(self.x, self.y))
        return int(self.ids[int(self._tree.query_nearest(Point(x, y))[0])])

    def within_distance(self, x: float, y: float, distance: float) -> np.ndarray:
        """Ids of all points within ``distance`` metres of (x, y)."""
        cand = self._slab(x - distance, y - distance, x + distance, y + distance)
        d2 = (self.x[cand] - x) ** 2 + (self.y[cand] - y) ** 2
        return np.sort(self.ids[cand[d2 <= distance**2]])


def as_polygon(geom: BaseGeometry | np.ndarray | Sequence) -> BaseGeometry:
    """A valid (multi)polygon from a geometry or a ring of (x, y) vertices."""
    if isinstance(geom, BaseGeometry):
        poly = geom
    else:
        xy = np.asarray(geom, float)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"a polygon needs (n, 2) vertices, got shape {xy.shape}")
        if len(xy) < 3:
            return Polygon()
        poly = Polygon(xy)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
        # keep the areal part of what make_valid returns (it may add stray lines/points)
        parts = [g for g in getattr(poly, "geoms", [poly]) if g.geom_type in ("Polygon", "MultiPolygon")]
        poly = shapely.union_all(parts) if parts else Polygon()
    return poly


def rect(xmin: float, ymin: float, xmax: float, ymax: float) -> Polygon:
    xmin, xmax = sorted((xmin, xmax))
    ymin, ymax = sorted((ymin, ymax))
    return box(xmin, ymin, xmax, ymax)


class AreaIndex:
    """Area polygons (projected) with their ids and levels: which area is at a point."""

    LEVEL_ORDER = ("village", "town", "district", "city")

    def __init__(
        self, ids: Sequence[int], geometries: Sequence[BaseGeometry], levels: Sequence[str] | None = None
    ):
        self.ids = np.asarray(ids, np.int64)
        self.geometries = np.asarray(list(geometries), dtype=object)
        self.levels = np.asarray(levels if levels is not None else ["village"] * len(self.ids), dtype=object)
        if not (len(self.ids) == len(self.geometries) == len(self.levels)):
            raise ValueError("ids, geometries and levels differ in length")
        self._tree = shapely.STRtree(self.geometries)

    def area_at(self, x: float, y: float, level: str | None = None) -> int | None:
        """The id of the area containing (x, y): the finest level unless ``level`` is given."""
        hits = self._tree.query(Point(x, y), predicate="intersects")
        if level is not None:
            hits = hits[self.levels[hits] == level]
        if not len(hits):
            return None
        rank = np.array([self._rank(lv) for lv in self.levels[hits]])
        return int(self.ids[hits[int(np.argmin(rank))]])

    def geometry(self, area_id: int) -> BaseGeometry | None:
        k = np.flatnonzero(self.ids == area_id)
        return self.geometries[k[0]] if len(k) else None

    def intersecting(self, geom: BaseGeometry, level: str | None = None) -> np.ndarray:
        hits = self._tree.query(geom, predicate="intersects")
        if level is not None:
            hits = hits[self.levels[hits] == level]
        return np.sort(self.ids[hits])

    def _rank(self, level: str) -> int:
        return self.LEVEL_ORDER.index(level) if level in self.LEVEL_ORDER else len(self.LEVEL_ORDER)


def ids_in_areas(target_ids: np.ndarray, target_area_ids: np.ndarray, area_ids: Iterable[int]) -> np.ndarray:
    """Targets that belong (by ``area_id``, not by geometry) to any of the areas."""
    mask = np.isin(np.asarray(target_area_ids, np.int64), np.fromiter(area_ids, np.int64))
    return np.sort(np.asarray(target_ids, np.int64)[mask])
