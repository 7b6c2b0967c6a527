"""Road network: line files in any CRS, road classes per profile, legs along the roads, the
matrix against networkx, `export routes` and `info` on the demo town."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from gisplanner.geo.roads import graph_from_rows
from gisplanner.io.crs import LocalProjection, from_wgs84
from gisplanner.routing.legs import leg_geometries
from gisplanner.routing.matrix import PointNetwork, RoadGraph, road_distances

ROOT = Path(__file__).resolve().parent.parent
LON, LAT = 120.02, 31.49  # the demo town


def cli(*args, db):
    run = subprocess.run(
        [sys.executable, "main.py", *args, "--db", str(db), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return run.returncode, (json.loads(run.stdout) if run.returncode == 0 else run.stderr)


def wgs_lines():
    """Three roads near the demo town in WGS84: a county road, a footway, an expressway."""
    return gpd.GeoDataFrame(
        {"名称": ["雪堰路", None, "沿江高速"], "道路等级": ["县道", "人行道", "高速"]},
        geometry=[
            shapely.LineString([(LON, LAT), (LON + 0.01, LAT)]),
            shapely.LineString([(LON + 0.01, LAT), (LON + 0.01, LAT + 0.005)]),
            shapely.LineString([(LON - 0.02, LAT - 0.01), (LON + 0.02, LAT + 0.01)]),
        ],
        crs="EPSG:4326",
    )


def stored(db):
    import sqlite3

    with sqlite3.connect(db) as c:
        return c.execute("SELECT name, kind, geometry, source FROM road ORDER BY id").fetchall()


def test_gauss_kruger_geopackage_keeps_names_and_classes(tmp_path):
    src = wgs_lines()
    path = tmp_path / "roads_4549.gpkg"
    src.to_crs(4549).to_file(path, layer="roads")
    code, out = cli("import", "roads", str(path), db=tmp_path / "a.sqlite")
    assert code == 0, out
    assert out["roads"]["segments"] == 3 and out["kind_field"] == "道路等级" and out["name_field"] == "名称"
    rows = stored(tmp_path / "a.sqlite")
    assert [r[0] for r in rows] == ["雪堰路", None, "沿江高速"]
    assert [r[1] for r in rows] == ["secondary", "footway", "motorway"]
    back = shapely.from_wkb(rows[0][2])
    assert shapely.hausdorff_distance(back, src.geometry.iloc[0]) < 1e-7  # ~1 cm
    # km as the geodesic length says
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    assert out["roads"]["km"] == pytest.approx(
        sum(geod.geometry_length(g) for g in src.geometry) / 1000, rel=2e-3
    )


def test_gcj02_geojson_is_shifted_back(tmp_path):
    src = wgs_lines()
    shifted = src.copy()
    shifted.geometry = [
        shapely.transform(g, lambda a: np.column_stack(from_wgs84(a[:, 0], a[:, 1], "gcj02")))
        for g in src.geometry
    ]
    path = tmp_path / "roads_gaode.geojson"
    shifted.to_file(path, driver="GeoJSON")
    code, out = cli("import", "roads", str(path), "--crs", "gcj02", db=tmp_path / "g.sqlite")
    assert code == 0, out
    back = shapely.from_wkb(stored(tmp_path / "g.sqlite")[0][2])
    # GCJ-02 is ~500 m off here; converted back it is within a metre
    assert shapely.hausdorff_distance(shifted.geometry.iloc[0], src.geometry.iloc[0]) > 0.002
    assert shapely.hausdorff_distance(back, src.geometry.iloc[0]) < 1e-5


def test_shapefile_without_prj_needs_crs(tmp_path):
    path = tmp_path / "roads.shp"
    wgs_lines().to_crs(4549).to_file(path, encoding="GBK")  # the land office's style
    path.with_suffix(".prj").unlink()
    db = tmp_path / "s.sqlite"
    code, err = cli("import", "roads", str(path), db=db)
    assert code == 2 and "--crs" in err and "roads.shp" in err
    code, err = cli("import", "roads", str(path), "--crs", "wgs84", db=db)  # metres are no lon/lat
    assert code == 2 and "EPSG:4549" in err
    code, out = cli("import", "roads", str(path), "--crs", "EPSG:4549", db=db)
    assert code == 0 and out["roads"]["segments"] == 3


def test_polygons_only_is_a_clear_error(tmp_path):
    path = tmp_path / "areas.geojson"
    gpd.GeoDataFrame(geometry=[shapely.box(LON, LAT, LON + 0.01, LAT + 0.01)], crs=4326).to_file(path)
    code, err = cli("import", "roads", str(path), db=tmp_path / "p.sqlite")
    assert code == 2 and "没有道路" in err


def rows_of(gdf, source=None):
    return [(shapely.to_wkb(g), k, source) for g, k in zip(gdf.geometry, gdf["kind"], strict=True)]


def test_walkers_avoid_the_motorway_and_ebikes_the_steps():
    """A motorway and a flight of steps are each a shortcut beside a long residential detour."""
    proj = LocalProjection.for_lonlat(LON)
    x0, y0 = proj.forward(LON, LAT)

    def ll(pts):
        a = np.asarray(pts, float)
        lo, la = proj.inverse(x0 + a[:, 0], y0 + a[:, 1])
        return shapely.LineString(np.column_stack([lo, la]))

    gdf = gpd.GeoDataFrame(
        {"kind": ["motorway", "residential", "residential", "residential", "steps"]},
        geometry=[
            ll([(0, 0), (1000, 0)]),  # A → B straight on the motorway
            ll([(0, 0), (0, 800), (1000, 800), (1000, 0)]),  # A → B round the block: 2600 m
            ll([(0, 2000), (1000, 2000)]),  # C → D along the top street ...
            ll([(0, 800), (0, 2000)]),
            ll([(0, 800), (1000, 2000)]),  # ... or up the steps across the slope
        ],
        crs=4326,
    )
    pts = np.array([[0, 0], [1000, 0], [0, 2000], [1000, 2000]], float) + [x0, y0]
    walk = graph_from_rows(rows_of(gdf), proj, "walking")
    ebike = graph_from_rows(rows_of(gdf), proj, "ebike")
    dw, _ = road_distances(walk, pts)
    de, _ = road_distances(ebike, pts)
    assert dw[0, 1] == pytest.approx(2600, abs=1)  # not 1000 on the motorway
    assert de[0, 1] == pytest.approx(2600, abs=1)
    assert dw[0, 3] == pytest.approx(800 + np.hypot(1000, 1200), abs=1)  # up the steps
    assert de[0, 3] == pytest.approx(800 + 1200 + 1000, abs=1)  # round by the street


def test_osm_ways_cross_without_a_junction():
    """A bridge over a road (OpenStreetMap: no shared node) does not connect; drawn lines do."""
    proj = LocalProjection.for_lonlat(LON)
    x0, y0 = proj.forward(LON, LAT)

    def ll(pts):
        a = np.asarray(pts, float)
        lo, la = proj.inverse(x0 + a[:, 0], y0 + a[:, 1])
        return shapely.to_wkb(shapely.LineString(np.column_stack([lo, la])))

    rows = [
        (ll([(0, 500), (1000, 500)]), "primary"),  # the bridge
        (ll([(500, 0), (500, 1000)]), "residential"),  # the road under it
        (ll([(0, 500), (0, 0), (500, 0)]), "residential"),  # the way round
    ]
    pts = np.array([[250, 500], [500, 250]], float) + [x0, y0]
    osm = graph_from_rows([(w, k, "osm") for w, k in rows], proj)
    drawn = graph_from_rows([(w, k, "file") for w, k in rows], proj)
    assert road_distances(osm, pts)[0][0, 1] == pytest.approx(250 + 500 + 500 + 250, abs=1)
    assert road_distances(drawn, pts)[0][0, 1] == pytest.approx(500, abs=1)


def test_lane_ending_on_a_road_between_vertices_joins_it():
    """The demo's village lanes end on the main road a few millimetres off its line."""
    lines = [np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([[400.0, 0.004], [400.0, 600.0]])]
    g = RoadGraph.from_polylines(lines)
    d, on = road_distances(g, np.array([[0.0, 0.0], [400.0, 600.0]]))
    assert on.all() and d[0, 1] == pytest.approx(1000, abs=1.5)


def random_network(seed=0, n=400):
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0, 3000, (n, 2))
    from scipy.spatial import Delaunay

    tri = Delaunay(pts)
    edges = set()
    for s in tri.simplices:
        for a, b in ((0, 1), (1, 2), (0, 2)):
            i, j = sorted((s[a], s[b]))
            if rng.random() < 0.6:
                edges.add((i, j))
    return pts, sorted(edges)


def test_matrix_and_legs_match_networkx_on_a_random_network():
    pts, edges = random_network()
    g = RoadGraph.from_polylines([pts[[i, j]] for i, j in edges], node_crossings=False)
    ref = nx.Graph()
    for i, j in edges:
        ref.add_edge(i, j, length=float(np.hypot(*(pts[i] - pts[j]))))
    comp = sorted(max(nx.connected_components(ref), key=len))
    stops = np.array(comp[:60])
    net = PointNetwork(g, pts[stops])
    d = net.distances()
    want = np.array(
        [[nx.shortest_path_length(ref, a, b, weight="length") for b in stops] for a in stops[:10]]
    )
    assert np.allclose(d[:10], want, atol=0.5)  # vertices merge on a 0.1 m grid
    route = pts[stops[:8]]
    (legs,) = leg_geometries(g, [route])
    assert len(legs) == 7
    for k, leg in enumerate(legs):
        assert leg.on_road
        assert np.allclose(leg.xy[0], route[k]) and np.allclose(leg.xy[-1], route[k + 1])
        assert shapely.LineString(leg.xy).length == pytest.approx(leg.metres, abs=0.5)
        assert leg.metres == pytest.approx(d[k, k + 1], abs=0.5)
        # every vertex of the leg is a vertex of the network
        on_net = np.min(np.hypot(*(leg.xy[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)), axis=1)
        assert on_net.max() < 0.1  # the 0.1 m vertex grid


def test_leg_off_the_road_walks_to_the_road_first_and_far_away_goes_straight():
    g = RoadGraph.from_polylines([np.array([[0.0, 0.0], [1000.0, 0.0]])])
    (legs,) = leg_geometries(g, [np.array([[100.0, 40.0], [900.0, 0.0], [900.0, 5000.0]])])
    a, b = legs
    assert a.on_road and a.metres == pytest.approx(40 + 800)
    assert np.allclose(a.xy, [[100, 40], [100, 0], [900, 0]])
    assert (
        not b.on_road and np.allclose(b.xy, [[900, 0], [900, 5000]]) and b.metres == pytest.approx(5000 * 1.3)
    )
    (none,) = leg_geometries(None, [np.array([[0.0, 0.0], [300.0, 400.0]])])
    assert none[0].metres == pytest.approx(500 * 1.3) and not none[0].on_road


@pytest.fixture(scope="module")
def planned_demo(tmp_path_factory):
    from gisplanner.demo import build_demo
    from gisplanner.store.database import Store

    db = tmp_path_factory.mktemp("routes") / "demo.sqlite"
    store = Store.open(db)
    build_demo(store, households=2_000, seed=2)
    store.close()
    run = subprocess.run(
        [sys.executable, "main.py", "plan", "--db", str(db), "--quick-teams", "3", "--make-sessions",
         "--time-limit", "6", "--workers", "1", "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return db, json.loads(run.stdout)


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_export_routes_one_line_per_leg_along_the_roads(planned_demo, tmp_path, suffix):
    from gisplanner.geo.roads import road_graph
    from gisplanner.store.database import Store

    db, plan = planned_demo
    out = tmp_path / f"routes{suffix}"
    code, info = cli("export", "routes", "--round", str(plan["round"]), "--out", str(out), db=db)
    assert code == 0, info
    gdf = gpd.read_file(out)
    assert list(gdf.columns[:7]) == [
        "team",
        "session",
        "order",
        "from_target",
        "to_target",
        "metres",
        "minutes",
    ]
    assert (gdf.geom_type == "LineString").all()
    routes = plan["routes"]
    stops = sum(len(r["stops"]) for r in routes)
    assert len(gdf) == info["legs"] == stops + len(routes)  # office → stops → office
    # per route: legs chain from the office through the stops in order and back
    store = Store.open(db)
    try:
        tf = store.targets_frame().set_index("id")
        proj = LocalProjection.for_lonlat(LON)
        graph = road_graph(store, proj)
    finally:
        store.close()
    first = gdf[gdf["order"] == 1]
    assert first["from_target"].isna().all()
    for _rid, legs in gdf.groupby("route_id"):
        legs = legs.sort_values("order")
        inner = legs["to_target"].dropna().astype(int).tolist()
        assert inner == legs["from_target"].dropna().astype(int).tolist()
        for tid, geom in zip(legs["to_target"], legs.geometry, strict=True):
            if tid == tid:  # not the walk back to the office
                end = np.asarray(geom.coords)[-1]
                assert np.allclose(end, tf.loc[int(tid), ["lon", "lat"]].to_numpy(float), atol=1e-7)
    # legs on the road network follow it: their inner vertices are on road segments
    on = gdf[gdf["on_road"]]
    assert len(on) > 0.6 * len(gdf)
    xy = np.vstack([np.asarray(g.coords)[2:-2] for g in on.geometry if len(g.coords) > 4])
    px, py = proj.forward(xy[:, 0], xy[:, 1])
    _, dist = graph._tree.query_nearest(shapely.points(px, py), return_distance=True, all_matches=False)
    assert dist.max() < 0.05
    # minutes are metres at walking speed
    assert np.allclose(gdf["minutes"], gdf["metres"] / (4.5 / 3.6) / 60, atol=0.01)


def test_info_json_counts_roads(planned_demo):
    db, _plan = planned_demo
    code, info = cli("info", db=db)
    assert code == 0 and info["roads"]["segments"] > 50 and info["roads"]["km"] > 50


def test_webmap_draws_routes_along_roads(planned_demo, tmp_path):
    db, plan = planned_demo
    out = tmp_path / "map.html"
    code, info = cli("export", "webmap", "--round", str(plan["round"]), "--out", str(out), db=db)
    assert code == 0
    html = out.read_text(encoding="utf-8")
    # Leaflet polylines carry the road vertices, far more than the stops
    import re

    lines = re.findall(r"L\.polyline\(\s*(\[\[.*?\]\])", html, flags=re.S)
    assert len(lines) == info["routes"]
    vertices = sum(len(json.loads(v)) for v in lines)
    assert vertices > 2 * (info["stops"] + info["routes"])


def test_import_replaces_unless_append(tmp_path):
    path = tmp_path / "roads.geojson"
    wgs_lines().to_file(path, driver="GeoJSON")
    db = tmp_path / "r.sqlite"
    assert cli("import", "roads", str(path), db=db)[1]["roads"]["segments"] == 3
    code, again = cli("import", "roads", str(path), db=db)
    assert code == 0 and again["replaced"] == 3 and again["roads"]["segments"] == 3
    code, more = cli("import", "roads", str(path), "--append", db=db)
    assert code == 0 and more["replaced"] == 0 and more["roads"]["segments"] == 6
    code, pre = cli("import", "roads", str(path), "--preview", db=tmp_path / "untouched.sqlite")
    assert code == 0 and pre["roads"] == 3 and not (tmp_path / "untouched.sqlite").exists()


def test_map_shows_osm_classes_as_main_roads_and_lanes(tmp_path):
    from gisplanner.routing.roadclass import display_class

    assert list(display_class(["primary", "residential", "main", "lane", "footway", "tertiary_link"])) == [
        "main", "lane", "main", "lane", "lane", "main",
    ]  # fmt: skip
