"""The walking road graph is built once per database and rebuilt when the roads change."""

from __future__ import annotations

import json

import shapely

from gisplanner.geo.roads import road_graph, roads_version
from gisplanner.io.crs import LocalProjection
from gisplanner.io.road_import import import_roads, read_roads
from gisplanner.store.database import Store
from gisplanner.store.model import Road

LON, LAT = 120.10, 30.20
PROJ = LocalProjection.for_lonlat(LON, LAT)


def _write_roads(path, lines) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"name": f"路{i}", "class": "residential"},
            "geometry": {"type": "LineString", "coordinates": line},
        }  # fmt: skip
        for i, line in enumerate(lines)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def _cross(d: float) -> list:
    """Two roads crossing at the centre, each `d` degrees long."""
    return [[[LON - d / 2, LAT], [LON + d / 2, LAT]], [[LON, LAT - d / 2], [LON, LAT + d / 2]]]


def _extent(graph) -> float:
    return float(graph.nodes[:, 0].max() - graph.nodes[:, 0].min())


def test_graph_is_shared_until_the_roads_change(empty_store, tmp_path):
    path = tmp_path / "roads.geojson"
    _write_roads(path, _cross(0.01))
    import_roads(empty_store, read_roads(path))
    first = road_graph(empty_store, PROJ)
    assert first is not None and first.num_segments == 4  # two roads split at their crossing
    assert road_graph(empty_store, PROJ) is first  # the route sheets, the map, the export: one build
    assert road_graph(empty_store, PROJ, "ebike") is not first  # another profile, its own graph

    # a new import replacing the roads with as many lines of the same size: a new graph
    _write_roads(path, _cross(0.02))
    import_roads(empty_store, read_roads(path))
    second = road_graph(empty_store, PROJ)
    assert second is not first
    assert _extent(second) > 1.9 * _extent(first)


def test_roads_written_by_another_client_are_seen(empty_store, tmp_path):
    path = tmp_path / "roads.geojson"
    _write_roads(path, _cross(0.01))
    import_roads(empty_store, read_roads(path))
    before = road_graph(empty_store, PROJ)
    version = roads_version(empty_store)

    other = Store.open(empty_store.sqlite_path)  # another process on the same file
    try:
        with other.session() as s:
            line = shapely.LineString([(LON + 0.004, LAT - 0.004), (LON + 0.004, LAT + 0.004)])
            s.add(Road(name="新路", kind="residential", geometry=shapely.to_wkb(line), source="file"))
    finally:
        other.close()

    assert roads_version(empty_store) != version
    after = road_graph(empty_store, PROJ)
    assert after is not before
    assert after.num_segments > before.num_segments  # the new road crosses the east-west one
