"""Digitising on the map with synthetic mouse events: draw (with snapping), split, merge, undo."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

pytest.importorskip("pytestqt")

from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

LEFT, RIGHT, NOB = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.MouseButton.NoButton
NONE = Qt.KeyboardModifier.NoModifier
DISTRICT = Polygon([(120.00, 31.60), (120.05, 31.60), (120.05, 31.64), (120.00, 31.64)])


@pytest.fixture
def window(open_window, empty_store, monkeypatch):
    import pyqtgraph as pg
    from sqlalchemy import insert

    from gisplanner.store.model import Area

    monkeypatch.setitem(pg.CONFIG_OPTIONS, "mouseRateLimit", 0)
    with empty_store.session() as s:
        s.execute(insert(Area.__table__).values(id=1, code="320412000000", name="武进区", level="district",
                                                boundary=shapely.to_wkb(DISTRICT), version=1))  # fmt: skip
    w = open_window(empty_store, size=(1200, 800), exposed=True)
    w.panels.area_editor.ask_name = lambda level, default: {"town": "雪堰镇"}.get(level, default)
    # room around the district: the gestures reach 30 px beyond its outline, whatever the dock sizes
    w.map_widget.view.scaleBy((1.4, 1.4))
    QApplication.processEvents()
    return w


def proj(w, lon, lat):
    x, y = w.map_widget.data.projection.forward(lon, lat)
    return float(x), float(y)


def px(w, x, y) -> QPointF:
    mw = w.map_widget
    return QPointF(mw.plot.mapFromScene(mw.view.mapViewToScene(QPointF(x, y))))


def send(w, kind, pos, button, buttons, mods=NONE):
    vp = w.map_widget.plot.viewport()
    ev = QMouseEvent(kind, pos, QPointF(vp.mapToGlobal(pos.toPoint())), button, buttons, mods)
    QApplication.sendEvent(vp, ev)


def click(w, x, y, button=LEFT, mods=NONE):
    p = px(w, x, y)
    send(w, QEvent.Type.MouseMove, p, NOB, NOB)
    send(w, QEvent.Type.MouseButtonPress, p, button, button, mods)
    send(w, QEvent.Type.MouseButtonRelease, p, button, NOB, mods)
    QApplication.processEvents()


def edited(w, qtbot, action):
    """Run a gesture that saves an edit and wait for the map to reload."""
    with qtbot.waitSignal(w.mapLoaded, timeout=30_000):
        action()
    assert w.panels.area_editor.last_error == ""


def areas(w, level):
    return w.store.areas_gdf(level=level).set_index("name")


def test_draw_split_merge_undo(window, qtbot):
    w, mw = window, window.map_widget
    assert w.panels.area_level_combo.currentData() == "town"  # a district without towns: draw towns
    # the district's west half: its corners clicked a few pixels off, snapped onto the outline
    mpp = mw.metres_per_pixel()
    sw, nw = proj(w, 120.00, 31.60), proj(w, 120.00, 31.64)
    s_mid, n_mid = proj(w, 120.025, 31.60), proj(w, 120.025, 31.64)
    ring = [(sw[0] + 4 * mpp, sw[1] + 3 * mpp), (s_mid[0], s_mid[1] - 30 * mpp), (n_mid[0], n_mid[1] + 30 * mpp),
            (nw[0] - 3 * mpp, nw[1] - 4 * mpp)]  # fmt: skip
    mw.set_tool("draw_area")
    for x, y in ring:
        click(w, x, y)
    assert mw.tool.item.isVisible()  # the rubber band follows the clicks
    edited(w, qtbot, lambda: click(w, *ring[0]))  # a click on the first vertex closes it
    towns = areas(w, "town")
    assert list(towns.index) == ["雪堰镇"] and towns.loc["雪堰镇", "code"] == "320412001000"
    g = towns.geometry.loc["雪堰镇"]
    coords = shapely.get_coordinates(g)
    # snapped: the corner vertices are exactly the district's (to the millimetre)
    for corner in [(120.0, 31.6), (120.0, 31.64)]:
        assert np.min(np.hypot(coords[:, 0] - corner[0], coords[:, 1] - corner[1])) < 1e-8
    # it overshot north and south by 30 px: clipped to the district
    assert DISTRICT.buffer(1e-9).contains(g)
    assert g.area == pytest.approx(DISTRICT.area / 2, rel=0.01)

    # the view stays where it was (no jump to the full extent after an edit)
    assert mw.metres_per_pixel() == pytest.approx(mpp)
    # split it with a line from outside to outside (finished with a right click)
    mw.set_tool("split_area")
    a, b = proj(w, 120.0125, 31.598), proj(w, 120.0125, 31.642)
    click(w, *a)
    edited(w, qtbot, lambda: (click(w, *b), click(w, *b, RIGHT)))
    towns = areas(w, "town")
    assert len(towns) == 2 and sum(p.area for p in towns.geometry) == pytest.approx(g.area, rel=1e-6)
    assert {"雪堰镇", "雪堰镇（2）"} == set(towns.index)

    # merge them back: click the one to keep, then the other
    mw.set_tool("merge_area")
    keep = towns.geometry.loc["雪堰镇"].representative_point()
    other = towns.geometry.loc["雪堰镇（2）"].representative_point()
    click(w, *proj(w, keep.x, keep.y))
    edited(w, qtbot, lambda: click(w, *proj(w, other.x, other.y)))
    towns = areas(w, "town")
    assert list(towns.index) == ["雪堰镇"] and towns.geometry.iloc[0].area == pytest.approx(g.area, rel=1e-6)

    # undo twice: split again, then the single drawn town; redo brings the merge back
    stack = w.undo_stack
    assert stack.undoText().startswith("合并")
    edited(w, qtbot, stack.undo)
    assert len(areas(w, "town")) == 2
    edited(w, qtbot, stack.undo)
    assert list(areas(w, "town").index) == ["雪堰镇"] and areas(w, "town").geometry.iloc[0].equals_exact(
        g, 1e-12
    )
    edited(w, qtbot, stack.undo)
    assert len(areas(w, "town")) == 0
    edited(w, qtbot, stack.redo)
    assert list(areas(w, "town").index) == ["雪堰镇"]


def test_a_self_intersecting_polygon_is_refused_with_a_message(window, qtbot):
    w, mw = window, window.map_widget
    mw.set_tool("draw_area")
    errors = []
    w.panels.area_editor.failed.connect(errors.append)
    pts = [proj(w, 120.01, 31.61), proj(w, 120.03, 31.63), proj(w, 120.03, 31.61), proj(w, 120.01, 31.63)]
    for x, y in pts:
        click(w, x, y)
    click(w, *pts[-1], RIGHT)
    assert errors and "自相交" in errors[0]
    assert len(areas(w, "town")) == 0 and w.undo_stack.count() == 0


def test_backspace_takes_the_last_vertex_back(window, qtbot):
    w, mw = window, window.map_widget
    mw.set_tool("draw_area")
    for lon, lat in [(120.01, 31.61), (120.02, 31.61), (120.02, 31.62)]:
        click(w, *proj(w, lon, lat))
    tool = mw.tool
    assert len(tool.xy) == 3
    mw.setFocus()
    qtbot.keyClick(mw.plot.viewport(), Qt.Key.Key_Backspace)
    assert len(tool.xy) == 2


def drag(w, path, mods=NONE):
    pts = [px(w, x, y) for x, y in path]
    send(w, QEvent.Type.MouseMove, pts[0], NOB, NOB)
    send(w, QEvent.Type.MouseButtonPress, pts[0], LEFT, LEFT, mods)
    for p in pts[1:]:
        send(w, QEvent.Type.MouseMove, p, NOB, LEFT, mods)
    send(w, QEvent.Type.MouseButtonRelease, pts[-1], LEFT, NOB, mods)
    QApplication.processEvents()


def test_edit_vertices_drag_snaps_and_ctrl_click_deletes(window, qtbot):
    from gisplanner.geo import area_edit as E

    w, mw = window, window.map_widget
    inner = Polygon([(120.01, 31.61), (120.03, 31.61), (120.035, 31.625), (120.03, 31.63), (120.01, 31.63)])
    edit = E.plan_add(w.store, inner, level="town", name="前黄镇", parent_id=1)
    with qtbot.waitSignal(w.mapLoaded, timeout=30_000):
        w.panels.area_editor.write(edit.after)
    mw.set_tool("edit_vertices")
    click(w, *proj(w, 120.02, 31.62))  # select the town: its vertices get handles
    assert mw.tool.area_id == edit.area_ids[0] and mw.tool.handles.isVisible()
    # drag the south-west vertex to within a few pixels of the district's south-west corner
    mpp = mw.metres_per_pixel()
    corner = proj(w, 120.0, 31.6)
    edited(w, qtbot, lambda: drag(w, [proj(w, 120.01, 31.61), (corner[0] + 30 * mpp, corner[1] + 30 * mpp),
                                      (corner[0] + 3 * mpp, corner[1] + 2 * mpp)]))  # fmt: skip
    g = areas(w, "town").geometry.loc["前黄镇"]
    xy = shapely.get_coordinates(g)
    assert np.min(np.hypot(xy[:, 0] - 120.0, xy[:, 1] - 31.6)) < 1e-8  # snapped onto the corner
    assert len(xy) == 6  # still five vertices (closed ring)
    # Ctrl+click on the pointed east vertex deletes it
    edited(w, qtbot, lambda: click(w, *proj(w, 120.035, 31.625), mods=Qt.KeyboardModifier.ControlModifier))
    xy = shapely.get_coordinates(areas(w, "town").geometry.loc["前黄镇"])
    assert len(xy) == 5 and np.min(np.hypot(xy[:, 0] - 120.035, xy[:, 1] - 31.625)) > 1e-3
    edited(w, qtbot, w.undo_stack.undo)
    assert len(shapely.get_coordinates(areas(w, "town").geometry.loc["前黄镇"])) == 6
