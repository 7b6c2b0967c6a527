"""Importing a road network (导入路网): OpenStreetMap extracts and line files in any CRS.

- ``.osm.pbf`` / ``.osm``: read with pyosmium (ways with a ``highway`` tag; the line is built
  from the nodes the extract holds, so a way cut at the extract's edge keeps its inner part);
  the class is the ``highway`` value, the name ``name:zh`` or ``name``. Ways closed to the
  public (``access=private|no`` without a ``foot`` permission) are left out.
- Shapefile / GeoPackage / GeoJSON lines: the name and class fields are guessed (``name``,
  名称, 道路名称 …; ``highway``, Geofabrik's ``fclass``, 道路等级, ``kind``, ``type`` …) or named.
  The coordinates are in the file's CRS; ``crs`` (wgs84 / cgcs2000 / gcj02 / bd09 / EPSG:n)
  says what they really are — required for a shapefile without .prj, and the only way to say
  "GCJ-02" (no file records that).

Two steps like the other importers: :func:`read_roads` reads and checks (nothing written),
:func:`import_roads` writes in one transaction, replacing the roads already stored unless
``append``; each road is tagged with the town that contains its midpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from gisplanner.io.crs import CRS_NAMES, to_wgs84
from gisplanner.progress import IMPORT_CANCELLED, Progress, finish, reporter
from gisplanner.routing.roadclass import normalise_kind

ROADS_GENERATION_KEY = "roads.generation"  # counted up by every import (roads.roads_version reads it)
NAME_FIELDS = (
    "name:zh",
    "name",
    "NAME",
    "Name",
    "名称",
    "道路名称",
    "路名",
    "ROADNAME",
    "road_name",
    "LUMING",
)
KIND_FIELDS = (
    "highway", "fclass", "FCLASS", "kind", "KIND", "class", "CLASS", "type", "TYPE", "道路等级",
    "等级", "道路类型", "类型", "LEVEL", "level",
)  # fmt: skip
OPEN_FOOT = ("yes", "designated", "permissive")


class RoadImportError(ValueError):
    """The file cannot be imported as roads (message in Chinese, names the file and field)."""


@dataclass
class RoadPreview:
    path: Path
    frame: pd.DataFrame  # name, kind, geometry (shapely LineString, WGS84)
    source_crs: str
    name_field: str | None = None
    kind_field: str | None = None
    skipped: int = 0  # features that are not lines, or ways without two located nodes
    source: str = "file"  # 'osm': ways meet at shared nodes only (see RoadGraph.from_polylines)
    notes: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> dict[str, int]:
        return {str(k): int(v) for k, v in self.frame["kind"].value_counts().items()}

    def as_dict(self) -> dict:
        return {
            "file": str(self.path), "roads": int(len(self.frame)), "source_crs": self.source_crs,
            "name_field": self.name_field, "kind_field": self.kind_field, "skipped": self.skipped,
            "kinds": self.kinds,
        }  # fmt: skip


def _is_osm(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz"))


def read_roads(
    path: str | Path,
    *,
    crs: str | int | None = None,
    layer: str | None = None,
    name_field: str | None = None,
    kind_field: str | None = None,
) -> RoadPreview:
    """Read the roads of a file (WGS84 lines with name and class); raises RoadImportError."""
    path = Path(path)
    if not path.exists():
        raise RoadImportError(f"找不到文件“{path}”")
    if _is_osm(path):
        preview = _read_osm(path)
        if crs is not None and _crs_name(crs) != "wgs84":
            raise RoadImportError(
                f"“{path.name}”是 OpenStreetMap 数据，坐标固定为 WGS84，不能指定 --crs {crs}"
            )
    else:
        preview = _read_lines(path, crs, layer, name_field, kind_field)
    if preview.frame.empty:
        raise RoadImportError(f"“{path.name}”中没有道路（线要素）")
    return preview


def _crs_name(crs) -> str:
    return str(crs).strip().lower().replace("-", "").replace("_", "")


def _read_osm(path: Path) -> RoadPreview:
    import osmium

    fp = (
        osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    names, kinds, geoms = [], [], []
    skipped = closed = 0
    try:
        for w in fp:
            tags = w.tags
            access = tags.get("access", "")
            if access in ("private", "no") and tags.get("foot", "") not in OPEN_FOOT:
                closed += 1
                continue
            # runs of located nodes (an extract cut at its edge lacks the outer nodes)
            runs, run = [], []
            for n in w.nodes:
                loc = n.location
                if loc.valid():
                    run.append((loc.lon, loc.lat))
                else:
                    if len(run) >= 2:
                        runs.append(run)
                    run = []
            if len(run) >= 2:
                runs.append(run)
            if not runs:
                skipped += 1
                continue
            name = tags.get("name:zh") or tags.get("name")
            kind = normalise_kind(tags.get("highway"))
            for r in runs:
                names.append(name)
                kinds.append(kind)
                geoms.append(r)
    except RuntimeError as e:  # osmium: not an OSM file, truncated …
        raise RoadImportError(f"无法读取 OpenStreetMap 文件“{path.name}”：{e}") from e
    frame = pd.DataFrame({"name": names, "kind": kinds, "geometry": [shapely.LineString(g) for g in geoms]})
    notes = [f"{closed} 条不对外开放的道路（access=private/no）未导入"] if closed else []
    return RoadPreview(
        path,
        frame,
        "EPSG:4326 (OpenStreetMap)",
        "name",
        "highway",
        skipped=skipped,
        notes=notes,
        source="osm",
    )


def _pick(columns, wanted: str | None, guesses, what: str, path: Path) -> str | None:
    if wanted is not None:
        if wanted not in columns:
            raise RoadImportError(
                f"“{path.name}”中没有字段“{wanted}”（{what}）；可用字段：{'、'.join(columns)}"
            )
        return wanted
    lower = {str(c).lower(): c for c in columns}
    for g in guesses:
        if g in columns:
            return g
        if g.lower() in lower:
            return lower[g.lower()]
    return None


def _read_lines(path: Path, crs, layer, name_field, kind_field) -> RoadPreview:
    import geopandas as gpd

    try:
        try:
            gdf = gpd.read_file(path, layer=layer)
        except UnicodeDecodeError:  # a DBF in GBK without .cpg (Chinese-Windows GIS)
            gdf = gpd.read_file(path, layer=layer, encoding="GBK")
    except Exception as e:  # noqa: BLE001 - pyogrio/GDAL raise many kinds
        raise RoadImportError(f"无法读取“{path.name}”：{e}") from e
    cols = [c for c in gdf.columns if c != "geometry"]
    nf = _pick(cols, name_field, NAME_FIELDS, "道路名称", path)
    kf = _pick(cols, kind_field, KIND_FIELDS, "道路等级", path)
    if crs is not None:
        src = crs
        label = str(crs)
    elif gdf.crs is not None:
        src = gdf.crs.to_wkt()
        label = gdf.crs.to_string()
    else:
        raise RoadImportError(
            f"“{path.name}”没有坐标系信息（缺少 .prj）：请用 --crs 指明坐标系，"
            "例如 --crs EPSG:4549（CGCS2000 3度带）、--crs gcj02（高德）或 --crs wgs84"
        )
    conv = _crs_name(src) if _crs_name(src) in CRS_NAMES else src
    geoms = gdf.geometry.to_numpy()
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    ok &= np.isin(shapely.get_type_id(geoms), (1, 2, 5))  # LineString, LinearRing, MultiLineString
    skipped = int((~ok).sum())
    parts, index = shapely.get_parts(geoms[ok], return_index=True)
    rows = np.flatnonzero(ok)[index]
    coords = shapely.get_coordinates(parts)
    if len(coords):
        lon, lat = to_wgs84(coords[:, 0], coords[:, 1], conv)
        if not (np.all(np.isfinite(lon)) and np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)):
            raise RoadImportError(
                f"“{path.name}”的坐标按 {label} 换算后不是经纬度：请检查 --crs（例如高斯-克吕格投影应为 EPSG:4549）"
            )
        parts = shapely.set_coordinates(parts.copy(), np.column_stack([lon, lat]))
    keep = shapely.get_num_coordinates(parts) >= 2
    skipped += int((~keep).sum())
    parts, rows = parts[keep], rows[keep]
    names = gdf[nf].to_numpy()[rows] if nf else np.full(len(rows), None, dtype=object)
    kinds = [normalise_kind(k) for k in gdf[kf].to_numpy()[rows]] if kf else ["road"] * len(rows)
    names = [None if (n is None or (isinstance(n, float) and n != n) or str(n).strip() == "") else str(n)[:100]
             for n in names]  # fmt: skip
    frame = pd.DataFrame({"name": names, "kind": kinds, "geometry": list(parts)})
    notes = [] if kf else [f"“{path.name}”中没有道路等级字段：全部按普通道路（步行、电动车均可）导入"]
    return RoadPreview(path, frame, label, nf, kf, skipped=skipped, notes=notes)


def import_roads(
    store, preview: RoadPreview, *, append: bool = False, progress: Progress | None = None
) -> dict:
    """Write the roads in one transaction (replacing the stored ones unless ``append``)."""
    from sqlalchemy import delete, select

    from gisplanner.store.model import Area, Road, Setting

    report = reporter(progress, IMPORT_CANCELLED)
    frame = preview.frame
    geoms = np.asarray(frame["geometry"].to_list(), dtype=object)
    mid = shapely.line_interpolate_point(geoms, 0.5, normalized=True)
    town_ids = np.full(len(frame), -1, dtype=np.int64)
    with store.engine.connect() as conn:
        towns = conn.execute(select(Area.id, Area.boundary).where(Area.level == "town")).all()
    for tid, wkb in towns:
        if wkb is None:
            continue
        poly = shapely.from_wkb(wkb)
        shapely.prepare(poly)
        hit = (town_ids < 0) & shapely.intersects(poly, mid)
        town_ids[hit] = tid
    wkbs = shapely.to_wkb(geoms)
    report(0.05, "写入道路")
    deleted = 0
    with store.engine.begin() as conn:
        if not append:
            deleted = conn.execute(delete(Road)).rowcount or 0
        chunk = 20_000
        names = [n if isinstance(n, str) else None for n in frame["name"].to_list()]
        kinds = frame["kind"].to_list()
        for start in range(0, len(frame), chunk):
            stop = min(len(frame), start + chunk)
            rows = [
                {"name": names[i], "kind": kinds[i], "geometry": wkbs[i], "source": preview.source,
                 "area_id": int(town_ids[i]) if town_ids[i] >= 0 else None}
                for i in range(start, stop)
            ]  # fmt: skip
            conn.execute(Road.__table__.insert(), rows)
            report(0.05 + 0.9 * stop / len(frame), f"已写入 {stop}/{len(frame)}")
        # a new generation of roads: cached road graphs (roads.road_graph, in any process) are old
        key = ROADS_GENERATION_KEY
        generation = int(conn.scalar(select(Setting.value).where(Setting.key == key)) or 0) + 1
        conn.execute(delete(Setting).where(Setting.key == key))
        conn.execute(Setting.__table__.insert(), [{"key": key, "value": str(generation)}])
    finish(progress)
    return {"inserted": int(len(frame)), "replaced": int(deleted), "in_town": int((town_ids >= 0).sum())}
