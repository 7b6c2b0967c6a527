"""Coordinate systems met on import: WGS84, CGCS2000, GCJ-02, BD-09 and Gauss-Kruger zones.

- WGS84 (EPSG:4326): GPS, the store's own system.
- CGCS2000 (EPSG:4490, 国家大地坐标系): the land offices' system; within centimetres of WGS84,
  but we still go through pyproj so a future datum shift is not our bug.
- GCJ-02 (国测局坐标, "火星坐标"): the obfuscated system of Gaode/Tencent maps. The forward
  transform WGS84 → GCJ-02 is the widely published formula (Krasovsky ellipsoid, offsets
  of a few hundred metres); there is no closed-form inverse, so GCJ-02 → WGS84 iterates the
  forward transform to well under a metre.
- BD-09 (百度坐标): Baidu's extra rotation/shift on top of GCJ-02.
- Gauss-Kruger (高斯-克吕格) 3-degree zones of CGCS2000, EPSG:4534 (CM 75°E) … EPSG:4554
  (CM 135°E) without zone prefix, EPSG:4513 … 4533 with the zone number prefixed to the easting.

All functions take and return numpy arrays (or scalars) as (lon, lat) — x first, always.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer

# Krasovsky 1940 ellipsoid used by the GCJ-02 formula.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: the names accepted on the command line and in the import wizard
CRS_NAMES = ("wgs84", "cgcs2000", "gcj02", "bd09")
CRS_NAMES_ZH = {
    "wgs84": "WGS84（GPS）",
    "cgcs2000": "CGCS2000（国家2000）",
    "gcj02": "GCJ-02（高德/腾讯）",
    "bd09": "BD-09（百度）",
}


class CrsError(ValueError):
    """A coordinate system the user named cannot be understood (message in Chinese)."""


def parse_crs(value: str | int | None) -> str | None:
    """Normalise what a user typed for a CRS: 'wgs84' | 'cgcs2000' | 'gcj02' | 'bd09' | 'EPSG:n'
    (also a bare number, 'epsg:n', or WKT). Raises CrsError for anything pyproj does not know."""
    if value is None:
        return None
    v = str(value).strip()
    if not v:
        return None
    name = v.lower().replace("-", "").replace("_", "")
    if name in CRS_NAMES:
        return name
    if v.isdigit():
        v = f"EPSG:{v}"
    try:
        crs = CRS.from_user_input(v)
    except Exception as exc:  # noqa: BLE001 - pyproj raises CRSError (and others for odd input)
        raise CrsError(
            f"无法识别的坐标系“{value}”：请用 wgs84、cgcs2000、gcj02（高德/腾讯）、bd09（百度）"
            "或 EPSG 代码（例如 EPSG:4549）"
        ) from exc
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def is_degrees(crs) -> bool:
    """Whether a CRS (one of CRS_NAMES, or anything pyproj reads) has lon/lat in degrees."""
    if crs is None:
        return False
    if str(crs) in CRS_NAMES:
        return True
    try:
        return bool(CRS.from_user_input(crs).is_geographic)
    except Exception:  # noqa: BLE001
        return False


def _arrays(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _out(x: np.ndarray, y: np.ndarray, scalar: bool):
    return (float(x), float(y)) if scalar else (x, y)


def in_china(lon, lat) -> np.ndarray:
    """The rough box where the GCJ-02 offset applies (outside it the formula leaves points alone)."""
    lon, lat = _arrays(lon, lat)
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dlon, dlat) in degrees that WGS84 → GCJ-02 adds at (lon, lat)."""
    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqm = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqm) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqm * np.cos(rad) * np.pi)
    inside = in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat):
    """WGS84 → GCJ-02 (the published forward formula)."""
    scalar = np.ndim(lon) == 0
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon, lat)
    return _out(lon + dlon, lat + dlat, scalar)


def gcj02_to_wgs84(lon, lat, *, tol_deg: float = 1e-9, max_iter: int = 30):
    """GCJ-02 → WGS84 by fixed-point iteration of the forward transform.

    The one-step inverse found in most libraries is off by 1–2 m; iterating until the forward
    transform of our answer lands on the input (tol 1e-9° ≈ 0.1 mm) gives centimetres.
    """
    scalar = np.ndim(lon) == 0
    glon, glat = _arrays(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon = wlon - elon
        wlat = wlat - elat
        if np.nanmax(np.abs(np.concatenate([np.ravel(elon), np.ravel(elat), [0.0]]))) < tol_deg:
            break
    return _out(wlon, wlat, scalar)


def gcj02_to_bd09(lon, lat):
    """GCJ-02 → BD-09 (Baidu's published rotation + shift)."""
    scalar = np.ndim(lon) == 0
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lon, lat, *, refine: bool = True):
    """BD-09 → GCJ-02: the published inverse (off by up to ~0.15 m), then refined by iterating
    the forward transform so a round trip is exact to millimetres."""
    scalar = np.ndim(lon) == 0
    blon, blat = _arrays(lon, lat)
    x = blon - 0.0065
    y = blat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    glon, glat = z * np.cos(theta), z * np.sin(theta)
    if refine:
        for _ in range(5):
            flon, flat = gcj02_to_bd09(glon, glat)
            glon, glat = glon - (flon - blon), glat - (flat - blat)
    return _out(glon, glat, scalar)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_per_thread = threading.local()


def _transformer(src: str, dst: str) -> Transformer:
    """A cached Transformer for this thread: PROJ contexts must not cross threads (the UI loads
    and imports in worker threads; a shared Transformer crashed the process there)."""
    cache = getattr(_per_thread, "transformers", None)
    if cache is None:
        cache = _per_thread.transformers = {}
    t = cache.get((src, dst))
    if t is None:
        t = cache[(src, dst)] = Transformer.from_crs(
            CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True
        )
    return t


def transform(lon, lat, src: str | int, dst: str | int = "EPSG:4326"):
    """pyproj transform between any two CRSs (EPSG code, 'EPSG:4549', WKT …), x/y order."""
    scalar = np.ndim(lon) == 0
    x, y = _arrays(lon, lat)
    tx, ty = _transformer(_crs_key(src), _crs_key(dst)).transform(x, y)
    return _out(np.asarray(tx, dtype=float), np.asarray(ty, dtype=float), scalar)


def _crs_key(crs: str | int) -> str:
    if isinstance(crs, int):
        return f"EPSG:{crs}"
    return str(crs)


def to_wgs84(lon, lat, crs: str | int):
    """Convert points given in `crs` to WGS84.

    `crs` is one of CRS_NAMES ('wgs84', 'cgcs2000', 'gcj02', 'bd09') or anything pyproj
    understands (an EPSG code such as 4549 for a Gauss-Kruger zone, a WKT string …).
    """
    name = str(crs).strip().lower().replace("-", "").replace("_", "")
    if name in ("wgs84", "epsg:4326", "4326"):
        scalar = np.ndim(lon) == 0
        return _out(*_arrays(lon, lat), scalar)
    if name == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if name == "bd09":
        return bd09_to_wgs84(lon, lat)
    if name == "cgcs2000":
        return transform(lon, lat, "EPSG:4490", "EPSG:4326")
    return transform(lon, lat, crs, "EPSG:4326")


def from_wgs84(lon, lat, crs: str | int):
    """The inverse of `to_wgs84` (used to write sample files and in tests)."""
    name = str(crs).strip().lower().replace("-", "").replace("_", "")
    if name in ("wgs84", "epsg:4326", "4326"):
        scalar = np.ndim(lon) == 0
        return _out(*_arrays(lon, lat), scalar)
    if name == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if name == "bd09":
        return wgs84_to_bd09(lon, lat)
    if name == "cgcs2000":
        return transform(lon, lat, "EPSG:4326", "EPSG:4490")
    return transform(lon, lat, "EPSG:4326", crs)


def gk3_epsg(central_meridian: float, *, zone_prefix: bool = False) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss-Kruger zone with this central meridian.

    CM 75°E … 135°E in steps of 3°: EPSG:4534 … 4554 (plain easting, e.g. 4549 = CM 120°E),
    or EPSG:4513 … 4533 with the zone number prefixed (zone = CM / 3).
    """
    cm = round(central_meridian)
    if cm % 3 != 0 or not 75 <= cm <= 135:
        raise ValueError(f"3度带中央子午线应为75°–135°之间3的倍数，得到{central_meridian}")
    return (4513 if zone_prefix else 4534) + (cm - 75) // 3


def gk3_central_meridian(lon: float) -> int:
    """The central meridian of the 3-degree zone containing longitude `lon` (zones span CM ±1.5°)."""
    return int(3 * round(lon / 3.0))


@dataclass(frozen=True)
class LocalProjection:
    """A local metric CRS for a region: the 3-degree CGCS2000 Gauss-Kruger zone by its centre.

    Distances and areas in metres; `forward` lon/lat (WGS84) → x/y metres, `inverse` back.
    """

    epsg: int

    @classmethod
    def for_lonlat(cls, lon: float, lat: float | None = None) -> LocalProjection:
        if not 73.5 <= lon <= 136.5:  # outside China's Gauss-Kruger zones (e.g. test data): UTM
            zone = int((lon + 180.0) // 6.0) % 60 + 1
            return cls((32700 if lat is not None and lat < 0 else 32600) + zone)
        cm = min(max(gk3_central_meridian(lon), 75), 135)
        return cls(gk3_epsg(cm))

    @classmethod
    def for_bounds(cls, minx: float, miny: float, maxx: float, maxy: float) -> LocalProjection:
        return cls.for_lonlat((minx + maxx) / 2.0, (miny + maxy) / 2.0)

    @property
    def crs(self) -> CRS:
        return CRS.from_epsg(self.epsg)

    def forward(self, lon, lat):
        return transform(lon, lat, "EPSG:4326", self.epsg)

    def inverse(self, x, y):
        return transform(x, y, self.epsg, "EPSG:4326")


def haversine_m(lon1, lat1, lon2, lat2):
    """Great-circle distance in metres (WGS84 mean radius), vectorised."""
    lon1, lat1 = _arrays(lon1, lat1)
    lon2, lat2 = _arrays(lon2, lat2)
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371008.8 * np.arcsin(np.sqrt(a))
