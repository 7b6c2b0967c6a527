"""Write a database's town as importable files under maps/demo/ — what an office's files look like.

Made from the demo town by ``python -m gisplanner.demo_file [--out maps/demo] [--households 8000]
[--seed 1]`` (which builds the demo: this module only reads a store, so io never imports the demo).

Files (all importable with `import …` or the import wizard, in this order):
- town.geojson — the town outline (level town), WGS84
- villages.gpkg — villages/communities (layer `villages`) and their offices (layer `offices`)
- villages.geojson — the same villages as GeoJSON (WGS84)
- villages_4549.shp (+ .shx .dbf .prj .cpg) — the same in CGCS2000 / 3-degree GK CM 120E
- households.xlsx — the household roster with yes/no tag columns
- households_gbk.csv — a sample of households saved as GBK CSV with Gaode (GCJ-02)
  coordinates and a tag column, as exported from a Chinese-Windows Excel
- enterprises.xlsx, notables.xlsx, cadres.xlsx
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gisplanner.io import crs
from gisplanner.io.xlsx_writer import write_xlsx
from gisplanner.store.model import HOUSEHOLD_TAGS, SESSION_KIND_ZH
from gisplanner.store.vocab import SessionKind, TargetKind

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "maps" / "demo"
GBK_SAMPLE = 400


def _yes(s: pd.Series) -> pd.Series:
    return s.fillna(False).astype(bool).map({True: "是", False: ""})


def write_files(store, out: Path, *, gbk_sample: int = GBK_SAMPLE) -> dict[str, int]:
    """Write every demo file from `store` (a demo database) into `out`; returns row counts."""
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    areas = store.areas_gdf()
    codes = areas.set_index("id")["code"]
    names = areas.set_index("id")["name"]

    town = areas[areas["level"] == "town"][["code", "name", "geometry"]]
    _replace(out / "town.geojson", lambda p: town.to_file(p, driver="GeoJSON", layer="town"))
    counts["towns"] = len(town)

    v = areas[areas["level"] == "village"].copy()
    villages = gpd.GeoDataFrame(
        {"code": v["code"], "name": v["name"], "parent_code": v["parent_id"].map(codes)},
        geometry=v.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    offices = gpd.GeoDataFrame(
        {"code": v["code"], "name": v["office_name"]},
        geometry=gpd.points_from_xy(v["office_lon"], v["office_lat"]),
        crs="EPSG:4326",
    )

    def gpkg(p):
        villages.to_file(p, layer="villages", driver="GPKG")
        offices.to_file(p, layer="offices", driver="GPKG")

    _replace(out / "villages.gpkg", gpkg)
    _replace(out / "villages.geojson", lambda p: villages.to_file(p, driver="GeoJSON", layer="villages"))
    # the land office's style: Gauss-Kruger metres, upper-case field names, GBK attributes
    gk = villages.rename(columns={"code": "XZQDM", "name": "XZQMC", "parent_code": "SJDM"}).to_crs(4549)
    for old in out.glob("villages_4549.*"):
        old.unlink()
    gk.to_file(out / "villages_4549.shp", encoding="GBK")
    counts["villages"] = len(villages)

    tf = store.targets_frame()
    hh = tf[tf["kind"] == TargetKind.HOUSEHOLD]
    households = pd.DataFrame(
        {
            "户编号": hh["ext_id"],
            "户主姓名": hh["name"],
            "联系电话": hh["phone"],
            "所属村/社区": hh["area_id"].map(names),
            "详细地址": hh["address"],
            "楼栋": hh["building"],
            "单元": hh["unit_no"],
            "家庭人口": hh["members"].astype("Int64"),
            "经度": hh["lon"].round(7),
            "纬度": hh["lat"].round(7),
            **{zh: _yes(hh[col]) for col, zh in HOUSEHOLD_TAGS.items()},
        }
    )
    _replace(out / "households.xlsx", lambda p: write_xlsx(p, [("户籍名册", households)]))
    counts["households"] = len(households)

    sample = hh.iloc[:: max(1, len(hh) // gbk_sample)].head(gbk_sample)
    glon, glat = crs.wgs84_to_gcj02(sample["lon"].to_numpy(), sample["lat"].to_numpy())
    flags = sample[list(HOUSEHOLD_TAGS)].fillna(False).astype(bool).to_numpy()
    labels = np.array(list(HOUSEHOLD_TAGS.values()))
    gbk = pd.DataFrame(
        {
            "户号": sample["ext_id"],
            "户主": sample["name"],
            "手机号码": sample["phone"],
            "家庭住址": sample["address"],
            "经度（高德）": np.round(glon, 7),
            "纬度（高德）": np.round(glat, 7),
            "家庭人口数": sample["members"].astype("Int64"),
            "标签": ["、".join(labels[row]) for row in flags],
        }
    )
    _replace(out / "households_gbk.csv", lambda p: gbk.to_csv(p, index=False, encoding="gbk"))
    counts["households_gbk"] = len(gbk)

    ent = tf[tf["kind"] == TargetKind.ENTERPRISE]
    contacts = store.read_frame("SELECT id, contact FROM target WHERE kind = 'enterprise'").set_index("id")[
        "contact"
    ]
    enterprises = pd.DataFrame(
        {
            "企业名称": ent["name"],
            "统一社会信用代码": ent["credit_code"],
            "联系人": ent["id"].map(contacts),
            "联系电话": ent["phone"],
            "行业": ent["industry"],
            "重点企业": _yes(ent["key_enterprise"]),
            "地址": ent["address"],
            "经度": ent["lon"].round(7),
            "纬度": ent["lat"].round(7),
        }
    )
    _replace(out / "enterprises.xlsx", lambda p: write_xlsx(p, [("企业名册", enterprises)]))
    counts["enterprises"] = len(enterprises)

    nb = tf[tf["kind"] == TargetKind.NOTABLE]
    notables = pd.DataFrame(
        {
            "编号": nb["ext_id"],
            "姓名": nb["name"],
            "身份": nb["title"],
            "联系电话": nb["phone"],
            "地址": nb["address"],
            "经度": nb["lon"].round(7),
            "纬度": nb["lat"].round(7),
        }
    )
    _replace(out / "notables.xlsx", lambda p: write_xlsx(p, [("名士名册", notables)]))
    counts["notables"] = len(notables)

    cad = store.read_frame(
        "SELECT c.ext_id, c.name, c.gender, c.birth_year, c.is_local, c.dialects, u.name AS unit, "
        "c.is_leader, c.phone, c.avail_kinds, h.name AS home FROM cadre c "
        "LEFT JOIN unit u ON u.id = c.unit_id LEFT JOIN area h ON h.id = c.home_area_id ORDER BY c.id"
    )
    leave = store.read_frame(
        "SELECT c.ext_id, l.start_date, l.end_date FROM cadre_leave l JOIN cadre c ON c.id = l.cadre_id"
    )
    leave_text = (
        leave.assign(t=leave["start_date"].astype(str) + "至" + leave["end_date"].astype(str))
        .groupby("ext_id")["t"]
        .agg("；".join)
    )
    kinds_zh = {**SESSION_KIND_ZH, SessionKind.WEEKEND: "周末"}  # the roster file's own wording
    cadres = pd.DataFrame(
        {
            "编号": cad["ext_id"],
            "姓名": cad["name"],
            "性别": cad["gender"].map({"M": "男", "F": "女"}),
            "出生年月": cad["birth_year"].astype(int).astype(str) + ".01",
            "是否本地": cad["is_local"].astype(bool).map({True: "是", False: "否"}),
            "方言": cad["dialects"].fillna("").str.replace(",", "、"),
            "单位": cad["unit"],
            "是否队长": cad["is_leader"].astype(bool).map({True: "是", False: "否"}),
            "联系电话": cad["phone"],
            "工作日晚上可走访": cad["avail_kinds"].str.contains("evening").map({True: "是", False: "否"}),
            "周末可走访": cad["avail_kinds"].str.contains("weekend").map({True: "是", False: "否"}),
            "可走访时段": cad["avail_kinds"].map(lambda k: "、".join(kinds_zh[x] for x in k.split(","))),
            "请假日期": cad["ext_id"].map(leave_text).fillna(""),
            "所在村": cad["home"].fillna(""),
        }
    )
    _replace(out / "cadres.xlsx", lambda p: write_xlsx(p, [("干部名册", cadres)]))
    counts["cadres"] = len(cadres)
    return counts


def _replace(dest: Path, write) -> None:
    """Write through a temporary file so a half-written sample never sits in maps/demo."""
    from gisplanner.io.atomic import atomic_path

    with atomic_path(dest) as tmp:
        write(tmp)
