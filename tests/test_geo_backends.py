"""Villages from the roster and a road network, through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "maps" / "demo"


def cli(*args, db):
    run = subprocess.run(
        [sys.executable, "main.py", *args, "--db", str(db), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_villages_and_roads(backend_url, tmp_path):
    cli("import", "areas", str(DEMO / "town.geojson"), "--level", "town", db=backend_url)
    hh = cli("import", "households", str(DEMO / "households.xlsx"), db=backend_url)
    assert hh["villages_created"] == 18 and hh["rejected"] == 0
    dv = cli("import", "areas", "--from-roster", db=backend_url)
    assert dv["villages"] == 18 and dv["outside_town"] == 0
    roads = tmp_path / "roads.geojson"
    gpd.GeoDataFrame(
        {"name": ["雪堰路", "太湖路"], "highway": ["residential", "unclassified_road_with_a_long_name_x"]},
        geometry=[
            shapely.LineString([(120.0, 31.49), (120.01, 31.49)]),
            shapely.LineString([(120.0, 31.5), (120.0, 31.51)]),
        ],
        crs=4326,
    ).to_file(roads, driver="GeoJSON")
    out = cli("import", "roads", str(roads), db=backend_url)
    assert out["roads"]["segments"] == 2 and out["in_town"] >= 1
    info = cli("info", db=backend_url)
    assert info["roads"] == out["roads"] and info["areas"]["village"] == 18
