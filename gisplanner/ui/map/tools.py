"""Map tools: small objects that turn mouse gestures into ONE geometry plus modifiers.

Modelled on QGIS's ``QgsMapToolSelectionHandler``: a tool never selects anything itself; it
hands a shapely geometry (projected, metres) and the selection mode derived from the keyboard
modifiers — Shift adds, Ctrl removes, none replaces — to ``MapWidget.apply_selection``,
which asks ``gisplanner.geo.spatial`` for ids and updates the selection model.

Left-button gestures go to the active tool; the middle button always pans and the wheel
always zooms, so every tool can still navigate.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem
from shapely.geometry import Point, Polygon

from gisplanner.ui.map.style import brush, pen

CLICK_TOLERANCE_PX = 8


def selection_mode(modifiers) -> str:
    """Shift → add, Ctrl (Cmd on macOS) → remove, otherwise replace."""
    mods = Qt.KeyboardModifier(modifiers) if not isinstance(modifiers, Qt.KeyboardModifier) else modifiers
    if mods & Qt.KeyboardModifier.ControlModifier:
        return "remove"
    if mods & Qt.KeyboardModifier.ShiftModifier:
        return "add"
    return "replace"


class MapTool:
    """Base class: ``name``, Chinese ``title``; override the gesture hooks you need."""

    name = "pan"
    title = "平移"
    cursor = Qt.CursorShape.OpenHandCursor
    handles_drag = False  # False: left drags pan the map

    def __init__(self, canvas):
        self.canvas = canvas

    def click(self, pos: QPointF, modifiers) -> None:  # pos in map coordinates
        pass

    def drag(self, start: QPointF, pos: QPointF, modifiers, phase: str) -> None:  # phase: start/move/finish
        pass

    def deactivate(self) -> None:
        pass


class PanTool(MapTool):
    """Drag pans; a click on a point still picks it, a click on empty ground changes nothing."""

    def click(self, pos, modifiers) -> None:
        self.canvas.apply_selection(
            "click", Point(pos.x(), pos.y()), selection_mode(modifiers), clear_on_miss=False
        )


class ClickSelectTool(MapTool):
    name = "click"
    title = "点选"
    cursor = Qt.CursorShape.PointingHandCursor

    def click(self, pos, modifiers) -> None:
        self.canvas.apply_selection("click", Point(pos.x(), pos.y()), selection_mode(modifiers))


class _RubberBandTool(MapTool):
    handles_drag = True
    cursor = Qt.CursorShape.CrossCursor

    def __init__(self, canvas):
        super().__init__(canvas)
        self.item = None

    def _ensure_item(self):
        raise NotImplementedError

    def deactivate(self) -> None:
        if self.item is not None:
            self.canvas.view.removeItem(self.item)
            self.item = None


class RectangleSelectTool(_RubberBandTool):
    name = "rectangle"
    title = "框选"

    def drag(self, start, pos, modifiers, phase) -> None:
        if self.item is None:
            self.item = QGraphicsRectItem()
            self.item.setPen(pen("#00838f", 1.5, style=Qt.PenStyle.DashLine))
            self.item.setBrush(brush("#00e5ff", 40))
            self.item.setZValue(1000)
            self.canvas.view.addItem(self.item, ignoreBounds=True)
        x0, x1 = sorted((start.x(), pos.x()))
        y0, y1 = sorted((start.y(), pos.y()))
        self.item.setRect(x0, y0, x1 - x0, y1 - y0)
        self.item.setVisible(phase != "finish")
        if phase == "finish":
            self.canvas.apply_selection(
                "rectangle", Polygon.from_bounds(x0, y0, x1, y1), selection_mode(modifiers)
            )


class LassoSelectTool(_RubberBandTool):
    """Freehand polygon: the drag path, closed when the button is released."""

    name = "lasso"
    title = "套索选择"

    def __init__(self, canvas):
        super().__init__(canvas)
        self.xy: list[tuple[float, float]] = []

    def drag(self, start, pos, modifiers, phase) -> None:
        if phase == "start":
            self.xy = [(start.x(), start.y())]
        self.xy.append((pos.x(), pos.y()))
        if self.item is None:
            self.item = QGraphicsPathItem()
            self.item.setPen(pen("#00838f", 1.5, style=Qt.PenStyle.DashLine))
            self.item.setBrush(brush("#00e5ff", 40))
            self.item.setZValue(1000)
            self.canvas.view.addItem(self.item, ignoreBounds=True)
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in self.xy]))
        path.closeSubpath()
        self.item.setPath(path)
        self.item.setVisible(phase != "finish")
        if phase == "finish":
            ring = np.asarray(self.xy, float)
            self.xy = []
            if len(ring) >= 3:
                self.canvas.apply_selection("lasso", ring, selection_mode(modifiers))


class AreaSelectTool(MapTool):
    """Click a village: selects its targets (by membership, not by geometry)."""

    name = "area"
    title = "按村选择"
    cursor = Qt.CursorShape.PointingHandCursor

    def click(self, pos, modifiers) -> None:
        self.canvas.apply_selection("area", Point(pos.x(), pos.y()), selection_mode(modifiers))


class IdentifyTool(MapTool):
    """Click a feature: its attributes (target, else the village there) via ``identified``."""

    name = "identify"
    title = "识别"
    cursor = Qt.CursorShape.WhatsThisCursor

    def click(self, pos, modifiers) -> None:
        self.canvas.identified.emit(self.canvas.identify(pos.x(), pos.y()))


TOOLS = (PanTool, ClickSelectTool, RectangleSelectTool, LassoSelectTool, AreaSelectTool, IdentifyTool)


class MapViewBox(pg.ViewBox):
    """A ViewBox that hands left-button drags to the canvas's active tool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tool: MapTool | None = None
        self._drag_start: QPointF | None = None

    def mouseClickEvent(self, ev) -> None:
        # left clicks reach the tool through the scene's sigMouseClicked (see MapWidget), which
        # fires even when a scatter item on top has taken the click
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            return
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()  # no context menu on the map
            return
        super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:
        tool = self.tool
        if ev.button() == Qt.MouseButton.LeftButton and tool is not None and tool.handles_drag:
            ev.accept()
            pos = self.mapSceneToView(ev.scenePos())
            if ev.isStart():
                self._drag_start = self.mapSceneToView(ev.buttonDownScenePos())
                tool.drag(self._drag_start, pos, ev.modifiers(), "start")
            elif ev.isFinish():
                tool.drag(self._drag_start or pos, pos, ev.modifiers(), "finish")
                self._drag_start = None
            else:
                tool.drag(self._drag_start or pos, pos, ev.modifiers(), "move")
            return
        if ev.button() == Qt.MouseButton.RightButton:
            ev.ignore()
            return
        super().mouseDragEvent(ev, axis)
