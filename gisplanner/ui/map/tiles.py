"""Base map (底图) under the vectors: tiles read off the UI thread from the cache, an MBTiles
file or the network (``gisplanner.geo.basemap`` does that, without Qt).

The source is the database's base map (``MapWidget.basemap_source``, set from the ``setting``
table by the base-map panel) or else the XYZ URL in ``QSettings`` ``map/tile_url``. Tiles are
Web-Mercator squares; each is drawn on the bounding box of its corners in the map's local
projected CRS (the grid convergence inside one 3-degree zone is under a degree, so at town scale
the error is a few pixels). A GCJ-02 source (Gaode) is shifted to where its content really is
(``TileSource.tile_corners_wgs84``). Without network the map works as before and the widget
says so once (``message`` signal), quietly.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, QSettings, QTimer, Signal
from PySide6.QtGui import QImage

from gisplanner.geo.basemap import (  # noqa: F401 - tile math re-exported for older callers
    BasemapError,
    TileSource,
    lonlat_to_tile,
    read_tile,
    tile_to_lonlat,
    zoom_for,
)

log = logging.getLogger(__name__)
SETTINGS_KEY = "map/tile_url"
MAX_TILES = 48
_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="gisplanner-tiles")


def tile_url_setting() -> str:
    return str(QSettings().value(SETTINGS_KEY, "") or "")


class _Signals(QObject):
    loaded = Signal(object, object)  # key (z, x, y), QImage or None
    failed = Signal(str)


# Workers never emit Qt signals (several Python threads emitting at once has crashed PySide);
# they put results in a queue that a timer on the UI thread drains.


class TileLayer:
    """Fetches and places the tiles covering the canvas's view."""

    def __init__(self, canvas, url: str | None = None, source: TileSource | None = None):
        self.canvas = canvas
        if source is None and url is None:
            source = getattr(canvas, "basemap_source", None)
        if source is None:
            url = url if url is not None else tile_url_setting()
            source = TileSource("XYZ", url=url) if url else None
        self.source = source
        self.url = source.url if source is not None else ""
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
    def cache_root(self) -> Path | None:
        return self.source.cache_root if self.source is not None else None

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        for item in self.items.values():
            item.setVisible(on)
        if on and self.source is None:
            self.canvas.message.emit("未设置底图（视图 → 底图…），仅显示矢量图层")
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
        src = self.source
        if src is not None:
            z = min(max(z, src.min_zoom), src.max_zoom)
        bbox = (float(np.min(lons)), float(np.min(lats)), float(np.max(lons)), float(np.max(lats)))
        while True:
            if src is not None:
                x0, y0, x1, y1 = src.tiles_for_bbox(bbox, z)
            else:
                tx0, ty0 = lonlat_to_tile(bbox[0], bbox[3], z)
                tx1, ty1 = lonlat_to_tile(bbox[2], bbox[1], z)
                x0, y0, x1, y1 = (int(math.floor(v)) for v in (tx0, ty0, tx1, ty1))
            xs, ys = range(x0, x1 + 1), range(y0, y1 + 1)
            if len(xs) * len(ys) <= MAX_TILES or z <= 1 or (src is not None and z <= src.min_zoom):
                return [(z, x, y) for x in xs for y in ys]
            z -= 1

    def update(self) -> None:
        if not self.enabled or self.source is None or self._offline.is_set():
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
        return self.source.tile_path(*key)

    def _fetch(self, key) -> None:
        """Worker thread: MBTiles, disk cache, else the network. Never touches widgets or signals."""
        try:
            data = read_tile(self.source, *key, network=not self._offline.is_set())
            self._results.put((key, data, None))
        except BasemapError as e:  # e.g. a Tianditu source without its key
            self._offline.set()
            self._results.put((key, None, str(e)))
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
        lon, lat = self.source.tile_corners_wgs84(*key)  # a GCJ-02 tile moves to where it belongs
        px, py = self.canvas.data.projection.forward(lon, lat)
        arr = pg.functions.ndarray_from_qimage(img.convertToFormat(QImage.Format.Format_RGBA8888))
        item = pg.ImageItem(np.ascontiguousarray(np.flipud(arr).transpose(1, 0, 2)))
        item.setRect(QRectF(float(np.min(px)), float(np.min(py)), float(np.ptp(px)), float(np.ptp(py))))
        layer = self.canvas.layers["basemap"]
        item.setZValue(layer.z)
        item.setVisible(self.enabled and layer.visible)
        self.canvas.view.addItem(item, ignoreBounds=True)
        self.canvas.layer_items("basemap").append(item)
        self.items[key] = item

    def _failed(self, message: str) -> None:
        if not self._warned:
            self._warned = True
            hint = message if "密钥" in message else "网络不可用"
            self.canvas.message.emit(f"底图无法加载（{hint}），仅显示矢量图层")
