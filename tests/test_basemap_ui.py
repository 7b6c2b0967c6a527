"""The base map on the map: MBTiles drawn, GCJ-02 tiles shifted to WGS84, the dialog (MBTiles
import, Tianditu key, download ahead with a local tile server)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice  # noqa: E402
from PySide6.QtGui import QColor, QImage  # noqa: E402

from gisplanner.geo import basemap as B  # noqa: E402
from gisplanner.io.crs import gcj02_to_wgs84  # noqa: E402


def png_bytes(color="#cfe8cf") -> bytes:
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(color))
    ba = QByteArray()
    buf = QBuffer(ba)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(ba.data())


@pytest.fixture(scope="module")
def demo_map_data(demo_db_path):
    from gisplanner.store.database import Store
    from gisplanner.ui.map.data import load_map_data

    store = Store.open(demo_db_path)
    try:
        return load_map_data(store)
    finally:
        store.close()


@pytest.fixture
def canvas(qtbot, demo_map_data):
    from gisplanner.ui.map.canvas import MapWidget

    w = MapWidget()
    qtbot.addWidget(w)
    w.resize(1000, 700)
    w.show()
    qtbot.waitExposed(w)
    w.set_data(demo_map_data)
    return w


def _mbtiles_for_view(canvas, path, crs="wgs84", margin=3):
    """An MBTiles file covering the canvas's view (a few tiles more for the GCJ-02 shift)."""
    from gisplanner.ui.map.tiles import TileLayer

    probe = TileLayer(canvas, source=B.TileSource("probe", url="http://127.0.0.1:9/{z}/{x}/{y}.png", crs=crs))
    want = probe.wanted()
    z = want[0][0]
    xs = [k[1] for k in want]
    ys = [k[2] for k in want]
    tiles = {
        (z, x, y): png_bytes()
        for x in range(min(xs) - margin, max(xs) + margin + 1)
        for y in range(min(ys) - margin, max(ys) + margin + 1)
    }
    return B.write_mbtiles(path, tiles), want


def test_mbtiles_base_map_is_drawn(canvas, qtbot, tmp_path):
    path, want = _mbtiles_for_view(canvas, tmp_path / "town.mbtiles")
    src = B.TileSource("town", mbtiles=str(path))
    canvas.set_basemap_source(src, show=True)
    tiles = canvas.basemap
    qtbot.waitUntil(lambda: len(tiles.items) == len(want), timeout=30_000)
    assert all(item.isVisible() for item in tiles.items.values())
    assert canvas.layers["basemap"].visible and len(canvas.layer_items("basemap")) == len(want)
    canvas.set_layer_visible("basemap", False)
    assert not any(item.isVisible() for item in tiles.items.values())


def test_gcj02_tiles_are_shifted_onto_their_wgs84_place(canvas, qtbot, tmp_path):
    """The same tile numbers from a WGS84 and a GCJ-02 source land several hundred metres apart:
    the GCJ-02 one exactly where gcj02_to_wgs84 puts its corners."""
    from gisplanner.ui.map.tiles import TileLayer

    wpath, _ = _mbtiles_for_view(canvas, tmp_path / "w.mbtiles")
    layers = {}
    for crs in ("wgs84", "gcj02"):
        layer = TileLayer(canvas, source=B.TileSource(crs, mbtiles=str(wpath), crs=crs))
        layer.enabled = True
        layer.update()
        layers[crs] = layer
    for layer in layers.values():
        qtbot.waitUntil(lambda layer=layer: len(layer.items) > 0 and not layer.pending, timeout=30_000)
    common = sorted(set(layers["wgs84"].items) & set(layers["gcj02"].items))
    assert common
    key = common[0]
    rw = layers["wgs84"].items[key].mapRectToView(layers["wgs84"].items[key].boundingRect())
    rg = layers["gcj02"].items[key].mapRectToView(layers["gcj02"].items[key].boundingRect())
    shift = np.hypot(rg.center().x() - rw.center().x(), rg.center().y() - rw.center().y())
    assert 300 < shift < 900
    # the GCJ-02 tile is drawn on the box of the WGS84 positions of its four GCJ-02 corners
    z, x, y = key
    corners = [B.tile_to_lonlat(x + dx, y + dy, z) for dx in (0, 1) for dy in (0, 1)]
    tlon, tlat = gcj02_to_wgs84(np.array([c[0] for c in corners]), np.array([c[1] for c in corners]))
    ex, ey = canvas.data.projection.forward(tlon, tlat)
    assert abs(rg.left() - ex.min()) < 0.5 and abs(rg.right() - ex.max()) < 0.5
    assert abs(rg.top() - ey.min()) < 0.5 and abs(rg.bottom() - ey.max()) < 0.5  # top(): the smaller y


@pytest.fixture
def window(open_window, demo_store_copy):
    return open_window(demo_store_copy, size=(1200, 800))


def test_dialog_imports_mbtiles_and_the_database_remembers_it(window, qtbot, tmp_path, gisplanner_home):
    from gisplanner.ui.panels.basemap_panel import open_basemap_dialog

    path, want = _mbtiles_for_view(window.map_widget, tmp_path / "mine.mbtiles")
    dlg = open_basemap_dialog(window.ctx)
    info = dlg.import_mbtiles(str(path))
    assert info["tiles"] > 0 and (gisplanner_home / "basemaps" / "mine.mbtiles").exists()
    dlg.accept()
    src = B.database_source(window.store)
    assert src.mbtiles == info["path"]
    tiles = window.map_widget.basemap
    qtbot.waitUntil(lambda: len(tiles.items) == len(want), timeout=30_000)


def test_dialog_tianditu_key_goes_into_the_urls(window, qtbot):
    from PySide6.QtCore import QSettings

    from gisplanner.ui.panels.basemap_panel import open_basemap_dialog

    dlg = open_basemap_dialog(window.ctx)
    dlg.kind.setCurrentIndex(dlg.kind.findData("tianditu_vec"))
    dlg.key.setText("")
    with pytest.raises(B.BasemapError, match="密钥"):
        dlg.source().url_for(14, 1, 1)
    dlg.key.setText("mykey42")
    dlg.accept()
    assert B.get_setting(window.store, B.SETTING_TIANDITU_KEY) == "mykey42"
    assert QSettings().value("map/tianditu_key") == "mykey42"
    assert "tk=mykey42" in window.map_widget.basemap_source.url_for(14, 1, 1)


def test_dialog_downloads_the_town_with_progress(window, qtbot, gisplanner_home):
    from test_basemap_core import TileServer

    from gisplanner.ui.panels.basemap_panel import open_basemap_dialog

    with TileServer() as server:
        dlg = open_basemap_dialog(window.ctx)
        dlg.kind.setCurrentIndex(dlg.kind.findData("url"))
        dlg.url.setText(server.url)
        dlg.extent.setCurrentIndex(0)  # the first town
        dlg.zmin.setValue(12)
        dlg.zmax.setValue(14)
        plan = dlg.plan()
        assert "需下载" in dlg.estimate.text() and str(plan.total) in dlg.estimate.text()
        progress = []
        task = dlg.start_download()
        task.signals.progress.connect(lambda f, m: progress.append(f))
        qtbot.waitUntil(lambda: hasattr(dlg, "last_result"), timeout=30_000)
    assert dlg.last_result.fetched == plan.total and len(server.requests) == plan.total
    assert B.plan_download(plan.source, plan.bbox, plan.zooms).cached == plan.total
    assert "已缓存 " + str(plan.total) in dlg.estimate.text()
