"""A town without a village boundary file: the household roster's village column makes the
villages, and `import areas --from-roster` derives their outlines (Voronoi cells per village,
clipped to the town). Checked on the demo's importable files (maps/demo/)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from sqlalchemy import select

from gisplanner.io.area_locator import AreaLocator
from gisplanner.io.crs import LocalProjection
from gisplanner.store.model import Area

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "maps" / "demo"


def cli(*args, db):
    run = subprocess.run(
        [sys.executable, "main.py", *args, "--db", str(db), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return run.returncode, (json.loads(run.stdout) if run.returncode == 0 else run.stderr)


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    """A database with only the town outline, the demo households, then derived villages."""
    db = tmp_path_factory.mktemp("villages") / "town.sqlite"
    code, out = cli("import", "areas", str(DEMO / "town.geojson"), "--level", "town", db=db)
    assert code == 0, out
    code, hh = cli("import", "households", str(DEMO / "households.xlsx"), db=db)
    assert code == 0, hh
    code, dv = cli("import", "areas", "--from-roster", "--town", "320412101000", db=db)
    assert code == 0, dv
    return db, hh, dv


def test_households_import_without_village_boundaries(derived):
    from gisplanner.store.database import Store

    db, hh, _dv = derived
    roster = pd.read_excel(DEMO / "households.xlsx", dtype=str)
    assert hh["inserted"] == len(roster) and hh["rejected"] == 0
    assert hh["villages_created"] == roster["所属村/社区"].nunique() == 18
    store = Store.open(db)
    try:
        with store.session() as s:
            villages = s.scalars(select(Area).where(Area.level == "village")).all()
            town = s.scalars(select(Area).where(Area.level == "town")).one()
            assert all(v.parent_id == town.id and v.derived for v in villages)
            assert all(v.code.startswith("320412101") and len(v.code) == 12 for v in villages)
        # each household is in the village its roster row names
        tf = store.targets_frame()
        names = store.areas_gdf().set_index("id")["name"]
        by_ext = roster.set_index("户编号")["所属村/社区"]
        assert (tf["area_id"].map(names).to_numpy() == tf["ext_id"].map(by_ext).to_numpy()).all()
    finally:
        store.close()


def test_derived_villages_tile_the_town(derived):
    from gisplanner.store.database import Store

    db, hh, dv = derived
    assert dv["villages"] == 18 and dv["targets"] == hh["inserted"] and dv["outside_town"] == 0
    store = Store.open(db)
    try:
        areas = store.areas_gdf()
        tf = store.targets_frame()
    finally:
        store.close()
    # every household lies in its own derived village
    vil = areas[areas.level == "village"]
    got = AreaLocator(
        vil["id"].to_numpy(), vil["code"].tolist(), vil["name"].tolist(), vil.geometry.to_numpy()
    ).locate(tf["lon"].to_numpy(), tf["lat"].to_numpy())
    assert (got == tf["area_id"].to_numpy()).all()
    # the villages do not overlap and together are exactly the town
    proj = LocalProjection.for_lonlat(120.0)
    v = areas[areas.level == "village"].to_crs(proj.epsg).geometry.to_numpy()
    town = areas[areas.level == "town"].to_crs(proj.epsg).geometry.iloc[0]
    assert shapely.is_valid(v).all()
    assert shapely.area(v).sum() == pytest.approx(town.area, rel=1e-6)
    assert shapely.union_all(v).symmetric_difference(town).area < 1e-6 * town.area
    left, right = shapely.STRtree(v).query(v, predicate="intersects")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(v[left[pairs]], v[right[pairs]])).sum()
    assert overlap < 1.0  # m²: shared borders only


def test_derive_again_and_reimport_change_nothing(derived, tmp_path):
    import shutil

    db, _hh, _dv = derived
    copy = tmp_path / "again.sqlite"
    shutil.copy(db, copy)
    code, again = cli("import", "households", str(DEMO / "households.xlsx"), db=copy)
    assert code == 0 and again["villages_created"] == 0 and again["unchanged"] == again["rows"]
    code, dv = cli("import", "areas", "--from-roster", db=copy)  # the only town: no --town needed
    assert code == 0 and dv["villages"] == 18


def test_from_roster_needs_a_town_outline(tmp_path):
    db = tmp_path / "empty.sqlite"
    code, err = cli("import", "areas", "--from-roster", "--town", "320412101000", db=db)
    assert code == 2 and "320412101000" in err


def test_a_real_village_file_still_decides(demo_store):
    """With real village boundaries, a roster naming an unknown village is rejected as before."""
    from gisplanner.io.readers import RawTable
    from gisplanner.io.roster_import import preview_roster

    frame = pd.DataFrame(
        {
            "户编号": ["X1"],
            "户主姓名": ["张三"],
            "所属村/社区": ["不存在村"],
            "经度": ["120.02"],
            "纬度": ["31.49"],
        }
    )
    table = RawTable(Path("x.csv"), list(frame.columns), frame, np.arange(2, 3), 1, "utf-8")
    preview = preview_roster(demo_store, "x.csv", "households", table=table)
    assert preview.new_villages == [] and preview.village_town_id is None
    # the village is the one containing the point (point-in-polygon), not a new one
    locator = AreaLocator.from_store(demo_store)
    assert preview.area_ids[0] == locator.locate(np.array([120.02]), np.array([31.49]))[0] >= 0


def test_a_village_file_later_replaces_the_derived_outlines(derived, tmp_path):
    import shutil
    import sqlite3

    db, _hh, _dv = derived
    copy = tmp_path / "later.sqlite"
    shutil.copy(db, copy)
    code, out = cli("import", "areas", str(DEMO / "villages.gpkg"), "--level", "village", db=copy)
    assert code == 0, out
    with sqlite3.connect(copy) as c:
        flags = dict(c.execute("SELECT code, derived FROM area WHERE level = 'village'").fetchall())
    real = set(gpd_codes(DEMO / "villages.gpkg"))
    assert all(flags[c] == 0 for c in real)


def gpd_codes(path):
    import geopandas as gpd

    return gpd.read_file(path, layer="villages")["code"].astype(str).tolist()
