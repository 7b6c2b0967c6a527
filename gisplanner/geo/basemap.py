"""Base maps (底图) without Qt: tile sources, tile math, the disk cache, MBTiles, offline download.

- :class:`TileSource` — where tiles come from: an XYZ URL template (``{z}/{x}/{y}``, ``{s}`` for
  a subdomain, ``{key}`` for a key such as Tianditu's ``tk``) or an MBTiles file, and the
  coordinate system the tiles are drawn in: ``wgs84`` (OpenStreetMap, Tianditu's ``_w``
  layers — CGCS2000 is within centimetres of WGS84) or ``gcj02`` (Gaode/AMap, Tencent).
  A GCJ-02 tile's content is several hundred metres away from where a WGS84 tile of the same
  number would be; :meth:`TileSource.tile_corners_wgs84` gives where it really belongs and
  :meth:`TileSource.tiles_for_bbox` picks the tiles covering a WGS84 extent.
- the cache: tiles are files ``cache_dir()/tiles/<source id>/<z>/<x>/<y>.<ext>``; an MBTiles
  file is read directly (TMS rows flipped).
- :func:`plan_download` counts the tiles of an extent for chosen zooms, how many are cached
  and an estimate of the bytes still to fetch; :func:`download` fetches them into the cache
  with progress and cancel (``progress(fraction, message) -> False`` stops it; what was
  fetched stays cached).
- the database remembers its base map (``setting`` rows ``basemap.source`` and
  ``basemap.tianditu_key``); :func:`import_mbtiles` checks an MBTiles file, copies it under
  ``data_dir()/basemaps`` and makes it the database's base map.

Bulk downloading is against the usage policy of some public servers (OpenStreetMap's tile
servers forbid it); download from a server whose terms allow it (your own, Tianditu with your
key, a commercial licence) or import an MBTiles file made for you.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from gisplanner import __version__, paths
from gisplanner.io.crs import gcj02_to_wgs84, wgs84_to_gcj02
from gisplanner.progress import Progress, cancel_requested

MAX_DOWNLOAD_TILES = 60_000  # a town at zoom 18 is ~10k tiles; more is a mistake (or abuse)
DEFAULT_TILE_BYTES = {"png": 18_000, "jpg": 28_000, "webp": 14_000, "pbf": 30_000}
SETTING_SOURCE = "basemap.source"
SETTING_TIANDITU_KEY = "basemap.tianditu_key"
USER_AGENT = f"gisplanner/{__version__}"


class BasemapError(ValueError):
    """A base map that cannot be used; the message names the file/setting and the reason."""


# -- tile math (spherical Web Mercator, XYZ numbering: y = 0 at the north) ----------------------------
def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[float, float]:
    n = 2**z
    lat = max(min(lat, 85.0511), -85.0511)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def tile_to_lonlat(x: float, y: float, z: int) -> tuple[float, float]:
    n = 2**z
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lon, lat


def zoom_for(metres_per_px: float, lat: float) -> int:
    """The XYZ zoom whose resolution (256-px tiles) is closest to the map's."""
    if metres_per_px <= 0:
        return 0
    z = math.log2(156543.03392 * math.cos(math.radians(lat)) / metres_per_px)
    return int(min(max(round(z), 1), 18))


def tile_range(bbox: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) inclusive XYZ tile numbers covering a lon/lat box at zoom z."""
    lon0, lat0, lon1, lat1 = bbox
    tx0, ty0 = lonlat_to_tile(lon0, lat1, z)
    tx1, ty1 = lonlat_to_tile(lon1, lat0, z)
    n = 2**z - 1
    return (
        max(0, int(math.floor(tx0))), max(0, int(math.floor(ty0))),
        min(n, int(math.floor(tx1))), min(n, int(math.floor(ty1))),
    )  # fmt: skip


# -- sources ----------------------------------------------------------------------------------------
@dataclass
class TileSource:
    """An XYZ server or an MBTiles file, in WGS84 or GCJ-02 tile space."""

    name: str
    url: str = ""  # XYZ template; empty for MBTiles
    crs: str = "wgs84"  # wgs84 | gcj02
    mbtiles: str = ""  # path of an MBTiles file
    subdomains: str = "abc"
    needs_key: bool = False
    key: str = field(default="", repr=False)  # filled in from the settings, never stored with the source
    min_zoom: int = 1
    max_zoom: int = 18
    ext: str = "png"

    def __post_init__(self) -> None:
        self.crs = str(self.crs).lower().replace("-", "").replace("_", "")
        if self.crs not in ("wgs84", "gcj02"):
            raise BasemapError(f"底图坐标系只能是 wgs84 或 gcj02，得到 {self.crs!r}")
        if not self.url and not self.mbtiles:
            raise BasemapError(f"底图 {self.name} 没有瓦片地址或 MBTiles 文件")

    # identity and storage
    @property
    def id(self) -> str:
        what = self.mbtiles or self.url
        return hashlib.sha1(f"{what}|{self.crs}".encode()).hexdigest()[:12]

    @property
    def cache_root(self) -> Path:
        return paths.cache_dir() / "tiles" / self.id

    def to_json(self) -> str:
        d = asdict(self)
        d.pop("key")
        return json.dumps(d, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TileSource:
        try:
            d = json.loads(text)
            return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "key"})
        except (ValueError, TypeError) as e:
            raise BasemapError(f"底图设置无法读取：{e}") from e

    def with_key(self, key: str | None) -> TileSource:
        import dataclasses

        return dataclasses.replace(self, key=(key or "").strip())

    # where tiles are and come from
    def url_for(self, z: int, x: int, y: int) -> str:
        if self.needs_key and not self.key:
            raise BasemapError(f"{self.name} 需要密钥（tk）：请在 视图 → 底图 中填写天地图密钥")
        subs = self.subdomains or "a"
        return self.url.format(z=z, x=x, y=y, s=subs[(x + y) % len(subs)], key=self.key)

    def tile_path(self, z: int, x: int, y: int) -> Path:
        return self.cache_root / str(z) / str(x) / f"{y}.{self.ext}"

    def tiles_for_bbox(self, bbox: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
        """Tile numbers covering a WGS84 lon/lat box (for a GCJ-02 source: its shifted box)."""
        if self.crs == "gcj02":
            lon = np.array([bbox[0], bbox[2], bbox[0], bbox[2]])
            lat = np.array([bbox[1], bbox[1], bbox[3], bbox[3]])
            glon, glat = wgs84_to_gcj02(lon, lat)
            bbox = (float(glon.min()), float(glat.min()), float(glon.max()), float(glat.max()))
        return tile_range(bbox, z)

    def tile_corners_wgs84(self, z: int, x: int, y: int) -> tuple[np.ndarray, np.ndarray]:
        """Lon/lat (WGS84) of the tile's SW, SE, NW, NE corners: where its content really is."""
        lon0, lat0 = tile_to_lonlat(x, y + 1, z)
        lon1, lat1 = tile_to_lonlat(x + 1, y, z)
        lon = np.array([lon0, lon1, lon0, lon1])
        lat = np.array([lat0, lat0, lat1, lat1])
        if self.crs == "gcj02":
            lon, lat = gcj02_to_wgs84(lon, lat)
        return lon, lat


# the common servers; the first is the default for the 底图 dialog
PRESETS: dict[str, TileSource] = {
    "tianditu_vec": TileSource(
        "天地图 矢量", "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}&tk={key}",
        subdomains="01234567", needs_key=True,
    ),
    "tianditu_img": TileSource(
        "天地图 影像", "https://t{s}.tianditu.gov.cn/DataServer?T=img_w&x={x}&y={y}&l={z}&tk={key}",
        subdomains="01234567", needs_key=True, ext="jpg",
    ),
    "gaode_vec": TileSource(
        "高德 矢量（GCJ-02，自动纠偏）",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        crs="gcj02", subdomains="1234",
    ),
    "gaode_img": TileSource(
        "高德 影像（GCJ-02，自动纠偏）",
        "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
        crs="gcj02", subdomains="1234", ext="jpg",
    ),
    "osm": TileSource("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", subdomains="a"),
}  # fmt: skip


# -- MBTiles ------------------------------------------------------------------------------------------
class MBTiles:
    """Read tiles from an MBTiles file (SQLite; TMS rows: y flipped). Safe across threads."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.is_file():
            raise BasemapError(f"找不到 MBTiles 文件 {self.path}")
        self._local = threading.local()
        try:
            con = self._con()
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")
            }
        except sqlite3.DatabaseError as e:
            raise BasemapError(f"{self.path.name} 不是 MBTiles 文件（不是 SQLite 数据库：{e}）") from e
        if "tiles" not in tables:
            raise BasemapError(f"{self.path.name} 不是 MBTiles 文件：缺少 tiles 表")
        self.metadata = {}
        if "metadata" in tables:
            self.metadata = {str(k): str(v) for k, v in con.execute("SELECT name, value FROM metadata")}
        fmt = self.metadata.get("format", "png").lower()
        if fmt == "pbf":
            raise BasemapError(f"{self.path.name} 是矢量瓦片（pbf），目前只支持栅格瓦片（png/jpg/webp）")
        self.format = "jpg" if fmt in ("jpg", "jpeg") else fmt

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = sqlite3.connect(
                f"file:{self.path}?mode=ro", uri=True, check_same_thread=False
            )
        return con

    def get(self, z: int, x: int, y: int) -> bytes | None:
        row = (
            self._con()
            .execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, (2**z - 1) - y),
            )
            .fetchone()
        )
        return bytes(row[0]) if row else None

    def zooms(self) -> tuple[int, int]:
        lo, hi = self._con().execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        if lo is None:
            raise BasemapError(f"{self.path.name} 中没有瓦片")
        return int(lo), int(hi)

    def count(self) -> int:
        return int(self._con().execute("SELECT COUNT(*) FROM tiles").fetchone()[0])

    def bounds(self) -> tuple[float, float, float, float] | None:
        b = self.metadata.get("bounds")
        if b:
            try:
                v = tuple(float(p) for p in b.split(","))
                if len(v) == 4:
                    return v  # type: ignore[return-value]
            except ValueError:
                pass
        return None

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


_MBTILES: dict[str, MBTiles] = {}
_MBTILES_LOCK = threading.Lock()


def _mbtiles(path: str) -> MBTiles:
    with _MBTILES_LOCK:
        mb = _MBTILES.get(path)
        if mb is None:
            mb = _MBTILES[path] = MBTiles(path)
        return mb


def read_tile(
    source: TileSource, z: int, x: int, y: int, *, network: bool = True, timeout: float = 6.0
) -> bytes | None:
    """A tile's bytes: the MBTiles file, else the disk cache, else the network (then cached).

    None when the tile is not there (MBTiles without it, offline with nothing cached, HTTP 404);
    ``OSError`` when the server cannot be reached.
    """
    if source.mbtiles:
        return _mbtiles(source.mbtiles).get(z, x, y)
    path = source.tile_path(z, x, y)
    if path.exists():
        return path.read_bytes()
    if not network:
        return None
    data = _http_get(source.url_for(z, x, y), timeout)
    if data is None:
        return None
    _write_atomic(path, data)
    return data


def _http_get(url: str, timeout: float) -> bytes | None:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - user-configured URL
            return r.read()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return None
        raise


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{threading.get_ident()}.part")
    tmp.write_bytes(data)
    tmp.replace(path)


# -- download ahead ---------------------------------------------------------------------------------------
@dataclass
class DownloadPlan:
    source: TileSource
    bbox: tuple[float, float, float, float]
    zooms: list[int]
    per_zoom: dict[int, int]
    total: int
    cached: int
    est_bytes: int  # of the tiles still to fetch

    def tiles(self) -> Iterator[tuple[int, int, int]]:
        for z in self.zooms:
            x0, y0, x1, y1 = self.source.tiles_for_bbox(self.bbox, z)
            for x in range(x0, x1 + 1):
                for y in range(y0, y1 + 1):
                    yield z, x, y

    @property
    def to_fetch(self) -> int:
        return self.total - self.cached

    def summary(self) -> str:
        return (
            f"{self.source.name}：级别 {self.zooms[0]}–{self.zooms[-1]} 共 {self.total} 张瓦片，已缓存 {self.cached} 张，"
            f"需下载 {self.to_fetch} 张，约 {format_bytes(self.est_bytes)}"
        )


def format_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def parse_zooms(text: str) -> list[int]:
    """'12-16' or '12,14,16' → sorted zoom levels 0–20 (BasemapError otherwise)."""
    out: set[int] = set()
    for part in str(text).replace("，", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            if "-" in part:
                a, b = (int(v) for v in part.split("-", 1))
                out.update(range(min(a, b), max(a, b) + 1))
            else:
                out.add(int(part))
        except ValueError as e:
            raise BasemapError(f"缩放级别 {text!r} 无法识别（例：12-16 或 12,14,16）") from e
    if not out or min(out) < 0 or max(out) > 20:
        raise BasemapError(f"缩放级别应在 0–20 之间，得到 {text!r}")
    return sorted(out)


def mean_cached_tile_bytes(source: TileSource, sample: int = 200) -> float | None:
    root = source.cache_root
    if not root.exists():
        return None
    sizes = []
    for p in root.rglob(f"*.{source.ext}"):
        sizes.append(p.stat().st_size)
        if len(sizes) >= sample:
            break
    return float(np.mean(sizes)) if sizes else None


def plan_download(source: TileSource, bbox, zooms) -> DownloadPlan:
    """How many tiles the extent needs at these zooms, how many are cached, the bytes to fetch."""
    if source.mbtiles:
        raise BasemapError("MBTiles 底图已在本机，无需下载")
    zooms = sorted(set(int(z) for z in zooms))
    if not zooms:
        raise BasemapError("请至少选择一个缩放级别")
    bbox = tuple(float(v) for v in bbox)
    if not (bbox[0] < bbox[2] and bbox[1] < bbox[3]):
        raise BasemapError(f"范围无效：{bbox}")
    per_zoom = {}
    for z in zooms:
        x0, y0, x1, y1 = source.tiles_for_bbox(bbox, z)
        per_zoom[z] = (x1 - x0 + 1) * (y1 - y0 + 1)
    total = sum(per_zoom.values())
    plan = DownloadPlan(source, bbox, zooms, per_zoom, total, 0, 0)
    if total <= MAX_DOWNLOAD_TILES:
        plan.cached = sum(1 for z, x, y in plan.tiles() if source.tile_path(z, x, y).exists())
    mean = mean_cached_tile_bytes(source) or DEFAULT_TILE_BYTES.get(source.ext, 20_000)
    plan.est_bytes = int(plan.to_fetch * mean)
    return plan


@dataclass
class DownloadResult:
    fetched: int = 0
    cached: int = 0  # already there
    missing: int = 0  # the server has no such tile (404)
    failed: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)
    cancelled: bool = False

    def as_dict(self) -> dict:
        d = asdict(self)
        d["errors"] = self.errors[:10]
        return d


def download(
    plan: DownloadPlan, progress: Progress | None = None, workers: int = 4, timeout: float = 10.0
) -> DownloadResult:
    """Fetch the plan's tiles that are not cached yet into the cache.

    ``progress(fraction, message)`` returning False cancels (tiles fetched so far stay cached;
    the result says ``cancelled``). Raises BasemapError when the plan is too large, OSError
    when not one tile could be fetched (no network).
    """
    if plan.total > MAX_DOWNLOAD_TILES:
        raise BasemapError(
            f"瓦片太多（{plan.total} 张，上限 {MAX_DOWNLOAD_TILES}）：请缩小范围或减少缩放级别"
        )
    src = plan.source
    todo = [t for t in plan.tiles() if not src.tile_path(*t).exists()]
    res = DownloadResult(cached=plan.total - len(todo))
    if todo:
        src.url_for(*todo[0])  # a missing key is reported before anything starts
    stop = threading.Event()
    lock = threading.Lock()

    def one(t):
        if stop.is_set():
            return
        try:
            data = _http_get(src.url_for(*t), timeout)
        except (OSError, ValueError) as e:
            with lock:
                res.failed += 1
                if len(res.errors) < 50:
                    res.errors.append(f"{t}: {e}")
            return
        with lock:
            if data is None:
                res.missing += 1
                return
        _write_atomic(src.tile_path(*t), data)
        with lock:
            res.fetched += 1
            res.bytes += len(data)

    done = 0
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="gisplanner-download") as pool:
        batch = max(workers * 4, 16)
        for i in range(0, len(todo), batch):
            if stop.is_set():
                break
            list(pool.map(one, todo[i : i + batch]))
            done = min(len(todo), i + batch)
            if cancel_requested(
                progress, done / len(todo), f"{done}/{len(todo)} 张，{format_bytes(res.bytes)}"
            ):
                stop.set()
                res.cancelled = True
            if res.failed and not res.fetched and res.failed >= min(len(todo), 8):
                break  # the server cannot be reached: do not try thousands of tiles
    if todo and not res.fetched and res.failed and not res.cancelled:
        raise OSError(f"无法下载瓦片（网络不可用或地址错误）：{res.errors[0] if res.errors else ''}")
    return res


# -- the database's base map ---------------------------------------------------------------------------
def get_setting(store, key: str) -> str | None:
    from gisplanner.store.model import Setting

    with store.session() as s:
        row = s.get(Setting, key)
        return row.value if row is not None else None


def set_setting(store, key: str, value: str | None) -> None:
    from gisplanner.store.model import Setting

    with store.session() as s:
        row = s.get(Setting, key)
        if value is None:
            if row is not None:
                s.delete(row)
        elif row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value


def database_source(store) -> TileSource | None:
    """The base map this database uses (None: not set), with its Tianditu key filled in."""
    raw = get_setting(store, SETTING_SOURCE)
    if not raw:
        return None
    src = TileSource.from_json(raw)
    if src.needs_key:
        src = src.with_key(get_setting(store, SETTING_TIANDITU_KEY))
    return src


def set_database_source(store, source: TileSource | None) -> None:
    set_setting(store, SETTING_SOURCE, source.to_json() if source is not None else None)


def import_mbtiles(path: str | Path, store=None, *, home: str | Path | None = None, crs: str = "wgs84",
                   name: str | None = None) -> dict:  # fmt: skip
    """Check an MBTiles file, copy it to ``<home>/basemaps/`` and make it the database's base map.

    ``home`` defaults to the user data directory; ``store`` None only copies. Returns what was
    imported (name, path, format, zooms, tiles, bounds, crs).
    """
    src_path = Path(path)
    if src_path.suffix.lower() != ".mbtiles":
        raise BasemapError(f"{src_path.name}：底图文件应为 .mbtiles")
    mb = MBTiles(src_path)
    try:
        zmin, zmax = mb.zooms()
        count = mb.count()
        bounds = mb.bounds()
        fmt = mb.format
        title = name or mb.metadata.get("name") or src_path.stem
    finally:
        mb.close()
    dest_dir = Path(home) / "basemaps" if home is not None else paths.data_dir() / "basemaps"
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / src_path.name
    if dest.resolve() != src_path.resolve():
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(src_path, tmp)
        tmp.replace(dest)
    with _MBTILES_LOCK:
        old = _MBTILES.pop(str(dest), None)
    if old is not None:
        old.close()
    source = TileSource(title, crs=crs, mbtiles=str(dest), min_zoom=zmin, max_zoom=zmax, ext=fmt)
    if store is not None:
        set_database_source(store, source)
    return {
        "name": title, "path": str(dest), "format": fmt, "min_zoom": zmin, "max_zoom": zmax, "tiles": count,
        "bounds": list(bounds) if bounds else None, "crs": source.crs,
    }  # fmt: skip


def write_mbtiles(
    path: str | Path, tiles: dict[tuple[int, int, int], bytes], metadata: dict | None = None
) -> Path:
    """Write XYZ-numbered tiles to an MBTiles file (used to export a cache and in tests)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    try:
        con.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        con.execute(
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)"
        )
        con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        meta = {"name": path.stem, "format": "png", "type": "baselayer", "version": "1.1"} | (metadata or {})
        con.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
        con.executemany(
            "INSERT INTO tiles VALUES (?, ?, ?, ?)",
            [(z, x, (2**z - 1) - y, sqlite3.Binary(b)) for (z, x, y), b in tiles.items()],
        )
        con.commit()
    finally:
        con.close()
    return path
