"""Importing area boundaries (村/社区, 镇, …) from GeoJSON, Shapefile or GeoPackage.

Any CRS is reprojected to WGS84 (a Shapefile's .prj, a GeoPackage's SRS; a file without one
needs `crs=`). The attribute encoding comes from the Shapefile's .cpg; without one a DBF that
is not UTF-8 is read as GBK, the usual case for offices. Invalid polygons are repaired with
shapely's make_valid and every repair is reported. Areas are upserted by code in one
transaction; the parent is a parent-code column or, failing that, the existing area one level
up that contains the polygon. Office points (村委会) come from a point layer when given,
else the polygon's interior point.

Length: reading, reprojecting, repairing and upserting boundaries share the per-feature report a
user sees.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import bindparam, select

from gisplanner.io.crs import CrsError, in_china, is_degrees, parse_crs, to_wgs84
from gisplanner.progress import IMPORT_CANCELLED, Progress, check
from gisplanner.store.area_tree import AreaTreeError, check_level_change, check_tree
from gisplanner.store.database import Store
from gisplanner.store.model import AREA_LEVEL_ZH, Area
from gisplanner.textclean import clean_text

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


OUTSIDE_MARK = "将不在任何村/社区内"  # in the message of an import refused for targets left outside


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
    dry_run: bool = False
    targets_outside: int = 0  # targets in no village after the import
    targets_newly_outside: int = 0  # … of which were inside one before it
    outside_examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "targets_outside": self.targets_outside,
            "targets_newly_outside": self.targets_newly_outside,
            "outside_examples": self.outside_examples,
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


def layer_columns(path: str | Path, layer: str | None = None) -> tuple[list[str], bool]:
    """(attribute columns, whether the layer declares a CRS), without reading the geometries."""
    import pyogrio

    path = Path(path)
    try:
        info = pyogrio.read_info(path, layer=layer)
    except Exception as exc:  # noqa: BLE001
        raise BoundaryError(f"无法读取文件“{path.name}”：{exc}") from exc
    return [str(c) for c in info["fields"]], bool(info.get("crs"))


def read_layer(path: str | Path, layer: str | None = None, crs: str | int | None = None) -> gpd.GeoDataFrame:
    """One layer in WGS84. Shapefile attributes: .cpg if present, else UTF-8 or GBK.

    `crs` (wgs84 / cgcs2000 / gcj02 / bd09 / EPSG:n) is the system the file's coordinates are
    in: it overrides whatever the file declares (a GeoJSON always claims WGS84, also when its
    numbers are Gaode's GCJ-02). Without it the file's own CRS is used; a file without one is
    refused with a message naming it. Planar metres read as degrees are refused too.
    """
    path = Path(path)
    if not path.exists():
        raise BoundaryError(f"无法读取文件“{path.name}”：文件不存在")
    try:
        crs = parse_crs(crs)
    except CrsError as exc:
        raise BoundaryError(str(exc)) from exc
    kwargs = {}
    if path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists():
        kwargs["encoding"] = _dbf_encoding(path.with_suffix(".dbf"))
    try:
        gdf = gpd.read_file(path, layer=layer, **kwargs)
    except Exception as exc:  # noqa: BLE001
        raise BoundaryError(f"无法读取文件“{path.name}”：{exc}") from exc
    return _to_wgs84(gdf, crs, path)


def _to_wgs84(gdf: gpd.GeoDataFrame, crs: str | None, path: Path) -> gpd.GeoDataFrame:
    declared = gdf.crs
    if crs is None:
        if declared is None:
            missing = f"（缺少 {path.with_suffix('.prj').name}）" if path.suffix.lower() == ".shp" else ""
            raise BoundaryError(
                f"文件“{path.name}”没有坐标系信息{missing}，请用 --crs 指定坐标系，例如 --crs EPSG:4549"
                "（国家2000 3度带 120°E）、--crs cgcs2000、--crs gcj02（高德）或 --crs bd09（百度）"
            )
        source, said = declared, f"文件声明的坐标系 {declared.to_string()}"
    else:
        source, said = crs, f"指定的坐标系 {crs}"
    if gdf.empty:
        return gdf.set_crs("EPSG:4326", allow_override=True)
    if is_degrees(source):
        _refuse_metres_as_degrees(gdf, path, said)
    if crs in ("gcj02", "bd09"):
        if declared is not None and declared.is_projected:
            raise BoundaryError(
                f"文件“{path.name}”声明的是投影坐标系 {declared.to_string()}（单位：米），"
                f"而 --crs {crs} 是经纬度坐标；请检查 --crs"
            )

        def shift(xy: np.ndarray) -> np.ndarray:
            lon, lat = to_wgs84(xy[:, 0], xy[:, 1], crs)
            return np.column_stack([lon, lat])

        out = gdf.copy()
        out["geometry"] = shapely.transform(gdf.geometry.to_numpy(), shift)
        return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    if crs is not None:
        gdf = gdf.set_crs({"wgs84": "EPSG:4326", "cgcs2000": "EPSG:4490"}.get(crs, crs), allow_override=True)
    try:
        return gdf.to_crs("EPSG:4326")
    except Exception as exc:  # noqa: BLE001 - PROJ errors
        raise BoundaryError(f"文件“{path.name}”无法从{said}换算为 WGS84：{exc}") from exc


def _refuse_metres_as_degrees(gdf: gpd.GeoDataFrame, path: Path, said: str) -> None:
    """Degrees are claimed but the numbers are planar metres (a Gauss-Kruger file without .prj)."""
    b = gdf.geometry.bounds.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = (
            ~np.isfinite(b).all(axis=1)
            | (np.abs(b[:, [0, 2]]).max(axis=1) > 180)
            | (np.abs(b[:, [1, 3]]).max(axis=1) > 90)
        )
    bad &= gdf.geometry.notna().to_numpy()
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    x, y = float(b[i, 0]), float(b[i, 1])
    where = f"文件“{path.name}”第{i + 1}个要素（共 {int(bad.sum())} 个有此问题）"
    if not (np.isfinite(x) and np.isfinite(y)) or max(abs(x), abs(y)) > 1e8:
        raise BoundaryError(f"{where}的坐标（x={x:.6g}，y={y:.6g}）超出任何坐标系的合理范围，未导入任何区域")
    hint = "例如 --crs EPSG:4549（国家2000 3度带，中央经线 120°E）"
    if 13_000_000 <= x < 46_000_000:  # zone number prefixed to the easting
        zone = int(x // 1_000_000)
        if 25 <= zone <= 45:
            hint = f"坐标带号 {zone}，应为 --crs EPSG:{4513 + zone - 25}（国家2000 3度带，带号前缀）"
    raise BoundaryError(
        f"{where}的坐标（如 x={x:.0f}，y={y:.0f}）是以米为单位的平面坐标，"
        f"而{said}是经纬度；请用 --crs 指定文件真正的坐标系，{hint}"
    )


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
    return clean_text(v)


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
    code_value: str | None = None,
    name_value: str | None = None,
) -> BoundaryPreview:
    """Read, reproject, repair and map the polygons of a boundary file; nothing is written.

    `code_value` / `name_value` give the code and name of a single-feature file that has no such
    columns (the public district outlines are bare geometries). Geometry that cannot be a real
    area (outside China, implausibly small or large for its level) raises BoundaryError.
    """
    path = Path(path)
    if code_value is not None and code_field:
        raise BoundaryError("--code 与 --code-field 只能用其中一个")
    if name_value is not None and name_field:
        raise BoundaryError("--name 与 --name-field 只能用其中一个")
    code_value = _clean_value(code_value, "--code")
    name_value = _clean_value(name_value, "--name")
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
    if code_value is not None or name_value is not None:
        n_poly = int(src.geometry.notna().sum())
        if n_poly != 1:
            given = "--code" if code_value is not None else "--name"
            raise BoundaryError(
                f"{given} 只能用于只有一个要素的文件，“{path.name}”有 {n_poly} 个要素；"
                "请用 --code-field / --name-field 指定字段"
            )
    const = "\x00const"
    if code_value is not None:
        src[const + "code"] = code_value
    if name_value is not None:
        src[const + "name"] = name_value
    cf = (
        const + "code"
        if code_value is not None
        else pick_field(src.columns, CODE_FIELDS, code_field, "代码", path)
    )
    nf = (
        const + "name"
        if name_value is not None
        else pick_field(src.columns, NAME_FIELDS, name_field, "名称", path)
    )
    if cf is None or nf is None:
        cols = "、".join(str(c) for c in src.columns if c != "geometry")
        need = "代码" if cf is None else "名称"
        raise BoundaryError(
            f"文件“{path.name}”中找不到{need}字段（有：{cols or '无属性字段'}），"
            f"请用 {'--code-field' if cf is None else '--name-field'} 指定字段，"
            f"单个要素的文件也可用 {'--code' if cf is None else '--name'} 直接给出"
        )
    pf = pick_field(src.columns, PARENT_FIELDS, parent_field, "上级代码", path)
    lf = (
        pick_field(src.columns, LEVEL_FIELDS, level_field, "级别", path)
        if level_field or level is None
        else None
    )

    preview = BoundaryPreview(
        path, [], source_crs=parse_crs(crs) or raw_crs,
        code_field="" if code_value is not None else cf, name_field="" if name_value is not None else nf,
    )  # fmt: skip
    seen: dict[str, int] = {}
    insane: list[str] = []
    for i, rec in enumerate(src.to_dict("records"), start=1):
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
        bad = geometry_problem(geom, lvl)
        if bad:
            insane.append(f"{where}：{bad}")
            continue
        seen[code] = i
        parent = _text(rec.get(pf)) if pf else ""
        preview.features.append(BoundaryFeature(code, name, lvl, parent or None, geom))
    if insane:
        more = f"\n  ……另有 {len(insane) - 10} 个" if len(insane) > 10 else ""
        raise BoundaryError(
            f"文件“{path.name}”中有 {len(insane)} 个要素的几何图形不可能是真实区域，未导入任何区域"
            "（请检查坐标系 --crs 和 --level）：\n  " + "\n  ".join(insane[:10]) + more
        )
    if office_path is not None:
        _attach_offices(preview, office_path, office_layer, crs)
    return preview


# plausible area of one administrative area per level, km² (generous: western China is vast)
AREA_KM2 = {
    "village": (1e-4, 5_000.0),
    "town": (1e-3, 60_000.0),
    "district": (1e-2, 300_000.0),
    "city": (1e-1, 800_000.0),
}


def geometry_problem(geom, level: str) -> str | None:
    """Why a (WGS84) polygon cannot be an area of this level, or None when it is plausible."""
    minx, miny, maxx, maxy = geom.bounds
    if not all(np.isfinite([minx, miny, maxx, maxy])):
        return "坐标中有无效数值"
    if not (bool(in_china(minx, miny)) and bool(in_china(maxx, maxy))):
        return f"范围（经度 {minx:.6g}…{maxx:.6g}，纬度 {miny:.6g}…{maxy:.6g}）不在中国境内，坐标系可能不对"
    from pyproj import Geod

    km2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(geom)[0]) / 1e6
    lo, hi = AREA_KM2.get(level, (0.0, float("inf")))
    if km2 < lo:
        return f"面积只有 {km2 * 1e6:.3g} 平方米，作为{level_label(level)}太小（坐标系或单位可能不对）"
    if km2 > hi:
        return f"面积 {km2:,.0f} 平方公里，作为{level_label(level)}太大（级别或坐标系可能不对）"
    return None


def _clean_value(v: str | None, flag: str) -> str | None:
    if v is None:
        return None
    out = clean_text(v)
    if not out:
        raise BoundaryError(f"{flag} 的值是空的")
    return out


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


class DryRun(Exception):  # noqa: N818 - control flow: roll the dry run's transaction back
    pass


def import_boundaries(
    store: Store,
    preview: BoundaryPreview,
    progress: Progress | None = None,
    *,
    relevel: bool = False,
    allow_outside: bool = False,
    dry_run: bool = False,
) -> BoundaryResult:
    """Upsert the preview's areas by code in one transaction.

    Refused (BoundaryError, nothing written): an existing area whose level would change (unless
    `relevel`), a tree that would not be sound (cycles, a parent below its child), and villages
    that would leave targets outside every village that lie inside one today (unless
    `allow_outside`). `dry_run`: every check and count, then the transaction is rolled back.
    """
    result = BoundaryResult(
        repaired=len(preview.repairs), repairs=list(preview.repairs), problems=list(preview.problems)
    )
    result.skipped = len(preview.problems)
    result.dry_run = dry_run
    try:
        with store.engine.begin() as conn:
            has_villages = any(f.level == "village" for f in preview.features)
            before = _village_polys(conn) if has_villages else []
            _write_areas(conn, preview, result, progress, relevel)
            # a boundary from a file replaces an outline derived from the roster (import areas --from-roster)
            tbl = Area.__table__
            codes = [f.code for f in preview.features]
            conn.execute(tbl.update().where(tbl.c.code.in_(codes), tbl.c.derived).values(derived=False))
            try:
                check_tree(conn)
            except AreaTreeError as exc:
                raise BoundaryError(f"文件“{preview.path.name}”：{exc}") from exc
            if has_villages:
                _targets_check(conn, preview, result, allow_outside, before)
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    return result


def _village_polys(conn) -> list:
    a = Area.__table__
    rows = conn.execute(select(a.c.boundary).where(a.c.level == "village")).scalars().all()
    return [shapely.from_wkb(b) for b in rows if b is not None]


def _write_areas(conn, preview: BoundaryPreview, result: BoundaryResult, progress, relevel: bool) -> None:
    tbl = Area.__table__
    existing = pd.read_sql(select(tbl), conn).set_index("code")
    codes_to_id = dict(zip(existing.index, existing["id"], strict=True))
    # parents: a code in the file (this file's own areas count, inserted first by level)
    order = {"city": 0, "district": 1, "town": 2, "village": 3}
    feats = sorted(preview.features, key=lambda f: order.get(f.level, 9))
    for f in feats:
        if f.code in existing.index:
            cur = existing.loc[f.code]
            try:
                check_level_change(f.code, str(cur["name"]), str(cur["level"]), f.level, allowed=relevel)
            except AreaTreeError as exc:
                raise BoundaryError(f"文件“{preview.path.name}”：{exc}") from exc
    uppers = _Uppers(conn)
    for n, f in enumerate(feats):
        own_id = int(existing.loc[f.code, "id"]) if f.code in existing.index else None
        parent_id = _parent_id(uppers, f, codes_to_id, own_id)
        if parent_id is None and own_id is not None and not pd.isna(existing.loc[f.code, "parent_id"]):
            parent_id = int(existing.loc[f.code, "parent_id"])  # keep the parent nothing contradicts
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
                uppers.replace(f.level, int(cur["id"]), f.geometry)
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
        check(progress, (n + 1) / max(1, len(feats)), f"区域 {n + 1}/{len(feats)}", IMPORT_CANCELLED)


MAX_LISTED_TARGETS = 10


def _targets_check(
    conn, preview: BoundaryPreview, result: BoundaryResult, allow_outside: bool, before
) -> None:
    """Targets that lie in a village before the import but in none after it (both read inside the
    import's transaction: `before` ahead of its writes, `after` with them)."""
    from gisplanner.store.model import Target

    t = Target.__table__
    rows = conn.execute(select(t.c.id, t.c.name, t.c.lon, t.c.lat, t.c.area_id)).all()
    if not rows:
        return
    ids = np.array([r[0] for r in rows])
    pts = shapely.points(np.array([r[2] for r in rows], float), np.array([r[3] for r in rows], float))
    after = _village_polys(conn)
    inside_after = _inside_any(pts, after)
    inside_before = _inside_any(pts, before) if before else np.zeros(len(pts), bool)
    lost = inside_before & ~inside_after
    result.targets_outside = int((~inside_after).sum())
    result.targets_newly_outside = int(lost.sum())
    if lost.any():
        names = [f"{rows[i][1]}（编号 {ids[i]}）" for i in np.flatnonzero(lost)[:MAX_LISTED_TARGETS]]
        result.outside_examples = names
        if not allow_outside:
            raise BoundaryError(
                f"导入“{preview.path.name}”后，{int(lost.sum())} 个走访对象（共 {len(pts)} 个）{OUTSIDE_MARK}"
                f"（例如：{'、'.join(names[:5])}）。边界可能缩小或错位，未导入任何区域；"
                "确认无误时加 --allow-outside"
            )


def _inside_any(pts: np.ndarray, polys: list) -> np.ndarray:
    inside = np.zeros(len(pts), bool)
    polys = [p for p in polys if p is not None and not p.is_empty]
    if not polys:
        return inside
    tree = shapely.STRtree(polys)
    hit = tree.query(pts, predicate="intersects")
    inside[np.unique(hit[0])] = True
    return inside


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

    def replace(self, level: str, area_id: int, geom) -> None:
        for lst in self.by_level.values():
            lst[:] = [(i, g) for i, g in lst if i != area_id]
        self.add(level, area_id, geom)


def _parent_id(
    uppers: _Uppers, f: BoundaryFeature, codes_to_id: dict, own_id: int | None = None
) -> int | None:
    """The parent: a parent code, else the area one level up containing the polygon, else (12-digit
    codes) the code's town. Never the area itself."""
    if f.parent_code and f.parent_code in codes_to_id:
        pid = int(codes_to_id[f.parent_code])
        if pid == own_id:
            raise BoundaryError(f"区域 {f.code}（{f.name}）的上级代码是它自己")
        return pid
    up = PARENT_LEVEL.get(f.level)
    if up is None:
        return None
    pt = f.geometry.representative_point()
    for rid, geom in uppers.get(up):
        if rid != own_id and geom.contains(pt):
            return rid
    # 12-digit codes: a village's town is its first 9 digits + 000
    if len(f.code) == 12 and f.code.isdigit() and up == "town":
        guess = f.code[:9] + "000"
        if guess in codes_to_id and guess != f.code:
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
