"""Importing area boundaries (村/社区, 镇, …) from GeoJSON, Shapefile or GeoPackage.

Any CRS is reprojected to WGS84 (a Shapefile's .prj, a GeoPackage's SRS; a file without one
needs `crs=`). The attribute encoding comes from the Shapefile's .cpg; without one a DBF that
is not UTF-8 is read as GBK, the usual case for offices. Invalid polygons are repaired with
shapely's make_valid and every repair is reported. Areas are upserted by code in one
transaction; the parent is a parent-code column or, failing that, the existing area one level
up that contains the polygon. Office points (村委会) come from a point layer when given,
else the polygon's interior point.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import bindparam, select

from gisplanner.model import AREA_LEVEL_ZH, Area
from gisplanner.store import Store

Progress = Callable[[float, str], bool] | None
PARENT_LEVEL = {"village": "town", "town": "district", "district": "city", "city": None}
LEVEL_WORDS = {
    "市": "city", "city": "city", "区": "district", "县": "district", "辖市/区": "district", "district": "district",
    "镇": "town", "街道": "town", "乡": "town", "镇/街道": "town", "town": "town",
    "村": "village", "社区": "village", "村/社区": "village", "village": "village",
}  # fmt: skip
CODE_FIELDS = (
    "code",
    "区划代码",
    "统计用区划代码",
    "村代码",
    "村社区代码",
    "xzqdm",
    "adcode",
    "areacode",
    "dm",
    "编码",
    "代码",
)
NAME_FIELDS = (
    "name",
    "名称",
    "村名",
    "村社区名称",
    "村社区",
    "xzqmc",
    "mc",
    "area_name",
    "村名称",
    "社区名称",
)
PARENT_FIELDS = ("parent_code", "parent", "上级代码", "上级区划代码", "所属镇代码", "pcode", "sjdm")
LEVEL_FIELDS = ("level", "级别", "层级", "类型")
OFFICE_NAME_FIELDS = ("office_name", "村委会", "办公地点", "名称", "name")


class BoundaryError(ValueError):
    """The boundary file cannot be used (unreadable, no CRS, no code/name column). Names the file."""


@dataclass
class BoundaryFeature:
    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: object  # shapely (Multi)Polygon, WGS84
    office: tuple[float, float] | None = None
    office_name: str | None = None


@dataclass
class BoundaryPreview:
    path: Path
    features: list[BoundaryFeature]
    repairs: list[str] = field(default_factory=list)  # “第3个要素（潘家村）：…已修复”
    problems: list[str] = field(default_factory=list)  # features skipped, with the reason
    source_crs: str = ""
    code_field: str = ""
    name_field: str = ""


@dataclass
class BoundaryResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    repaired: int = 0
    repairs: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "repaired": self.repaired,
            "repairs": self.repairs,
            "problems": self.problems,
        }


def _norm(s: str) -> str:
    return unicodedata.normalize("NFKC", str(s)).strip().lower().replace(" ", "").replace("_", "")


def pick_field(columns, wanted: tuple[str, ...], given: str | None, what: str, path: Path) -> str | None:
    """The column for `what`: the one given (must exist), else the first known variant present."""
    cols = [c for c in columns if c != "geometry"]
    if given:
        if given in cols:
            return given
        raise BoundaryError(f"文件“{path.name}”中没有字段“{given}”（有：{'、'.join(map(str, cols))}）")
    by_norm = {_norm(c): c for c in cols}
    for w in wanted:
        if _norm(w) in by_norm:
            return by_norm[_norm(w)]
    return None


def list_layers(path: str | Path) -> list[tuple[str, str]]:
    """(layer name, geometry type) of every layer in the file."""
    import pyogrio

    try:
        return [(str(n), str(t)) for n, t in pyogrio.list_layers(path)]
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds
        raise BoundaryError(f"无法读取文件“{Path(path).name}”：{exc}") from exc


def read_layer(path: str | Path, layer: str | None = None, crs: str | int | None = None) -> gpd.GeoDataFrame:
    """One layer in WGS84. Shapefile attributes: .cpg if present, else UTF-8 or GBK."""
    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"无法读取文件“{path.name}”：文件不存在")
    kwargs = {}
    if path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists():
        kwargs["encoding"] = _dbf_encoding(path.with_suffix(".dbf"))
    try:
        gdf = gpd.read_file(path, layer=layer, **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise BoundaryError(f"无法读取文件“{path.name}”：{exc}") from exc
    if gdf.crs is None:
        if crs is None:
            raise BoundaryError(
                f"文件“{path.name}”没有坐标系信息（缺少 .prj？），请指定坐标系，例如 EPSG:4549"
            )
        gdf = gdf.set_crs(_crs_input(crs))
    return gdf.to_crs("EPSG:4326")


def _crs_input(crs: str | int):
    name = str(crs).lower().replace("-", "")
    return {"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}.get(name, crs)


def _dbf_encoding(dbf: Path) -> str:
    """UTF-8 when the DBF's text decodes as UTF-8, else GBK (what Chinese ArcGIS/QGIS write)."""
    try:
        data = dbf.read_bytes()
    except OSError:
        return "UTF-8"
    try:
        data.decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        return "GBK"


def _polygonal(geom):
    """The polygon parts of a geometry (make_valid may add lines or points); None if none."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return None
    return shapely.union_all(parts)


def _text(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def preview_boundaries(
    path: str | Path,
    *,
    layer: str | None = None,
    level: str | None = "village",
    code_field: str | None = None,
    name_field: str | None = None,
    parent_field: str | None = None,
    level_field: str | None = None,
    crs: str | int | None = None,
    office_path: str | Path | None = None,
    office_layer: str | None = None,
) -> BoundaryPreview:
    """Read, reproject, repair and map the polygons of a boundary file; nothing is written."""
    path = Path(path)
    layers = list_layers(path)
    if layer is None:
        polys = [n for n, t in layers if "polygon" in t.lower()]
        if not polys:
            raise BoundaryError(f"文件“{path.name}”中没有面图层（图层：{'、'.join(n for n, _ in layers)}）")
        layer = polys[0]
        if office_path is None and office_layer is None:
            points = [n for n, t in layers if "point" in t.lower()]
            if points:
                office_path, office_layer = path, points[0]
    src = read_layer(path, layer, crs)
    raw_crs = _source_crs(path, layer)
    cf = pick_field(src.columns, CODE_FIELDS, code_field, "代码", path)
    nf = pick_field(src.columns, NAME_FIELDS, name_field, "名称", path)
    if cf is None or nf is None:
        cols = "、".join(str(c) for c in src.columns if c != "geometry")
        need = "代码" if cf is None else "名称"
        raise BoundaryError(
            f"文件“{path.name}”中找不到{need}字段（有：{cols}），请用 --code-field / --name-field 指定"
        )
    pf = pick_field(src.columns, PARENT_FIELDS, parent_field, "上级代码", path)
    lf = (
        pick_field(src.columns, LEVEL_FIELDS, level_field, "级别", path)
        if level_field or level is None
        else None
    )

    preview = BoundaryPreview(path, [], source_crs=raw_crs, code_field=cf, name_field=nf)
    seen: dict[str, int] = {}
    for i, row in enumerate(src.itertuples(index=False), start=1):
        rec = row._asdict()
        code, name = _text(rec.get(cf)), _text(rec.get(nf))
        where = f"第{i}个要素（{name or code or '无名称'}）"
        geom = rec.get("geometry")
        if not code:
            preview.problems.append(f"{where}：缺少代码，已跳过")
            continue
        if not name:
            preview.problems.append(f"{where}：缺少名称，已跳过")
            continue
        if code in seen:
            preview.problems.append(f"{where}：代码“{code}”与第{seen[code]}个要素重复，已跳过")
            continue
        if geom is None or geom.is_empty:
            preview.problems.append(f"{where}：没有几何图形，已跳过")
            continue
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            geom = _polygonal(shapely.make_valid(geom))
            if geom is None or geom.is_empty:
                preview.problems.append(f"{where}：多边形无效且无法修复（{reason}），已跳过")
                continue
            preview.repairs.append(f"{where}：多边形无效（{reason}），已自动修复")
        geom = _polygonal(geom)
        if geom is None:
            preview.problems.append(f"{where}：不是面要素，已跳过")
            continue
        lvl = level or "village"
        if lf:
            lvl = LEVEL_WORDS.get(_text(rec.get(lf)).lower(), LEVEL_WORDS.get(_text(rec.get(lf)), lvl))
        seen[code] = i
        parent = _text(rec.get(pf)) if pf else ""
        preview.features.append(BoundaryFeature(code, name, lvl, parent or None, geom))
    if office_path is not None:
        _attach_offices(preview, office_path, office_layer, crs)
    return preview


def _source_crs(path: Path, layer: str | None) -> str:
    import pyogrio

    try:
        info = pyogrio.read_info(path, layer=layer)
        return str(info.get("crs") or "")
    except Exception:  # noqa: BLE001
        return ""


def _attach_offices(preview: BoundaryPreview, path, layer, crs) -> None:
    """Office points by code (a code column in the point layer), else the point inside each polygon."""
    pts = read_layer(path, layer, crs)
    pts = pts[pts.geometry.notna() & (pts.geom_type == "Point")]
    if pts.empty:
        return
    cf = pick_field(pts.columns, CODE_FIELDS, None, "代码", Path(path))
    nf = pick_field(pts.columns, OFFICE_NAME_FIELDS, None, "名称", Path(path))
    by_code = {}
    if cf:
        by_code = {
            _text(c): (g, _text(n) if nf else None)
            for c, g, n in zip(pts[cf], pts.geometry, pts[nf] if nf else [None] * len(pts), strict=True)
        }
    tree = shapely.STRtree(pts.geometry.to_numpy())
    for f in preview.features:
        hit = by_code.get(f.code)
        if hit is None:
            idx = tree.query(f.geometry, predicate="contains")
            if len(idx):
                j = int(np.min(idx))
                hit = (pts.geometry.iloc[j], _text(pts[nf].iloc[j]) if nf else None)
        if hit is not None:
            f.office = (hit[0].x, hit[0].y)
            f.office_name = hit[1] or None


def import_boundaries(store: Store, preview: BoundaryPreview, progress: Progress = None) -> BoundaryResult:
    """Upsert the preview's areas by code in one transaction."""
    result = BoundaryResult(
        repaired=len(preview.repairs), repairs=list(preview.repairs), problems=list(preview.problems)
    )
    result.skipped = len(preview.problems)
    tbl = Area.__table__
    with store.engine.begin() as conn:
        existing = pd.read_sql(select(tbl), conn).set_index("code")
        codes_to_id = dict(zip(existing.index, existing["id"], strict=True))
        # parents: a code in the file (this file's own areas count, inserted first by level)
        order = {"city": 0, "district": 1, "town": 2, "village": 3}
        feats = sorted(preview.features, key=lambda f: order.get(f.level, 9))
        uppers = _Uppers(conn)
        for n, f in enumerate(feats):
            parent_id = _parent_id(uppers, f, codes_to_id)
            wkb = shapely.to_wkb(f.geometry)
            office = f.office or _interior(f.geometry)
            values = {
                "name": f.name,
                "level": f.level,
                "parent_id": parent_id,
                "urban": f.name.endswith("社区") or f.name.endswith("街道"),
                "boundary": wkb,
            }
            if f.code in existing.index:
                cur = existing.loc[f.code]
                if f.office is not None or pd.isna(cur["office_lon"]):
                    values["office_lon"], values["office_lat"] = office
                    if f.office_name:
                        values["office_name"] = f.office_name
                if _area_same(cur, values):
                    result.unchanged += 1
                else:
                    conn.execute(
                        tbl.update()
                        .where(tbl.c.id == bindparam("_id"))
                        .values(values | {"version": tbl.c.version + 1}),
                        {"_id": int(cur["id"])},
                    )
                    result.updated += 1
            else:
                values.update(
                    code=f.code,
                    office_lon=office[0],
                    office_lat=office[1],
                    office_name=f.office_name or _office_name(f),
                    version=1,
                )
                new_id = conn.execute(tbl.insert().values(values)).inserted_primary_key[0]
                codes_to_id[f.code] = new_id
                uppers.add(f.level, new_id, f.geometry)
                result.inserted += 1
            if (
                progress is not None
                and progress((n + 1) / max(1, len(feats)), f"区域 {n + 1}/{len(feats)}") is False
            ):
                from gisplanner.io.roster_import import ImportCancelled

                raise ImportCancelled("导入已取消，数据库未作任何改动")
        # a boundary from a file replaces an outline derived from the roster (import areas --from-roster)
        conn.execute(
            tbl.update().where(tbl.c.code.in_([f.code for f in feats]), tbl.c.derived).values(derived=False)
        )
    return result


def _interior(geom) -> tuple[float, float]:
    p = geom.representative_point()  # always inside, unlike the centroid of a crescent
    return (p.x, p.y)


def _office_name(f: BoundaryFeature) -> str:
    return f.name + ("居委会" if f.name.endswith("社区") else "村委会" if f.level == "village" else "政府")


class _Uppers:
    """Areas per level with their polygons, loaded once, for finding a parent by containment."""

    def __init__(self, conn):
        self.conn = conn
        self.by_level: dict[str, list[tuple[int, object]]] = {}

    def get(self, level: str) -> list[tuple[int, object]]:
        if level not in self.by_level:
            tbl = Area.__table__
            rows = self.conn.execute(select(tbl.c.id, tbl.c.boundary).where(tbl.c.level == level)).all()
            self.by_level[level] = [(int(i), shapely.from_wkb(b)) for i, b in rows if b is not None]
        return self.by_level[level]

    def add(self, level: str, area_id: int, geom) -> None:
        if level in self.by_level:
            self.by_level[level].append((int(area_id), geom))


def _parent_id(uppers: _Uppers, f: BoundaryFeature, codes_to_id: dict) -> int | None:
    if f.parent_code and f.parent_code in codes_to_id:
        return int(codes_to_id[f.parent_code])
    up = PARENT_LEVEL.get(f.level)
    if up is None:
        return None
    pt = f.geometry.representative_point()
    for rid, geom in uppers.get(up):
        if geom.contains(pt):
            return rid
    # 12-digit codes: a village's town is its first 9 digits + 000
    if len(f.code) == 12 and f.code.isdigit() and up == "town":
        guess = f.code[:9] + "000"
        if guess in codes_to_id:
            return int(codes_to_id[guess])
    return None


def _area_same(cur: pd.Series, values: dict) -> bool:
    for k, v in values.items():
        c = cur[k]
        if k == "boundary":
            if c is None or not shapely.equals_exact(shapely.from_wkb(c), shapely.from_wkb(v), 1e-10):
                return False
        elif k in ("office_lon", "office_lat"):
            if pd.isna(c) or abs(float(c) - float(v)) > 1e-10:
                return False
        elif k == "parent_id":
            if (None if pd.isna(c) else int(c)) != v:
                return False
        elif k == "urban":
            if bool(c) != bool(v):
                return False
        elif c != v:
            return False
    return True


def level_label(level: str) -> str:
    return AREA_LEVEL_ZH.get(level, level)
