"""Optional XYZ base map (底图) under the vectors: tiles fetched off the UI thread, cached on disk.

The tile URL template comes from the settings (``QSettings`` key ``map/tile_url``, e.g.
``https://tile.openstreetmap.org/{z}/{x}/{y}.png`` or a Tianditu URL with its ``tk=`` key).
Tiles are Web-Mercator squares; each is drawn on the bounding box of its corners in the
map's local projected CRS (the grid convergence inside one 3-degree zone is under a degree,
so at town scale the error is a few pixels). Downloaded tiles are kept under
``gisplanner.paths.cache_dir()/tiles``. Without network the map works as before and the
widget says so once (``message`` signal), quietly.
"""

from __future__ import annotations

import hashlib
import logging
import math
import queue
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QSettings, QTimer, Signal
from PySide6.QtGui import QImage

from gisplanner import __version__, paths

log = logging.getLogger(__name__)
SETTINGS_KEY = "map/tile_url"
MAX_TILES = 48
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gisplanner-tiles")


def tile_url_setting() -> str:
    return str(QSettings().value(SETTINGS_KEY, "") or "")


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
    """The XYZ zoom whose resolution is closest to the map's."""
    if metres_per_px <= 0:
        return 0
    z = math.log2(156543.03392 * math.cos(math.radians(lat)) / metres_per_px)
    return int(min(max(round(z), 1), 18))


class _Signals(QObject):
    loaded = Signal(object, object)  # key (z, x, y), QImage or None
    failed = Signal(str)


# Workers never emit Qt signals (several Python threads emitting at once has crashed PySide);
# they put results in a queue that a timer on the UI thread drains.


class TileLayer:
    """Fetches and places the tiles covering the canvas's view."""

    def __init__(self, canvas, url: str | None = None):
        self.canvas = canvas
        self.url = url if url is not None else tile_url_setting()
        self.enabled = False
        self.items: dict[tuple[int, int, int], pg.ImageItem] = {}
        self.pending: set[tuple[int, int, int]] = set()
        self.signals = _Signals()
        self.signals.loaded.connect(self._loaded)
        self.signals.failed.connect(self._failed)
        self._warned = False
        self._offline = threading.Event()
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._drain = QTimer(singleShot=False, interval=40)
        self._drain.timeout.connect(self._drain_results)
        self._timer = QTimer(singleShot=True, interval=150)
        self._timer.timeout.connect(self.update)
        canvas.view.sigRangeChanged.connect(lambda *_: self._timer.start())

    @property
    def cache_root(self) -> Path:
        return paths.cache_dir() / "tiles" / hashlib.sha1(self.url.encode()).hexdigest()[:12]

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        for item in self.items.values():
            item.setVisible(on)
        if on and not self.url:
            self.canvas.message.emit("未设置底图瓦片地址（设置 map/tile_url），仅显示矢量图层")
            return
        if on:
            self.update()

    def wanted(self) -> list[tuple[int, int, int]]:
        d = self.canvas.data
        if d is None:
            return []
        x0, y0, x1, y1 = self.canvas.view_rect()
        lons, lats = d.projection.inverse(np.array([x0, x1, x0, x1]), np.array([y0, y0, y1, y1]))
        z = zoom_for(self.canvas.metres_per_pixel(), float(np.mean(lats)))
        while True:
            tx0, ty0 = lonlat_to_tile(float(np.min(lons)), float(np.max(lats)), z)
            tx1, ty1 = lonlat_to_tile(float(np.max(lons)), float(np.min(lats)), z)
            xs = range(int(math.floor(tx0)), int(math.floor(tx1)) + 1)
            ys = range(int(math.floor(ty0)), int(math.floor(ty1)) + 1)
            if len(xs) * len(ys) <= MAX_TILES or z <= 1:
                return [(z, x, y) for x in xs for y in ys]
            z -= 1

    def update(self) -> None:
        if not self.enabled or not self.url or self._offline.is_set():
            return
        want = set(self.wanted())
        for key, item in self.items.items():
            item.setVisible(key in want)
        for key in want - set(self.items) - self.pending:
            self.pending.add(key)
            _POOL.submit(self._fetch, key)
        if self.pending and not self._drain.isActive():
            self._drain.start()

    def _path(self, key) -> Path:
        z, x, y = key
        return self.cache_root / str(z) / str(x) / f"{y}.png"

    def _fetch(self, key) -> None:
        """Worker thread: disk cache, else the network. Never touches widgets or signals."""
        path = self._path(key)
        try:
            if path.exists():
                data = path.read_bytes()
            elif self._offline.is_set():
                self._results.put((key, None, None))  # not fetched: no longer pending
                return
            else:
                z, x, y = key
                url = self.url.format(z=z, x=x, y=y, s="abc"[(x + y) % 3])
                req = urllib.request.Request(url, headers={"User-Agent": f"gisplanner/{__version__}"})
                with urllib.request.urlopen(req, timeout=6) as r:  # noqa: S310 - user-configured URL
                    data = r.read()
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".part")
                tmp.write_bytes(data)
                tmp.replace(path)
            self._results.put((key, data, None))
        except OSError as e:
            log.info("tile %s not loaded: %s", key, e)
            self._offline.set()
            self._results.put((key, None, str(e)))

    def _drain_results(self) -> None:
        """UI thread: place what the workers fetched; stop polling when nothing is pending."""
        while True:
            try:
                key, data, error = self._results.get_nowait()
            except queue.Empty:
                break
            if error is not None:
                self.signals.failed.emit(error)
            img = QImage.fromData(data) if data is not None else None
            self.signals.loaded.emit(key, None if img is None or img.isNull() else img)
        if not self.pending:
            self._drain.stop()

    def _loaded(self, key, img) -> None:
        self.pending.discard(key)
        if img is None or self.canvas.data is None:
            return
        z, x, y = key
        lon0, lat0 = tile_to_lonlat(x, y + 1, z)
        lon1, lat1 = tile_to_lonlat(x + 1, y, z)
        px, py = self.canvas.data.projection.forward(
            np.array([lon0, lon1, lon0, lon1]), np.array([lat0, lat0, lat1, lat1])
        )
        arr = pg.functions.ndarray_from_qimage(img.convertToFormat(QImage.Format.Format_RGBA8888))
        item = pg.ImageItem(np.ascontiguousarray(np.flipud(arr).transpose(1, 0, 2)))
        item.setRect(QRectF(float(np.min(px)), float(np.min(py)), float(np.ptp(px)), float(np.ptp(py))))
        layer = self.canvas.layers["basemap"]
        item.setZValue(layer.z)
        item.setVisible(self.enabled and layer.visible)
        self.canvas.view.addItem(item, ignoreBounds=True)
        layer.items.append(item)
        self.items[key] = item

    def _failed(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            self.canvas.message.emit("底图无法加载（网络不可用），仅显示矢量图层")
