"""What the map draws, prepared off the UI thread (no Qt here): projected arrays and frames.

``load_map_data(store, round_id=None, progress=None)`` reads areas (all levels), targets with
their latest outcome, roads, village offices and open/overdue problems, projects everything to
a local metric CRS (the 3-degree Gauss-Kruger zone of the data's centre), builds the spatial
indexes the selection tools use, the density grid shown at low zoom for large data, and the
coverage of a round (the given one, or the newest round with visits).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplanner.campaign import coverage as cov_mod
from gisplanner.geo import spatial
from gisplanner.io.crs import LocalProjection
from gisplanner.progress import reporter
from gisplanner.queries.map_layers import overdue_problems_per_target, rounds_with_visits
from gisplanner.routing.roadclass import display_class
from gisplanner.store.database import Store
from gisplanner.store.model import SPECIAL_GROUP_TAGS, Outcome
from gisplanner.store.vocab import TargetKind

OUTCOME_CODES = {None: 0, **{o.value: i + 1 for i, o in enumerate(Outcome)}}  # 0: not visited
DENSITY_BINS = 384  # cells across the longer side of the extent


@dataclass
class Density:
    """Households per grid cell over the full extent (drawn instead of points at low zoom)."""

    counts: np.ndarray  # (ny, nx) float32, row 0 = south
    x0: float
    y0: float
    cell: float


@dataclass
class MapData:
    projection: LocalProjection
    areas: gpd.GeoDataFrame  # village-level areas in the projected CRS, with targets / met counts
    towns: gpd.GeoDataFrame
    targets: pd.DataFrame  # id, kind, x, y, outcome_code, special, name, address, area_id …
    road_xy: np.ndarray  # (n, 2) vertices of all roads, projected
    road_connect: np.ndarray  # bool (n,), False where a road ends
    offices: pd.DataFrame  # area id, name, x, y
    all_areas: gpd.GeoDataFrame | None = None  # every level, projected
    points: spatial.PointIndex | None = None
    area_index: spatial.AreaIndex | None = None
    density: Density | None = None
    coverage: cov_mod.Coverage | None = None
    coverage_round: tuple[int, str] | None = None  # (id, name) of the round coloured
    road_kinds: np.ndarray = field(default_factory=lambda: np.empty(0, object))  # per vertex
    id_order: np.ndarray | None = None  # argsort of targets["id"] (positions by id)
    x_order: np.ndarray | None = None  # argsort of targets["x"]

    @property
    def extent(self) -> tuple[float, float, float, float]:
        src = self.areas if len(self.areas) else self.all_areas
        if not len(self.areas) and src is not None and len(src) and "level" in src:
            for level in ("town", "district", "city"):  # a new database: the finest level it has
                if (src["level"] == level).any():
                    src = src[src["level"] == level]
                    break
        if src is not None and len(src):
            return tuple(float(v) for v in src.total_bounds)
        if self.points is not None and len(self.points):
            return self.points.bounds
        return (0.0, 0.0, 1.0, 1.0)


def coverage_round_for(store: Store, round_id: int | None) -> tuple[int, str] | None:
    """The round whose coverage the map colours: ``round_id`` if it has visits, else the
    newest round with visits that started before it (a round being planned shows the last
    round's gaps), else ``round_id`` itself."""
    rounds = rounds_with_visits(store)
    if rounds.empty:
        return None
    if round_id is not None:
        me = rounds[rounds["id"] == round_id]
        if not me.empty and me["n"].iloc[0] > 0:
            return int(me["id"].iloc[0]), str(me["name"].iloc[0])
        earlier = rounds[(rounds["n"] > 0) & (rounds["id"] < round_id)]
        if not earlier.empty:
            return int(earlier["id"].iloc[-1]), str(earlier["name"].iloc[-1])
        if not me.empty:
            return int(me["id"].iloc[0]), str(me["name"].iloc[0])
    with_visits = rounds[rounds["n"] > 0]
    pick = with_visits.iloc[-1] if not with_visits.empty else rounds.iloc[-1]
    return int(pick["id"]), str(pick["name"])


def compute_coverage(store: Store, targets: pd.DataFrame, round_id: int | None, progress=None):
    """(coverage, (round id, name)) for the map; targets: the map's own frame (no re-read)."""
    which = coverage_round_for(store, round_id)
    if which is None:
        return None, None
    cov = cov_mod.coverage(store, which[0], targets=targets, progress=progress)
    return cov, which


def density_grid(x: np.ndarray, y: np.ndarray, extent, bins: int = DENSITY_BINS) -> Density:
    x0, y0, x1, y1 = extent
    cell = max(x1 - x0, y1 - y0, 1.0) / bins
    nx = max(1, int(np.ceil((x1 - x0) / cell)))
    ny = max(1, int(np.ceil((y1 - y0) / cell)))
    return Density(grid_counts(x, y, x0, y0, cell, nx, ny).astype(np.float32), x0, y0, cell)


def grid_counts(x, y, x0: float, y0: float, cell: float, nx: int, ny: int) -> np.ndarray:
    """Points per cell of an (ny, nx) grid, row 0 = south: numpy.histogram2d's result for equal
    cells (the far edges count in the last cell), by arithmetic and one bincount (no bin search)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = (x >= x0) & (x <= x0 + nx * cell) & (y >= y0) & (y <= y0 + ny * cell)
    ix = np.minimum(((x[ok] - x0) / cell).astype(np.int64), nx - 1)
    iy = np.minimum(((y[ok] - y0) / cell).astype(np.int64), ny - 1)
    return np.bincount(iy * nx + ix, minlength=nx * ny).reshape(ny, nx).astype(float)


def load_map_data(store: Store, progress=None, round_id: int | None = None) -> MapData:
    """Areas, targets with their latest outcome, roads and offices, projected to a local metric CRS."""

    step = reporter(progress)
    step(0.05, "读取行政区划")
    from gisplanner.geo.area_edit import read_area_versions

    opened = read_area_versions(store)  # first: a save in between is a conflict, never lost
    areas = store.areas_gdf()
    areas["version"] = areas["id"].map(opened).fillna(0).astype("int64")
    if len(areas):
        b = areas.total_bounds
        lon0, lat0 = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
    else:
        lon0, lat0 = 120.0, 31.5
    step(0.1, "读取走访对象")
    t = store.targets_frame()
    if not len(areas) and len(t):
        lon0, lat0 = float(t["lon"].mean()), float(t["lat"].mean())
    proj = LocalProjection.for_lonlat(lon0, lat0)
    areas = areas.to_crs(proj.epsg)
    villages = areas[areas.level == "village"].copy()
    towns = areas[areas.level == "town"].copy()
    x, y = proj.forward(t["lon"].to_numpy(float), t["lat"].to_numpy(float))
    t["x"], t["y"] = np.asarray(x, float), np.asarray(y, float)
    t["outcome_code"] = t["last_outcome"].map(OUTCOME_CODES).fillna(0).astype(np.int8)
    t["special"] = t[list(SPECIAL_GROUP_TAGS)].fillna(False).to_numpy(bool).any(axis=1)
    t["overdue_problems"] = overdue_problems_per_target(store, t["id"].to_numpy())
    kc = pd.Categorical(t["kind"], categories=list(TargetKind.values())).codes.astype(np.int64)
    kc[kc < 0] = 2
    t["kind_code"] = kc

    met = t.assign(m=t["last_outcome"].eq("met")).groupby("area_id")["m"].agg(["sum", "size"])
    villages["targets"] = villages["id"].map(met["size"]).fillna(0).astype(int)
    villages["met"] = villages["id"].map(met["sum"]).fillna(0).astype(int)
    step(0.45, "建立空间索引")
    points = spatial.PointIndex(t["id"].to_numpy(), t["x"].to_numpy(), t["y"].to_numpy())
    area_index = spatial.AreaIndex(
        areas["id"].to_numpy(), areas.geometry.to_numpy(), areas["level"].to_numpy()
    )
    step(0.55, "读取道路")
    roads = store.roads_gdf().to_crs(proj.epsg)
    coords, connect, kinds = [], [], []
    # OpenStreetMap classes (residential, footway …) drawn in the map's two road styles
    for geom, kind in zip(roads.geometry, display_class(roads["kind"]), strict=True):
        for line in getattr(geom, "geoms", [geom]):
            xy = shapely.get_coordinates(line)
            coords.append(xy)
            c = np.ones(len(xy), bool)
            c[-1] = False
            connect.append(c)
            kinds.append(np.full(len(xy), kind, object))
    road_xy = np.vstack(coords) if coords else np.empty((0, 2))
    road_connect = np.concatenate(connect) if connect else np.empty(0, bool)
    road_kinds = np.concatenate(kinds) if kinds else np.empty(0, object)
    ox, oy = proj.forward(villages["office_lon"].to_numpy(float), villages["office_lat"].to_numpy(float))
    offices = pd.DataFrame(
        {"area_id": villages["id"].to_numpy(), "name": villages["name"].to_numpy(), "x": ox, "y": oy}
    )
    data = MapData(proj, villages, towns, t, road_xy, road_connect, offices, all_areas=areas,
                   points=points, area_index=area_index, road_kinds=road_kinds)  # fmt: skip
    data.id_order = np.argsort(t["id"].to_numpy(), kind="stable")
    # west to east: the map's point layers keep their points sorted by x; sorting here, off the
    # UI thread, makes that nearly free there
    data.x_order = np.argsort(t["x"].to_numpy(), kind="stable")

    step(0.65, "统计密度")
    hh = (t["kind"] == TargetKind.HOUSEHOLD).to_numpy()
    data.density = density_grid(t["x"].to_numpy()[hh], t["y"].to_numpy()[hh], data.extent)
    step(0.75, "统计覆盖情况")
    data.coverage, data.coverage_round = compute_coverage(store, t, round_id)
    step(1.0, "完成")
    return data
