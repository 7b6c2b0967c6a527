"""What the map draws, prepared off the UI thread (no Qt here): projected arrays and frames."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gisplanner.io.crs import LocalProjection
from gisplanner.store import Store

OUTCOME_CODES = {None: 0, "met": 1, "not_home": 2, "refused": 3, "moved": 4, "phone": 5}


@dataclass
class MapData:
    projection: LocalProjection
    areas: gpd.GeoDataFrame  # village-level areas in the projected CRS, with met share
    towns: gpd.GeoDataFrame
    targets: pd.DataFrame  # id, kind, x, y, outcome_code, special, name, address, area_id …
    road_xy: np.ndarray  # (n, 2) vertices of all roads, projected
    road_connect: np.ndarray  # bool (n,), False where a road ends
    offices: pd.DataFrame  # area id, name, x, y

    @property
    def extent(self) -> tuple[float, float, float, float]:
        return tuple(self.areas.total_bounds) if len(self.areas) else (0.0, 0.0, 1.0, 1.0)


def load_map_data(store: Store, progress=None) -> MapData:
    """Areas, targets with their latest outcome, roads and offices, projected to a local metric CRS."""

    def step(frac, msg):
        if progress is not None and progress(frac, msg) is False:
            raise InterruptedError("已取消")

    step(0.05, "读取行政区划")
    areas = store.areas_gdf()
    lon0, lat0 = (
        (areas.total_bounds[[0, 2]].mean(), areas.total_bounds[[1, 3]].mean()) if len(areas) else (120, 31)
    )
    proj = LocalProjection.for_lonlat(lon0, lat0)
    areas = areas.to_crs(proj.epsg)
    villages = areas[areas.level == "village"].copy()
    towns = areas[areas.level == "town"].copy()
    step(0.3, "读取走访对象")
    t = store.targets_frame()
    x, y = proj.forward(t["lon"].to_numpy(float), t["lat"].to_numpy(float))
    t["x"], t["y"] = x, y
    t["outcome_code"] = t["last_outcome"].map(OUTCOME_CODES).fillna(0).astype(np.int8)
    t["special"] = t[["elderly_alone", "disabled", "hardship"]].to_numpy(bool).any(axis=1)
    met = t.assign(m=t["last_outcome"].eq("met")).groupby("area_id")["m"].agg(["sum", "size"])
    villages["targets"] = villages["id"].map(met["size"]).fillna(0).astype(int)
    villages["met"] = villages["id"].map(met["sum"]).fillna(0).astype(int)
    step(0.7, "读取道路")
    roads = store.roads_gdf().to_crs(proj.epsg)
    coords, connect = [], []
    for geom in roads.geometry:
        for line in getattr(geom, "geoms", [geom]):
            xy = shapely.get_coordinates(line)
            coords.append(xy)
            c = np.ones(len(xy), bool)
            c[-1] = False
            connect.append(c)
    road_xy = np.vstack(coords) if coords else np.empty((0, 2))
    road_connect = np.concatenate(connect) if connect else np.empty(0, bool)
    ox, oy = proj.forward(villages["office_lon"].to_numpy(float), villages["office_lat"].to_numpy(float))
    offices = pd.DataFrame(
        {"area_id": villages["id"].to_numpy(), "name": villages["name"].to_numpy(), "x": ox, "y": oy}
    )
    step(1.0, "完成")
    return MapData(proj, villages, towns, t, road_xy, road_connect, offices)
