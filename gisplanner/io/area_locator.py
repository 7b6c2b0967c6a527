"""Which village (村/社区) a point lies in: an STRtree over the village boundaries."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import shapely

from gisplanner.store.database import Store

SMALL_TOWN = 200  # up to this many villages, a loop over prepared polygons beats the tree


class AreaLocator:
    """Village lookup by point (point-in-polygon), by code and by name."""

    def __init__(self, ids: np.ndarray, codes: list[str], names: list[str], geoms: np.ndarray):
        self.ids = np.asarray(ids, dtype=np.int64)
        self.codes = {c: int(i) for c, i in zip(codes, self.ids, strict=True)}
        by_name: dict[str, list[int]] = {}
        for n, i in zip(names, self.ids, strict=True):
            by_name.setdefault(n, []).append(int(i))
        self.names = by_name
        has = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        self._tree_ids = self.ids[has]
        self._geoms = np.asarray(geoms)[has]
        shapely.prepare(self._geoms)
        self._bounds = shapely.bounds(self._geoms) if len(self._geoms) else np.zeros((0, 4))
        self._tree = shapely.STRtree(self._geoms)
        self._last: tuple[bytes, np.ndarray] | None = None

    @classmethod
    def from_store(cls, store: Store, level: str = "village", within_code: str | None = None) -> AreaLocator:
        gdf = store.areas_gdf(level=level)
        if within_code:
            # only the villages of one town (or district): codes share the parent's prefix chain
            parent = store.areas_gdf()
            pid = parent.loc[parent["code"] == within_code, "id"]
            if len(pid):
                gdf = gdf[_descends_from(store, gdf["id"], int(pid.iloc[0]))]
        return cls(gdf["id"].to_numpy(), gdf["code"].tolist(), gdf["name"].tolist(), gdf.geometry.to_numpy())

    @property
    def has_boundaries(self) -> bool:
        return len(self._tree_ids) > 0

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Area id per point, -1 where no village contains it (boundary points count as inside).

        The last answer is kept: the import asks "inside the town?" and "which village?" for
        the same points.
        """
        lon = np.ascontiguousarray(lon, dtype=float)
        lat = np.ascontiguousarray(lat, dtype=float)
        key = hashlib.blake2b(lon.tobytes() + lat.tobytes(), digest_size=16).digest()
        if self._last is not None and self._last[0] == key:
            return self._last[1].copy()
        out = self._locate(lon, lat)
        self._last = (key, out)
        return out.copy()

    def _locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        out = np.full(len(lon), -1, dtype=np.int64)
        if not self.has_boundaries or not len(lon):
            return out
        if len(self._tree_ids) <= SMALL_TOWN:
            # a town's few dozen villages: test each prepared polygon on the points in its box,
            # without making 250,000 point objects
            for area_id, geom, (x0, y0, x1, y1) in zip(
                self._tree_ids, self._geoms, self._bounds, strict=True
            ):
                cand = np.flatnonzero((out < 0) & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
                if len(cand):
                    hit = shapely.intersects_xy(geom, lon[cand], lat[cand])
                    out[cand[hit]] = area_id
            return out
        pts = shapely.points(lon, np.asarray(lat, dtype=float))
        src, hit = self._tree.query(pts, predicate="intersects")
        # first hit per point (a point on a shared border belongs to the lower tree index)
        order = np.lexsort((hit, src))
        src, hit = src[order], hit[order]
        first = np.r_[True, src[1:] != src[:-1]] if len(src) else np.zeros(0, dtype=bool)
        out[src[first]] = self._tree_ids[hit[first]]
        return out

    def contains(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        return self.locate(lon, lat) >= 0

    def by_code(self, codes: pd.Series) -> np.ndarray:
        return codes.map(lambda c: self.codes.get(str(c).strip(), -1) if c else -1).to_numpy(dtype=np.int64)

    def by_name(self, names: pd.Series) -> np.ndarray:
        """Area id for names that match exactly one village, else -1."""

        def one(n):
            ids = self.names.get(str(n).strip()) if n else None
            return ids[0] if ids and len(ids) == 1 else -1

        return names.map(one).to_numpy(dtype=np.int64)


def _descends_from(store: Store, ids: pd.Series, ancestor: int) -> np.ndarray:
    parents = store.read_frame("SELECT id, parent_id FROM area").set_index("id")["parent_id"].to_dict()

    def walk(i: int) -> bool:
        seen = 0
        while i is not None and seen < 10:
            if i == ancestor:
                return True
            p = parents.get(i)
            i = int(p) if p is not None and p == p else None
            seen += 1
        return False

    return ids.map(walk).to_numpy(dtype=bool)
