"""Boundary files in (Shapefile in EPSG:4549, GeoPackage with an office layer, GeoJSON with a
broken polygon) and exports out (targets .xlsx masked/unmasked, areas .gpkg/.geojson)."""

import geopandas as gpd
import openpyxl
import pytest
import shapely
from shapely.geometry import Point, Polygon

from gisplanner.cli import run
from gisplanner.io.boundary_import import BoundaryError, import_boundaries, preview_boundaries
from gisplanner.io.readers import read_table
from gisplanner.reporting.export import ExportError, export_areas, export_targets_xlsx


def villages(store):
    return store.areas_gdf(level="village")[["code", "name", "geometry"]].reset_index(drop=True)


def test_shapefile_in_gauss_kruger_with_gbk_attributes(demo_store, empty_store, tmp_path):
    v = villages(demo_store)
    shp = tmp_path / "村界.shp"
    v.rename(columns={"code": "XZQDM", "name": "XZQMC"}).to_crs(4549).to_file(shp, encoding="GBK")
    shp.with_suffix(".cpg").unlink()  # an office's file often has no .cpg: GBK must still read
    p = preview_boundaries(shp)
    assert "4549" in p.source_crs and (p.code_field, p.name_field) == ("XZQDM", "XZQMC")
    assert [f.name for f in p.features] == v["name"].tolist()
    r = import_boundaries(empty_store, p)
    assert (r.inserted, r.updated, r.repaired) == (len(v), 0, 0)
    got = empty_store.areas_gdf(level="village").set_index("code")
    for code, geom in zip(v["code"], v.geometry, strict=True):
        # reprojected back to WGS84 within centimetres
        assert got.loc[code, "geometry"].symmetric_difference(geom).area < 1e-12
        # office point defaults to a point inside the polygon
        assert got.loc[code, "geometry"].contains(
            Point(got.loc[code, "office_lon"], got.loc[code, "office_lat"])
        )
    again = import_boundaries(empty_store, preview_boundaries(shp))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(v))


def test_geopackage_with_office_layer_and_parent_by_containment(demo_store_copy, tmp_path):
    store = demo_store_copy
    v = villages(store).head(3).copy()
    v["code"] = ["320412101901", "320412101902", "320412101903"]  # new villages in the demo town
    v["name"] = ["新村一", "新村二", "新社区"]
    v["geometry"] = [g.buffer(-0.0003) for g in v.geometry]
    gpkg = tmp_path / "areas.gpkg"
    v.to_file(gpkg, layer="villages")
    offices = gpd.GeoDataFrame(
        {"code": v["code"], "name": ["一村委", "二村委", "居委会"]},
        geometry=[g.representative_point() for g in v.geometry],
        crs=4326,
    )
    offices.to_file(gpkg, layer="offices")
    r = import_boundaries(store, preview_boundaries(gpkg))
    assert r.inserted == 3
    got = store.areas_gdf(level="village").set_index("code")
    town = store.areas_gdf(level="town")
    assert got.loc["320412101901", "parent_id"] in town["id"].tolist()
    assert got.loc["320412101902", "office_name"] == "二村委"
    assert bool(got.loc["320412101903", "urban"])  # 社区 = urban
    assert got.loc["320412101901", "office_lon"] == pytest.approx(offices.geometry.iloc[0].x)


def test_invalid_polygon_is_repaired_and_reported(empty_store, tmp_path):
    bowtie = Polygon([(120.0, 31.5), (120.01, 31.51), (120.01, 31.5), (120.0, 31.51)])
    good = shapely.box(120.02, 31.5, 120.03, 31.51)
    gdf = gpd.GeoDataFrame(
        {"代码": ["320412101801", "320412101802", ""], "名称": ["蝴蝶村", "方村", "无码村"]},
        geometry=[bowtie, good, good],
        crs=4326,
    )
    path = tmp_path / "v.geojson"
    gdf.to_file(path)
    p = preview_boundaries(path)
    assert len(p.features) == 2
    assert len(p.repairs) == 1 and "蝴蝶村" in p.repairs[0] and "已自动修复" in p.repairs[0]
    assert len(p.problems) == 1 and "缺少代码" in p.problems[0]
    import_boundaries(empty_store, p)
    g = empty_store.areas_gdf().set_index("code").loc["320412101801", "geometry"]
    # make_valid keeps both wings of the bow-tie (buffer(0) would silently drop one)
    assert g.is_valid and g.geom_type == "MultiPolygon" and len(g.geoms) == 2
    assert g.area == pytest.approx(2 * 0.01 * 0.005 / 2)


def test_boundary_errors_are_clear(tmp_path):
    gdf = gpd.GeoDataFrame({"foo": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=4326)
    gdf.to_file(tmp_path / "a.geojson")
    with pytest.raises(BoundaryError, match="找不到代码字段"):
        preview_boundaries(tmp_path / "a.geojson")
    with pytest.raises(BoundaryError, match="没有字段“nope”"):
        preview_boundaries(tmp_path / "a.geojson", code_field="nope")
    gdf.to_file(tmp_path / "n.shp")
    tmp_path.joinpath("n.prj").unlink()
    with pytest.raises(BoundaryError, match="坐标系"):
        preview_boundaries(tmp_path / "n.shp", code_field="foo", name_field="foo")
    (tmp_path / "bad.gpkg").write_bytes(b"not sqlite")
    with pytest.raises(BoundaryError, match="bad.gpkg"):
        preview_boundaries(tmp_path / "bad.gpkg")


def test_export_targets_masked_and_unmasked(demo_store_copy, tmp_path):
    # a copy: the unmasked export is logged (who, when, how many) in the database
    out = tmp_path / "对象.xlsx"
    info = export_targets_xlsx(demo_store_copy, out)
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == ["走访对象", "未办结问题"]
    df = read_table(out).frame  # the first sheet, as text
    assert len(df) == info["targets"] == len(demo_store_copy.targets_frame())
    phones = df["联系电话"][df["联系电话"] != ""]
    assert len(phones) and phones.str.fullmatch(r"1\d\d\*{4}\d{4}").all()
    assert {"最近走访结果", "未办结问题数"} <= set(df.columns)
    assert set(df["最近走访结果"]) - {""} <= {"见面", "不在家", "拒访", "已搬离", "电话走访"}
    tf = demo_store_copy.targets_frame()
    assert df["未办结问题数"].astype(int).sum() == tf["open_problems"].sum()
    probs = read_table(out, sheet="未办结问题").frame
    assert len(probs) == tf["open_problems"].sum() and "问题描述" in probs.columns

    raw = tmp_path / "raw.xlsx"
    export_targets_xlsx(demo_store_copy, raw, unmasked=True)
    phones = read_table(raw).frame["联系电话"]
    phones = phones[phones != ""]
    assert phones.str.fullmatch(r"1[3-9]\d{9}").all()
    with pytest.raises(ExportError):
        export_targets_xlsx(demo_store_copy, tmp_path / "x.csv")


def test_export_areas_gpkg_and_geojson(demo_store, tmp_path):
    for name in ("areas.gpkg", "areas.geojson"):
        info = export_areas(demo_store, tmp_path / name)
        g = gpd.read_file(tmp_path / name)
        assert len(g) == info["areas"] == len(demo_store.areas_gdf())
        assert g.crs.to_epsg() == 4326
        v = g[g["级别"] == "村/社区"]
        assert (v["走访对象数"] > 0).all() and v["走访率"].between(0, 1).all()
        assert set(v["状态"]) <= {"未开始", "部分完成", "已完成", "无走访对象"}
        # villages add up to the town
        town = g[g["级别"] == "镇/街道"].iloc[0]
        assert v["住户数"].sum() == town["住户数"]
    assert not list(tmp_path.glob(".*part*"))  # no temporary files left behind


def test_failed_export_leaves_old_file(demo_store, tmp_path):
    out = tmp_path / "a.xlsx"
    out.write_bytes(b"old export")

    def cancel(frac, msg):
        return frac < 0.5

    with pytest.raises(Exception, match="取消"):
        export_targets_xlsx(demo_store, out, progress=cancel)
    assert out.read_bytes() == b"old export"
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_cli_export_and_import_areas(demo_store_copy, tmp_path, capsys):
    db = str(demo_store_copy.sqlite_path)
    before = area_rows(demo_store_copy)
    assert run(["export", "targets", "--db", db, "--out", str(tmp_path / "t.xlsx")]) == 0
    assert "电话已隐藏" in capsys.readouterr().out
    assert run(["export", "areas", "--db", db, "--out", str(tmp_path / "a.gpkg"), "--level", "village"]) == 0
    assert (
        run(
            [
                "import",
                "areas",
                str(tmp_path / "a.gpkg"),
                "--db",
                db,
                "--code-field",
                "代码",
                "--name-field",
                "名称",
                "--level",
                "village",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    # the file holds exactly what the database has: every village unchanged, nothing rewritten
    n = len(before)
    assert f"新增 0，更新 0，未变 {n}，跳过 0" in out
    assert area_rows(demo_store_copy) == before
    # one village renamed in the file: that one is updated (its version goes up), the rest unchanged
    gdf = gpd.read_file(tmp_path / "a.gpkg")
    code = gdf["代码"].iloc[0]
    gdf.loc[0, "名称"] = "改名村"
    gdf.to_file(tmp_path / "b.gpkg", driver="GPKG")
    assert run(["import", "areas", str(tmp_path / "b.gpkg"), "--db", db, "--code-field", "代码",
                "--name-field", "名称", "--level", "village"]) == 0  # fmt: skip
    assert f"新增 0，更新 1，未变 {n - 1}，跳过 0" in capsys.readouterr().out
    after = area_rows(demo_store_copy)
    name, version, boundary = before[code]
    assert after[code] == ("改名村", version + 1, boundary)
    assert {k: v for k, v in after.items() if k != code} == {k: v for k, v in before.items() if k != code}


def area_rows(store) -> dict:
    """Village code -> (name, version, boundary WKB), read from the database."""
    from sqlalchemy import select

    from gisplanner.store.model import Area

    with store.session() as s:
        rows = s.execute(
            select(Area.code, Area.name, Area.version, Area.boundary).where(Area.level == "village")
        )
        return {code: (name, version, bytes(wkb)) for code, name, version, wkb in rows}


def test_export_registry_takes_new_kinds(tmp_path, capsys):
    """Another module (e.g. cli/export_webmap.py) adds `export webmap` through the registry."""
    from gisplanner.cli import exporter

    seen = {}

    def configure(p):
        p.add_argument("--round")

    def run_it(args):
        seen.update(out=args.out, round=args.round, db=args.db)
        return 0

    exporter.add_exporter("dummykind", "测试用", configure, run_it)
    try:
        assert (
            run(
                ["export", "dummykind", "--out", str(tmp_path / "x.html"), "--round", "3", "--db", "x.sqlite"]
            )
            == 0
        )
        assert seen == {"out": str(tmp_path / "x.html"), "round": "3", "db": "x.sqlite"}
    finally:
        exporter.EXPORTERS.pop("dummykind")
