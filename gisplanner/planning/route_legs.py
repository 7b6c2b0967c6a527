"""The legs of a round's stored routes along the roads (路网), in WGS84.

- :func:`round_legs` — every leg with the team, session, order, from/to target ids, metres and
  minutes: what the map, the web map, route sheets and ``export routes`` draw;
- :func:`route_paths` — per route, its lines for maps that draw routes;
- :func:`export_route_legs` — the legs as GeoJSON or GeoPackage.

The graphs come from :func:`gisplanner.geo.roads.road_graph` (cached per database), the routes
from :func:`gisplanner.planning.plan.load_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from gisplanner.geo.roads import road_graph, travel_profile
from gisplanner.io.crs import LocalProjection
from gisplanner.planning.plan import load_plan
from gisplanner.routing.legs import leg_geometries
from gisplanner.routing.matrix import WALKING, TravelProfile


@dataclass(frozen=True)
class RoundLeg:
    """One leg of a stored route, along the roads (geometry WGS84 lon/lat)."""

    route_id: int
    team: str
    session: str
    order: int  # 1 = office → first stop (or first → second stop when the office is unknown)
    from_target: int | None  # None: the team's office (村委会)
    to_target: int | None
    metres: float
    minutes: float
    on_road: bool
    geometry: shapely.LineString


def round_legs(
    store, round_id: int, profile: str | TravelProfile = WALKING, *, with_office: bool = True
) -> list[RoundLeg]:
    """Every leg of the round's stored routes, following the roads, in team / session order.

    With ``with_office`` the walk from the team's office to the first stop and back is
    included (when the office is known).
    """
    prof = travel_profile(profile)
    rows = load_plan(store, round_id)
    if not rows:
        return []
    by_route: dict[int, list[dict]] = {}
    for r in rows:
        by_route.setdefault(r["route_id"], []).append(r)
    lon = np.array([r["lon"] for r in rows], dtype=float)
    proj = LocalProjection.for_lonlat(float(np.mean(lon)))
    graph = road_graph(store, proj, prof)
    routes, ids, meta = [], [], []
    for rid, stops in by_route.items():
        ll = [(s["lon"], s["lat"]) for s in stops]
        tids: list[int | None] = [s["target_id"] for s in stops]
        first = stops[0]
        if with_office and first.get("office_lon") is not None:
            office = (first["office_lon"], first["office_lat"])
            ll, tids = [office, *ll, office], [None, *tids, None]
        arr = np.asarray(ll, dtype=float)
        x, y = proj.forward(arr[:, 0], arr[:, 1])
        routes.append(np.column_stack([x, y]))
        ids.append(tids)
        meta.append((rid, first["team"], first["session"]))
    out: list[RoundLeg] = []
    for legs, tids, (rid, team, session) in zip(leg_geometries(graph, routes), ids, meta, strict=True):
        for leg in legs:
            lo, la = proj.inverse(leg.xy[:, 0], leg.xy[:, 1])
            out.append(
                RoundLeg(
                    rid, team, session, leg.start + 1, tids[leg.start], tids[leg.end], round(leg.metres, 1),
                    round(leg.metres / prof.metres_per_second / 60.0, 2), leg.on_road,
                    shapely.linestrings(np.column_stack([lo, la])),
                )
            )  # fmt: skip
    return out


class RouteExportError(ValueError):
    """Nothing to export or an unsupported file type (message in Chinese)."""


ROUTE_FORMATS = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GPKG"}


def export_route_legs(store, round_id: int, out, profile: str | TravelProfile = WALKING) -> dict:
    """Write one LineString per leg along the roads (GeoJSON or GeoPackage, WGS84) with the
    properties team, session, order, from_target, to_target, metres, minutes (and route_id,
    on_road: False where the leg had no road and is the straight line)."""
    from pathlib import Path

    import geopandas as gpd

    from gisplanner.io.atomic import atomic_path

    out = Path(out)
    driver = ROUTE_FORMATS.get(out.suffix.lower())
    if driver is None:
        raise RouteExportError(f"不支持的文件类型“{out.suffix}”：请用 .geojson 或 .gpkg")
    legs = round_legs(store, round_id, profile)
    if not legs:
        raise RouteExportError(f"轮次 {round_id} 还没有规划好的路线：请先运行 plan")
    gdf = gpd.GeoDataFrame(
        {
            "team": [g.team for g in legs],
            "session": [g.session for g in legs],
            "order": [g.order for g in legs],
            "from_target": _nullable_ints([g.from_target for g in legs]),
            "to_target": _nullable_ints([g.to_target for g in legs]),
            "metres": [g.metres for g in legs],
            "minutes": [g.minutes for g in legs],
            "route_id": [g.route_id for g in legs],
            "on_road": [g.on_road for g in legs],
        },
        geometry=[g.geometry for g in legs],
        crs="EPSG:4326",
    )
    with atomic_path(out) as tmp:
        gdf.to_file(tmp, driver=driver, layer="route_legs" if driver == "GPKG" else out.stem)
    return {
        "out": str(out), "round": round_id, "legs": len(legs), "routes": len({g.route_id for g in legs}),
        "km": round(sum(g.metres for g in legs) / 1000.0, 3), "on_road": sum(g.on_road for g in legs),
        "profile": travel_profile(profile).name,
    }  # fmt: skip


def _nullable_ints(values):
    """Target ids with None for the office, as a nullable integer column."""
    import pandas as pd

    return pd.array(values, dtype="Int64")


def route_paths(store, round_id: int, profile: str | TravelProfile = WALKING) -> dict[int, dict]:
    """Per stored route, its lines along the roads as (n, 2) WGS84 lon/lat arrays:
    ``{"stops": first stop → … → last stop, "out": office → first stop, "back": last stop →
    office}`` ("out"/"back" only when the office is known). For maps that draw routes."""
    out: dict[int, dict] = {}
    for leg in round_legs(store, round_id, profile):
        xy = np.asarray(leg.geometry.coords, dtype=float)
        d = out.setdefault(leg.route_id, {"stops": np.empty((0, 2))})
        if leg.from_target is None:
            d["out"] = xy
        elif leg.to_target is None:
            d["back"] = xy
        else:
            d["stops"] = np.vstack([d["stops"], xy[1:] if len(d["stops"]) else xy])
    return out
