"""The road network of the database (路网): the graphs the planner walks on, the legs it drew.

- :func:`road_graph` — the walking (步行) or e-bike (电动车) graph from the ``road`` table, in a
  local metric projection (which road classes each may use: :mod:`gisplanner.routing.roadclass`).
- :func:`round_legs` — every leg of a round's stored routes along the roads, in WGS84, with the
  team, session, order, from/to target ids, metres and minutes: what the map, the web map,
  route sheets and ``export routes`` draw.
- :func:`road_stats` — segments and kilometres, for ``info``.

Graphs are cached per database, profile and projection (building one nodes every crossing
of the network: seconds at city scale), so the plan panel, route sheets, route export and the
web map build it once. The key holds the road table's version (:func:`roads_version`: rows,
highest id, bytes of geometry and the import generation the importer counts up in the
database), so roads written by this or another client show up.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import shapely

from gisplanner.io.crs import LocalProjection
from gisplanner.routing.legs import leg_geometries
from gisplanner.routing.matrix import PROFILES, WALKING, RoadGraph, TravelProfile
from gisplanner.routing.roadclass import allowed


def _profile(profile: str | TravelProfile) -> TravelProfile:
    return profile if isinstance(profile, TravelProfile) else PROFILES[profile]


def road_lines(
    wkbs, kinds, proj: LocalProjection, profile: str | TravelProfile = WALKING
) -> list[np.ndarray]:
    """Projected polylines ((n, 2) metres) of the roads the profile may use."""
    if not len(wkbs):
        return []
    keep = allowed(kinds, _profile(profile).name)
    geoms = shapely.from_wkb(np.asarray(list(wkbs), dtype=object)[keep])
    parts = shapely.get_parts(geoms[~shapely.is_missing(geoms)])
    parts = parts[shapely.get_type_id(parts) == 1]  # LineString
    if not len(parts):
        return []
    coords, index = shapely.get_coordinates(parts, return_index=True)
    x, y = proj.forward(coords[:, 0], coords[:, 1])
    xy = np.column_stack([x, y])
    cuts = np.flatnonzero(np.diff(index)) + 1
    return [c for c in np.split(xy, cuts) if len(c) >= 2]


def graph_from_rows(rows, proj: LocalProjection, profile: str | TravelProfile = WALKING) -> RoadGraph | None:
    """The profile's road graph from ``(geometry WKB, kind, source)`` rows; None without roads.

    OpenStreetMap ways (source 'osm') meet at their shared nodes only; other lines are
    joined where they cross or nearly touch.
    """
    rows = list(rows)
    osm = [r for r in rows if r[2] == "osm"]
    other = [r for r in rows if r[2] != "osm"]
    lines = road_lines([r[0] for r in other], [r[1] for r in other], proj, profile)
    ways = road_lines([r[0] for r in osm], [r[1] for r in osm], proj, profile)
    if not lines and not ways:
        return None
    return RoadGraph.from_polylines(lines, node_crossings=True, prenoded=ways)


GRAPH_CACHE_SIZE = 4  # graphs kept per database (profiles × projections × versions)
# engine -> (profile, EPSG, road-table version) -> graph; an engine is one
# database (an in-memory one too) and its graphs go with it
_graphs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_graphs_lock = threading.Lock()  # workers and the UI thread ask at once: one builds, the other waits


def roads_version(store) -> tuple[int, int, int, int]:
    """(rows, highest id, bytes of geometry, import generation) of the road table: one aggregate
    query, far cheaper than reading the roads, and different after an import (even one that
    replaces the roads by as many lines of the same size, whose ids restart), an append or an
    edit of a line."""
    from sqlalchemy import func, select

    from gisplanner.io.road_import import ROADS_GENERATION_KEY
    from gisplanner.store.model import Road, Setting

    generation = select(Setting.value).where(Setting.key == ROADS_GENERATION_KEY).scalar_subquery()
    with store.engine.connect() as conn:
        n, top, size, gen = conn.execute(
            select(func.count(), func.max(Road.id), func.sum(func.length(Road.geometry)), generation)
        ).one()
    return int(n or 0), int(top or 0), int(size or 0), int(gen or 0)


def road_graph(store, proj: LocalProjection, profile: str | TravelProfile = WALKING) -> RoadGraph | None:
    """The profile's road graph, or None when the database has no usable road.

    Cached per database, profile, projection and road-table version: the graph is shared (read
    only) by every caller, in any thread."""
    prof = _profile(profile)
    version = roads_version(store)
    with _graphs_lock:
        graphs = _graphs.setdefault(store.engine, OrderedDict())
        key = (prof.name, proj.epsg, version)
        if key in graphs:
            graphs.move_to_end(key)
            return graphs[key]
        for old in [k for k in graphs if k[2:] != key[2:]]:  # of roads as they were: never asked again
            del graphs[old]
        rows = store.read_frame("SELECT geometry, kind, source FROM road")
        graph = graph_from_rows(rows.itertuples(index=False, name=None), proj, prof)
        graphs[key] = graph
        while len(graphs) > GRAPH_CACHE_SIZE:
            graphs.popitem(last=False)
        return graph


def road_stats(store) -> dict:
    """``{"segments": number of road rows, "km": total length}``."""
    rows = store.read_frame("SELECT geometry FROM road")
    if rows.empty:
        return {"segments": 0, "km": 0.0}
    geoms = shapely.from_wkb(rows["geometry"].to_numpy())
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    proj = LocalProjection.for_lonlat(float(np.median(coords[:, 0])))
    x, y = proj.forward(coords[:, 0], coords[:, 1])
    seg = np.hypot(np.diff(x), np.diff(y))
    seg = seg[index[1:] == index[:-1]]  # not across two roads (multi-part joins are rare and short)
    return {"segments": int(len(rows)), "km": round(float(seg.sum()) / 1000.0, 3)}


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
    from gisplanner.planning.plan import load_plan

    prof = _profile(profile)
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
        "profile": _profile(profile).name,
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
