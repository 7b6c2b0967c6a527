"""Map tools driven by synthetic mouse events on a small known layout; the table ↔ map link."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent, QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from gisplanner.geo import spatial  # noqa: E402
from gisplanner.io.crs import LocalProjection  # noqa: E402
from gisplanner.ui.map.data import MapData  # noqa: E402

NONE = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
X0, Y0 = 500_000.0, 3_480_000.0  # somewhere in EPSG:4549


def layout() -> MapData:
    """Two villages side by side (A: x 0–1000, B: x 1000–2000), 10 × 10 households in each,
    100 m apart; ids 1..200 (A: 1..100, B: 101..200)."""
    a, b = box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 2000, Y0 + 1000)
    town = box(X0, Y0, X0 + 2000, Y0 + 1000)
    all_areas = gpd.GeoDataFrame(
        {"id": [1, 2, 3], "code": ["t", "a", "b"], "name": ["镇", "甲村", "乙村"],
         "level": ["town", "village", "village"], "parent_id": [np.nan, 1, 1]},
        geometry=[town, a, b], crs="EPSG:4549",
    )  # fmt: skip
    villages = all_areas[all_areas["level"] == "village"].copy()
    villages["targets"] = 100
    villages["met"] = [40, 0]
    gx, gy = np.meshgrid(np.arange(10) * 100 + 50.0, np.arange(10) * 100 + 50.0)
    xs = np.concatenate([gx.ravel(), gx.ravel() + 1000]) + X0
    ys = np.concatenate([gy.ravel(), gy.ravel()]) + Y0
    n = len(xs)
    t = pd.DataFrame({
        "id": np.arange(1, n + 1), "kind": "household", "name": [f"户主{i}" for i in range(1, n + 1)],
        "address": [f"地址{i}号" for i in range(1, n + 1)], "area_id": np.where(np.arange(n) < 100, 2, 3),
        "x": xs, "y": ys, "lon": 0.0, "lat": 0.0, "outcome_code": np.int8(0), "special": False,
        "last_outcome": None, "last_visit": pd.NaT, "open_problems": 0, "overdue_problems": 0,
        "elderly_alone": np.arange(n) % 7 == 0, "disabled": False, "hardship": False,
    })  # fmt: skip
    return MapData(
        projection=LocalProjection(4549), areas=villages, towns=all_areas[all_areas["level"] == "town"],
        targets=t, road_xy=np.empty((0, 2)), road_connect=np.empty(0, bool),
        offices=pd.DataFrame({"area_id": [2, 3], "name": ["甲村", "乙村"], "x": [X0 + 500, X0 + 1500], "y": [Y0 + 500] * 2}),
        all_areas=all_areas, points=spatial.PointIndex(t["id"], xs, ys),
        area_index=spatial.AreaIndex(all_areas["id"], all_areas.geometry, all_areas["level"]),
    )  # fmt: skip


@pytest.fixture
def canvas(qtbot, monkeypatch):
    import pyqtgraph as pg

    from gisplanner.ui.map.canvas import MapWidget

    # synthetic moves come faster than pyqtgraph's 100/s rate limit; a hand never does
    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    from gisplanner.ui.selection import SelectionModel

    w = MapWidget()
    qtbot.addWidget(w)
    w.resize(900, 500)
    w.show()
    qtbot.waitExposed(w)
    stack = QUndoStack()
    w.undo_stack = stack
    w.set_selection_model(SelectionModel(stack))
    w.set_data(layout())
    w.zoom_to(X0, Y0, X0 + 2000, Y0 + 1000, pad=0.02)
    QApplication.processEvents()
    return w


def _px(w, x, y) -> QPointF:
    scene = w.view.mapViewToScene(QPointF(X0 + x, Y0 + y))
    return QPointF(w.plot.mapFromScene(scene))  # whole pixels, as a mouse gives


def _back(w, x, y) -> tuple[float, float]:
    """Where the map sees a mouse at the pixel nearest to (x, y)."""
    p = w.view.mapSceneToView(w.plot.mapToScene(_px(w, x, y).toPoint()))
    return p.x() - X0, p.y() - Y0


def _send(w, kind, pos: QPointF, button, buttons, mods) -> None:
    vp = w.plot.viewport()
    ev = QMouseEvent(kind, pos, QPointF(vp.mapToGlobal(pos.toPoint())), button, buttons, mods)
    QApplication.sendEvent(vp, ev)


def click(w, x, y, mods=NONE) -> None:
    p = _px(w, x, y)
    _send(w, QEvent.Type.MouseButtonPress, p, Qt.MouseButton.LeftButton, Qt.MouseButton.LeftButton, mods)
    _send(w, QEvent.Type.MouseButtonRelease, p, Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton, mods)
    QApplication.processEvents()


def drag(w, path, mods=NONE) -> None:
    """Press at the first map point, move through the others, release at the last."""
    pts = [_px(w, x, y) for x, y in path]
    left = Qt.MouseButton.LeftButton
    _send(w, QEvent.Type.MouseButtonPress, pts[0], left, left, mods)
    for p in pts[1:]:
        _send(w, QEvent.Type.MouseMove, p, Qt.MouseButton.NoButton, left, mods)
    _send(w, QEvent.Type.MouseButtonRelease, pts[-1], left, Qt.MouseButton.NoButton, mods)
    QApplication.processEvents()


def brute(w, geom) -> list[int]:
    t = w.data.targets
    return sorted(
        int(i)
        for i, x, y in zip(t["id"], t["x"], t["y"], strict=True)
        if geom.intersects(Point(x - X0, y - Y0))
    )


def ids(w) -> list[int]:
    return [int(i) for i in w.selection_model.ids]


def test_click_shift_ctrl_and_undo(canvas):
    w = canvas
    w.set_tool("click")
    click(w, 50, 50)  # household 1
    assert ids(w) == [1]
    click(w, 152, 48, SHIFT)  # household 2, added
    assert ids(w) == [1, 2]
    click(w, 1050, 150, SHIFT)  # first row of village B, second row -> id 111
    assert ids(w) == [1, 2, 111]
    click(w, 50, 50, CTRL)  # removed
    assert ids(w) == [2, 111]
    click(w, 1050, 150)  # plain click replaces
    assert ids(w) == [111]
    click(w, 1000, 1030)  # nothing there (between the villages, above the last row): clears
    assert ids(w) == []
    stack = w.undo_stack
    stack.undo()
    assert ids(w) == [111]
    stack.undo()
    assert ids(w) == [2, 111]
    stack.undo()
    assert ids(w) == [1, 2, 111]
    stack.redo()
    assert ids(w) == [2, 111]
    assert w.counts()["selected"] == 2  # the highlight overlay follows


def test_rectangle_select_add_remove(canvas):
    w = canvas
    w.set_tool("rectangle")
    drag(w, [(120, 120), (300, 260), (480, 380)])
    first = brute(w, box(120, 120, 480, 380))
    assert ids(w) == first and len(first) == 12  # x 150..450 (4 columns) × y 150..350 (3 rows)
    drag(w, [(1420, 720), (1600, 880)], SHIFT)
    second = brute(w, box(1420, 720, 1600, 880))
    assert ids(w) == sorted(set(first) | set(second))
    drag(w, [(130, 130), (260, 400)], CTRL)
    assert ids(w) == sorted((set(first) | set(second)) - set(brute(w, box(130, 130, 260, 400))))
    w.undo_stack.undo()
    assert ids(w) == sorted(set(first) | set(second))


def test_lasso_selects_inside_the_freehand_ring(canvas):
    w = canvas
    w.set_tool("lasso")
    ring = [(100, 100), (900, 120), (1500, 500), (900, 900), (300, 700), (120, 400)]
    path = []
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):  # a dense freehand path
        path += [(ax + (bx - ax) * f, ay + (by - ay) * f) for f in np.linspace(0, 1, 8, endpoint=False)]
    drag(w, path)
    want = brute(w, Polygon([_back(w, x, y) for x, y in path]))
    assert ids(w) == want and 20 < len(want) < 200
    assert not w.tools["lasso"].item.isVisible()  # the rubber band goes away


def test_area_tool_selects_the_village(canvas):
    w = canvas
    w.set_tool("area")
    click(w, 1500, 500)
    assert ids(w) == list(range(101, 201))
    click(w, 500, 500, SHIFT)
    assert ids(w) == list(range(1, 201))
    click(w, 1500, 500, CTRL)
    assert ids(w) == list(range(1, 101))


def test_pan_tool_drag_moves_the_view_not_the_selection(canvas):
    w = canvas
    before = w.view.viewRange()[0]
    drag(w, [(500, 500), (600, 500), (800, 500)])
    after = w.view.viewRange()[0]
    assert after[0] < before[0] - 100  # dragged right: the map moved, the view went left
    assert ids(w) == []


def test_table_and_map_stay_in_step_without_echo(canvas, qtbot):
    from PySide6.QtCore import QItemSelectionModel

    from gisplanner.ui.panels.table_panel import TablePanel

    w = canvas
    panel = TablePanel(w.selection_model, w)
    qtbot.addWidget(panel)
    panel.set_data(w.data.targets, w.data.areas)
    assert panel.model.rowCount() == 200
    # map -> table: a rectangle selection selects the same rows
    w.set_tool("rectangle")
    drag(w, [(120, 120), (480, 380)])
    picked = ids(w)
    rows = {i.row() for i in panel.view.selectionModel().selectedRows()}
    assert sorted(panel.model.ids_of_rows(sorted(rows)).tolist()) == picked
    assert w.undo_stack.count() == 1  # mirroring into the table did not push a second step
    # table -> map: selecting rows 10..12 replaces the map selection, once
    sm = panel.view.selectionModel()
    sm.select(
        panel.model.index(10, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert ids(w) == sorted(panel.model.ids_of_rows([10]).tolist())
    assert w.undo_stack.count() == 2
    assert w.counts()["selected"] == 1
    # filters: village B households with the elderly-alone tag
    panel.area.setCurrentIndex(panel.area.findData(3))
    panel.tag.setCurrentIndex(panel.tag.findData("elderly_alone"))
    shown = sorted(panel.model.ids_of_rows(range(panel.model.rowCount())).tolist())
    assert shown == [i for i in range(101, 201) if (i - 1) % 7 == 0]
    # sorting by name descending puts 户主99 before 户主98
    panel.area.setCurrentIndex(0)
    panel.tag.setCurrentIndex(0)
    panel.model.sort(0, Qt.SortOrder.DescendingOrder)
    assert panel.model.ids_of_rows([0, 1]).tolist() == [200, 199]
    # only selected
    w.selection_model.select([5, 7, 9])
    panel.only_selected.setChecked(True)
    assert sorted(panel.model.ids_of_rows(range(panel.model.rowCount())).tolist()) == [5, 7, 9]
    w.undo_stack.undo()
    assert panel.model.rowCount() == 1  # follows the map back


def test_search_finds_targets_and_areas():
    from gisplanner.ui.panels.search_panel import search

    d = layout()
    hits = search(d.targets, d.all_areas, "户主12")
    assert [h.id for h in hits if h.kind == "target"][:2] == [12, 120]
    hits = search(d.targets, d.all_areas, "乙村")
    assert hits[0].kind == "area" and hits[0].id == 3
    assert search(d.targets, d.all_areas, "  ") == []


def test_search_box_zooms_and_selects(canvas, qtbot):
    from gisplanner.ui.panels.search_panel import SearchBox

    class FakeContext:  # the part of the PanelContext the search box uses
        map_widget = canvas
        selection = canvas.selection_model
        messages: list[str] = []

        def show_status(self, message, timeout_ms=0):
            self.messages.append(message)

    box_ = SearchBox(FakeContext())
    qtbot.addWidget(box_)
    box_.setText("地址150号")
    box_.run()
    assert ids(canvas) == [150]
    (x0, x1), (y0, y1) = canvas.view.viewRange()
    t = canvas.data.targets.set_index("id").loc[150]
    assert x0 < t.x < x1 and y0 < t.y < y1 and (x1 - x0) < 1000
