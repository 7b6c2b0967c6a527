"""The road network of the database (路网): the graphs the planner walks on.

- :func:`road_graph` — the walking (步行) or e-bike (电动车) graph from the ``road`` table, in a
  local metric projection (which road classes each may use: :mod:`gisplanner.routing.roadclass`).
- the legs of a round's stored routes along these roads: :mod:`gisplanner.planning.route_legs`.
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

import numpy as np
import shapely

from gisplanner.io.crs import LocalProjection
from gisplanner.routing.matrix import PROFILES, WALKING, RoadGraph, TravelProfile
from gisplanner.routing.roadclass import allowed


def travel_profile(profile: str | TravelProfile) -> TravelProfile:
    """A profile by name (walking / ebike) or as given."""
    return profile if isinstance(profile, TravelProfile) else PROFILES[profile]


def road_lines(
    wkbs, kinds, proj: LocalProjection, profile: str | TravelProfile = WALKING
) -> list[np.ndarray]:
    """Projected polylines ((n, 2) metres) of the roads the profile may use."""
    if not len(wkbs):
        return []
    keep = allowed(kinds, travel_profile(profile).name)
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
    prof = travel_profile(profile)
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
