"""The map on the demo town: screenshot, export, level of detail, overlays, layers, base map."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtGui import QColor, QImage  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


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
    QApplication.processEvents()
    return w


def _colour_share(img: QImage, hex_colour: str, tol: int = 40) -> float:
    """Share of pixels within ``tol`` of a colour (after the areas' transparency)."""
    ptr = img.convertToFormat(QImage.Format.Format_RGB888)
    arr = np.frombuffer(ptr.constBits(), np.uint8).reshape(ptr.height(), ptr.bytesPerLine())[
        :, : ptr.width() * 3
    ]
    arr = arr.reshape(ptr.height(), ptr.width(), 3).astype(int)
    c = QColor(hex_colour)
    target = np.array([c.red(), c.green(), c.blue()])
    return float((np.abs(arr - target).sum(axis=2) < tol).mean())


def test_map_screenshot_of_the_demo_town(canvas, tmp_path, demo_facts):
    """Writes the PNG a person looks at (copied to $GISPLANNER_SHOTS when set)."""
    out = canvas.export_image(tmp_path / "demo-town.png", dpi=120, width_mm=240)
    img = QImage(str(out))
    assert img.width() == round(240 / 25.4 * 120)
    c = canvas.counts()
    assert c["areas"] == demo_facts.villages and c["points"] == demo_facts.located and not c["aggregated"]
    assert set(c["area_classes"]) >= {"not_started", "partial"}
    assert c["labels"] >= 10  # village names at the full extent
    # the partially visited villages' teal and the untouched villages' purple, blended on white
    teal = QColor("#21918c")
    purple = QColor("#440154")
    a = 95 / 255

    def blend(q: QColor) -> str:
        return QColor(*(int(a * v + (1 - a) * 255) for v in (q.red(), q.green(), q.blue()))).name()

    assert _colour_share(img, blend(teal)) > 0.01
    assert _colour_share(img, blend(purple)) > 0.002
    assert _colour_share(img, "#ffffff", 6) > 0.1  # outside the town stays white
    shots = os.environ.get("GISPLANNER_SHOTS")
    if shots:
        shutil.copy(out, os.path.join(shots, "map-demo-town.png"))


def test_export_without_a_shown_window_png_and_pdf(demo_map_data, tmp_path, qtbot):
    from gisplanner.ui.map.canvas import MapWidget

    w = MapWidget()
    qtbot.addWidget(w)
    w.set_data(demo_map_data)
    x0, y0, x1, y1 = demo_map_data.extent
    ext = (x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    png = w.export_image(
        tmp_path / "sw.png", extent=ext, layers=["areas", "outlines", "households"], dpi=200, width_mm=100
    )
    img = QImage(str(png))
    assert (img.width(), img.height()) == (
        round(100 / 25.4 * 200),
        round(100 / 25.4 * 200 * (y1 - y0) / (x1 - x0)),
    )
    pdf = w.export_image(tmp_path / "sw.pdf", extent=ext, dpi=300, width_mm=100)
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5_000
    assert not w.isVisible()
    assert all(layer.visible == (layer.key != "basemap") for layer in w.layers.values())  # state restored


def test_level_of_detail_aggregates_when_too_many_points(canvas, monkeypatch, demo_facts):
    from gisplanner.ui.map import points as points_mod

    monkeypatch.setattr(points_mod, "MAX_POINTS_LOADED", 1_500)
    canvas.set_data(canvas.data)
    assert canvas.counts()["aggregated"] and canvas.density_item.isVisible()
    assert not canvas.point_layers["households"].item.isVisible()
    x0, y0, x1, y1 = canvas.data.extent
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    canvas.zoom_to(cx - 400, cy - 300, cx + 400, cy + 300, pad=0)
    canvas._update_lod()
    c = canvas.counts()
    assert not c["aggregated"] and not canvas.density_item.isVisible()
    assert 0 < c["points_loaded"] <= 1_500
    layer = canvas.point_layers["households"]
    vx0, vy0, vx1, vy1 = canvas.view_rect()
    assert layer.count_in((vx0, vy0, vx1, vy1)) <= layer.loaded  # every point in view is loaded
    # a selection too big to ring at the full extent is shown as a cyan density instead
    from gisplanner.ui.selection import SelectionModel

    canvas.set_selection_model(SelectionModel())
    canvas.selection_model.select(canvas.data.targets["id"].to_numpy())
    assert canvas.counts()["selected"] == demo_facts.located
    assert canvas.selection_item.isVisible()  # zoomed in: rings
    canvas.zoom_full()
    canvas._update_lod()
    assert canvas.selection_density.isVisible() and not canvas.selection_item.isVisible()


def test_route_overlay_draws_numbered_stops(canvas):
    import pyqtgraph as pg

    t = canvas.data.targets
    a = t[["x", "y"]].to_numpy()[:5]
    b = t[["x", "y"]].to_numpy()[100:103]
    canvas.set_route_overlay([
        {"xy": a, "stops": a, "name": "第1组"},
        {"xy": b, "stops": b, "labels": ["A", "B", "C"]},
    ])  # fmt: skip
    layer = canvas.layers["routes"]
    texts = [i.textItem.toPlainText() for i in canvas.layer_items("routes") if isinstance(i, pg.TextItem)]
    assert texts == ["1", "2", "3", "4", "5", "A", "B", "C"]
    assert [row[3] for row in layer.legend] == ["第1组", "路线 2"]
    canvas.set_layer_visible("routes", False)
    assert not any(i.isVisible() for i in canvas.layer_items("routes"))
    canvas.clear_route_overlay()
    assert canvas.layer_items("routes") == [] and canvas.layers["routes"].legend == []


def test_layer_panel_hides_and_reorders(canvas, qtbot):
    from PySide6.QtCore import Qt

    from gisplanner.ui.panels.layers_panel import LayersPanel

    panel = LayersPanel(canvas)
    qtbot.addWidget(panel)
    keys = panel.keys_top_first()
    assert keys[:2] == ["selection", "labels"] and keys[-1] == "basemap"  # the selection on top
    item = panel.tree.topLevelItem(keys.index("households"))
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not canvas.layers["households"].visible
    assert not canvas.point_layers["households"].item.isVisible()
    above = panel.keys_top_first()[panel.keys_top_first().index("areas") - 1]
    assert canvas.layers["areas"].z < canvas.layers[above].z
    panel.tree.setCurrentItem(panel.tree.topLevelItem(panel.keys_top_first().index("areas")))
    panel._move(-1)  # one step up = drawn above the layer that was over it
    qtbot.wait(20)  # the panel rebuilds after the event
    assert canvas.layers["areas"].z > canvas.layers[above].z
    assert all(it.zValue() == canvas.layers["areas"].z for it in canvas.layer_items("areas"))
    legend = dict((k, rows) for k, _t, rows in canvas.legend_entries())
    assert any("未开始" in r[3] for r in legend["areas"])
    assert any("补课访" in r[3] for r in legend["needs"])
    # moving the selection down does not bury it: it stays on top
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    panel._move(+1)
    qtbot.wait(20)
    assert panel.keys_top_first()[0] == "selection"
    assert canvas.layers["selection"].z == max(layer.z for layer in canvas.layers.values())


def test_the_map_and_the_panel_follow_the_layer_model(canvas, qtbot):
    """Edits of the model itself (no widget call) reach the map's items and the layer panel."""
    from PySide6.QtCore import Qt

    from gisplanner.ui.panels.layers_panel import LayersPanel

    panel = LayersPanel(canvas.layers)  # the model alone is enough for the panel
    qtbot.addWidget(panel)
    roads = canvas.layers["roads"]
    roads.visible = False
    assert canvas.layer_items("roads") and not any(i.isVisible() for i in canvas.layer_items("roads"))
    qtbot.waitUntil(lambda: panel.item_of("roads").checkState(0) == Qt.CheckState.Unchecked, timeout=2000)
    roads.opacity = 0.3
    assert all(abs(i.opacity() - 0.3) < 1e-6 for i in canvas.layer_items("roads"))
    canvas.layers.set_order(["roads"])  # to the bottom
    qtbot.waitUntil(lambda: panel.keys_top_first()[-1] == "roads", timeout=2000)
    assert all(i.zValue() == roads.z < canvas.layers["basemap"].z for i in canvas.layer_items("roads"))
    roads.visible = True
    assert all(i.isVisible() for i in canvas.layer_items("roads"))


def test_recolouring_for_another_coverage(canvas, demo_store):
    from gisplanner.campaign import coverage as C

    cov = C.coverage(demo_store, 2)  # the round being planned: nothing visited yet
    canvas.set_coverage(cov, "冬季")
    assert canvas.counts()["area_classes"] == ["not_started"]
    assert "冬季" in canvas.legend_entries()[-2][1] or any("冬季" in e[1] for e in canvas.legend_entries())


def test_base_map_offline_says_so_once(canvas, qtbot, gisplanner_home, demo_facts):
    from gisplanner.ui.map.tiles import TileLayer

    messages = []
    canvas.message.connect(messages.append)
    tiles = TileLayer(canvas, url="http://127.0.0.1:9/{z}/{x}/{y}.png")
    canvas.basemap = tiles
    with qtbot.waitSignal(tiles.signals.failed, timeout=30_000):
        tiles.set_enabled(True)
    qtbot.waitUntil(lambda: not tiles.pending, timeout=30_000)
    tiles.update()
    qtbot.wait(50)
    assert len([m for m in messages if "底图" in m]) == 1
    assert canvas.counts()["points"] == demo_facts.located  # the vectors are untouched


def test_base_map_uses_the_disk_cache(canvas, qtbot, gisplanner_home):
    from gisplanner.ui.map.tiles import TileLayer

    tiles = TileLayer(canvas, url="http://127.0.0.1:9/{z}/{x}/{y}.png")
    canvas.basemap = tiles
    want = tiles.wanted()
    assert 0 < len(want) <= 48
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor("#cfe8cf"))
    for key in want:
        p = tiles._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        img.save(str(p))
    canvas.layers["basemap"].visible = True  # the layer model's event switches the tiles on
    assert tiles.enabled
    tiles.update()
    qtbot.waitUntil(lambda: len(tiles.items) == len(want), timeout=30_000)
    assert all(item.isVisible() for item in tiles.items.values())
