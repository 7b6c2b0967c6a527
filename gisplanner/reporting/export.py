"""Exports: targets with their latest outcome and open problems to .xlsx (the office's own
reporting), areas with coverage to GeoPackage or GeoJSON.

Phone numbers are masked (138****5678) unless `unmasked=True`; the caller (CLI flag, UI
confirmation) decides. Every file is written to a temporary name and renamed when complete.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from gisplanner.codes import mask_phone
from gisplanner.io.atomic import atomic_path
from gisplanner.progress import EXPORT_CANCELLED, Progress, check, finish
from gisplanner.store.database import Store
from gisplanner.store.model import (
    AREA_LEVEL_ZH,
    CLOSED_STATUSES,
    HANDLING_ZH,
    HOUSEHOLD_TAGS,
    OUTCOME_ZH,
    PROBLEM_CATEGORIES,
    PROBLEM_STATUS_ZH,
    TARGET_KIND_ZH,
)

AREA_FORMATS = {".gpkg": "GPKG", ".geojson": "GeoJSON", ".json": "GeoJSON"}


class ExportError(ValueError):
    pass


# -- targets → xlsx -----------------------------------------------------------------------------

TARGET_SHEET_COLUMNS = [
    ("kind", "类型"), ("ext_id", "编号"), ("name", "名称/户主"), ("area", "所属村/社区"),
    ("address", "地址"), ("building", "门牌/楼栋"), ("unit_no", "单元/室"), ("phone", "联系电话"),
    ("lon", "经度"), ("lat", "纬度"), ("members", "家庭人口"), ("tags", "标签"),
    ("credit_code", "统一社会信用代码"), ("industry", "行业"), ("key_enterprise", "重点企业"),
    ("title", "身份/职务"), ("last_visit", "最近走访时间"), ("last_outcome", "最近走访结果"),
    ("open_problems", "未办结问题数"),
]  # fmt: skip


def targets_table(store: Store, *, unmasked: bool = False, kinds: list[str] | None = None) -> pd.DataFrame:
    """The 走访对象 sheet as a DataFrame with Chinese headers."""
    df = store.targets_frame(kinds=kinds)
    areas = store.read_frame("SELECT id, name FROM area").set_index("id")["name"]
    out = pd.DataFrame(index=df.index)
    out["kind"] = df["kind"].map(TARGET_KIND_ZH).fillna(df["kind"])
    out["ext_id"] = df["ext_id"]
    out["name"] = df["name"]
    out["area"] = df["area_id"].map(areas)
    for c in ("address", "building", "unit_no", "credit_code", "industry", "title"):
        out[c] = df[c]
    phones = df["phone"].astype(object).where(df["phone"].notna(), None)
    out["phone"] = phones if unmasked else phones.map(lambda p: mask_phone(p) or None)
    out["lon"] = df["lon"].round(7)
    out["lat"] = df["lat"].round(7)
    out["members"] = df["members"].astype("Int64")
    tag_cols = list(HOUSEHOLD_TAGS)
    flags = df[tag_cols].fillna(False).astype(bool).to_numpy()
    labels = np.array(list(HOUSEHOLD_TAGS.values()))
    out["tags"] = ["、".join(labels[row]) or None for row in flags]
    out["key_enterprise"] = np.where(df["key_enterprise"].fillna(False).astype(bool), "是", None)
    out["last_visit"] = pd.to_datetime(df.get("last_visit")).dt.strftime("%Y-%m-%d %H:%M")
    out["last_outcome"] = df.get("last_outcome").map(OUTCOME_ZH)
    out["open_problems"] = df["open_problems"].astype(int)
    return out.rename(columns=dict(TARGET_SHEET_COLUMNS))[[zh for _, zh in TARGET_SHEET_COLUMNS]]


def open_problems_table(store: Store, kinds: list[str] | None = None) -> pd.DataFrame:
    """The 未办结问题 sheet: every problem not yet closed, with its target."""
    closed = ", ".join(f"'{s}'" for s in CLOSED_STATUSES)
    kinds = [k for k in kinds or [] if k in TARGET_KIND_ZH]  # known names only: they go into the SQL
    only = f" AND t.kind IN ({', '.join(repr(k) for k in kinds)})" if kinds else ""
    df = store.read_frame(
        "SELECT t.ext_id, t.name, a.name AS area, p.category, p.description, p.status, p.handling, "
        "p.deadline, p.created_at FROM problem p JOIN target t ON t.id = p.target_id "
        f"JOIN area a ON a.id = t.area_id WHERE p.status NOT IN ({closed}){only} ORDER BY p.created_at, p.id"
    )
    df["category"] = df["category"].map(PROBLEM_CATEGORIES).fillna(df["category"])
    df["status"] = df["status"].map(PROBLEM_STATUS_ZH).fillna(df["status"])
    df["handling"] = df["handling"].map(HANDLING_ZH).fillna(df["handling"])
    df["deadline"] = pd.to_datetime(df["deadline"]).dt.strftime("%Y-%m-%d")
    df["created_at"] = pd.to_datetime(df["created_at"]).dt.strftime("%Y-%m-%d")
    return df.rename(
        columns={
            "ext_id": "对象编号",
            "name": "名称/户主",
            "area": "所属村/社区",
            "category": "问题类别",
            "description": "问题描述",
            "status": "状态",
            "handling": "办理方式",
            "deadline": "办理期限",
            "created_at": "登记日期",
        }  # fmt: skip
    )


def export_targets_xlsx(
    store: Store,
    out: str | Path,
    *,
    unmasked: bool = False,
    kinds: list[str] | None = None,
    progress: Progress | None = None,
) -> dict:
    """Write 走访对象 and 未办结问题 sheets; returns row counts."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise ExportError(f"走访对象只能导出为 .xlsx（得到“{out.name}”）")
    if unmasked:  # full phone numbers: 负责人 / 管理员 only (gisplanner.access.roles), refused before reading
        from gisplanner.access.roles import require

        require(store, "export.unmasked")
    check(progress, 0.0, "读取走访对象", EXPORT_CANCELLED)
    targets = targets_table(store, unmasked=unmasked, kinds=kinds)
    problems = open_problems_table(store, kinds)
    check(progress, 0.2, "写入表格", EXPORT_CANCELLED)
    with atomic_path(out) as tmp:
        _write_sheets(tmp, [("走访对象", targets), ("未办结问题", problems)], progress)
        check(progress, 0.99, "保存", EXPORT_CANCELLED)
        if unmasked:  # recorded before the file is in place: no unlogged copy of every phone number
            from gisplanner.access.audit import log_disclosure

            log_disclosure(store, f"导出走访对象（电话未隐藏）→ {out.name}", len(targets))
    finish(progress)  # the file is in place: too late to cancel
    return {"targets": len(targets), "open_problems": len(problems), "unmasked": unmasked, "path": str(out)}


def _write_sheets(path: Path, sheets: list[tuple[str, pd.DataFrame]], progress: Progress | None) -> None:
    from gisplanner.io.xlsx_writer import write_xlsx

    total = sum(len(df) for _, df in sheets) or 1
    write_xlsx(
        path,
        sheets,
        on_rows=lambda n: check(
            progress, 0.2 + 0.8 * min(n, total) / total, f"已写入 {n}/{total} 行", EXPORT_CANCELLED
        ),
    )


# -- areas → GeoPackage / GeoJSON ---------------------------------------------------------------

AREA_COLUMNS = {
    "code": "代码", "name": "名称", "level_zh": "级别", "parent_code": "上级代码",
    "targets": "走访对象数", "households": "住户数", "enterprises": "企业数", "notables": "名士数",
    "visited": "已走访", "met": "已见面", "never_met": "未见面", "special_targets": "特殊群体数",
    "special_not_met": "特殊群体未见面", "problems": "问题数", "open_problems": "未办结问题",
    "overdue_problems": "超期问题", "visited_rate": "走访率", "met_rate": "见面率", "status_zh": "状态",
    "need_makeup": "需补课访", "need_priority": "需重点访", "need_return": "需回头访",
    "office_name": "村委会", "office_lon": "村委会经度", "office_lat": "村委会纬度",
}  # fmt: skip


def areas_table(
    store: Store, *, round_ids: list[int] | None = None, level: str | None = None
) -> gpd.GeoDataFrame:
    """Areas with their coverage figures (gisplanner.campaign.coverage), Chinese column names, WGS84."""
    from gisplanner.campaign.coverage import STATUS_ZH, coverage

    if round_ids is None:
        round_ids = store.read_frame("SELECT id FROM round ORDER BY id")["id"].astype(int).tolist()
    cov = coverage(store, round_ids=round_ids).areas
    gdf = store.areas_gdf(level=level)
    codes = store.read_frame("SELECT id, code FROM area").set_index("id")["code"]
    gdf["parent_code"] = gdf["parent_id"].map(codes)
    gdf["level_zh"] = gdf["level"].map(AREA_LEVEL_ZH).fillna(gdf["level"])
    figures = [c for c in AREA_COLUMNS if c in cov.columns and c not in ("code", "name")]
    merged = gdf.merge(cov[figures + ["status"]], how="left", left_on="id", right_index=True)
    merged["status_zh"] = merged["status"].map(STATUS_ZH)
    for c in ("visited_rate", "met_rate"):
        merged[c] = merged[c].astype(float).round(4)
    for c in ("need_makeup", "need_priority", "need_return"):
        merged[c] = merged[c].map({True: "是", False: "否"})
    cols = [c for c in AREA_COLUMNS if c in merged.columns]
    out = merged[cols].rename(columns=AREA_COLUMNS)
    return gpd.GeoDataFrame(out, geometry=merged.geometry.to_numpy(), crs="EPSG:4326")


def export_areas(
    store: Store,
    out: str | Path,
    *,
    round_ids: list[int] | None = None,
    level: str | None = None,
    progress: Progress | None = None,
) -> dict:
    """Areas with coverage to .gpkg or .geojson (by suffix)."""
    out = Path(out)
    driver = AREA_FORMATS.get(out.suffix.lower())
    if driver is None:
        raise ExportError(f"区域只能导出为 .gpkg 或 .geojson（得到“{out.name}”）")
    check(progress, 0.0, "统计覆盖情况", EXPORT_CANCELLED)
    gdf = areas_table(store, round_ids=round_ids, level=level)
    check(progress, 0.6, "写入文件", EXPORT_CANCELLED)
    with atomic_path(out) as tmp:
        # the layer name (GeoJSON "name") is the file's, not the temporary file's
        gdf.to_file(tmp, driver=driver, engine="pyogrio", layer="areas" if driver == "GPKG" else out.stem)
        check(progress, 0.99, "保存", EXPORT_CANCELLED)
    finish(progress)
    return {"areas": len(gdf), "path": str(out), "format": driver}
