"""The map canvas: a pyqtgraph ViewBox in a local metric CRS with areas, roads and targets.

Public API used by the main window and panels:
- ``MapWidget.set_data(MapData)`` draws everything (prepare MapData off the UI thread with
  ``gisplanner.ui.map.data.load_map_data``);
- ``zoom_full()``, ``zoom_to(xmin, ymin, xmax, ymax)``;
- signals ``cursorMoved(lon, lat)`` and ``targetClicked(target_id, modifiers)``;
- ``counts()`` -> what is drawn (for tests and the status bar).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QPainterPath, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem, QVBoxLayout, QWidget

from gisplanner.ui.map.data import MapData
from gisplanner.ui.map.style import OUTCOME_STYLE, STATUS_COLORS, brush, pen


def polygon_path(geoms) -> QPainterPath:
    """One QPainterPath for many (multi)polygons: one item per colour class, not per polygon."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    for geom in geoms:
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                xy = np.asarray(ring.coords)
                path.addPolygon(QPolygonF([QPointF(float(a), float(b)) for a, b in xy]))
    return path


def area_status(targets: np.ndarray, met: np.ndarray) -> np.ndarray:
    """Status class per area from target and met counts (no targets / not started / partial / complete)."""
    return np.select(
        [targets == 0, met == 0, met < targets], ["no_targets", "not_started", "partial"], "complete"
    ).astype(object)


class MapWidget(QWidget):
    cursorMoved = Signal(float, float)
    targetClicked = Signal(int, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w")
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.view: pg.ViewBox = self.plot.getViewBox()
        self.view.setAspectLocked(True)
        self.view.setMenuEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.data: MapData | None = None
        self.area_items: dict[str, QGraphicsPathItem] = {}
        self.target_items: dict[tuple[str, int], pg.ScatterPlotItem] = {}
        self.road_item = pg.PlotCurveItem(pen=pen("#b0a48a", 1.2))
        self.office_item = pg.ScatterPlotItem(
            symbol="star", size=13, brush=brush("#e6550d"), pen=pen("#7f2704")
        )
        self.labels: list[pg.TextItem] = []
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)

    # -- drawing ---------------------------------------------------------------------------
    def set_data(self, data: MapData) -> None:
        self.data = data
        self.view.clear()
        self.area_items.clear()
        self.target_items.clear()
        areas = data.areas
        status = area_status(areas["targets"].to_numpy(), areas["met"].to_numpy())
        for cls, color in STATUS_COLORS.items():
            geoms = areas.geometry[status == cls]
            if len(geoms) == 0:
                continue
            item = QGraphicsPathItem(polygon_path(geoms))
            item.setBrush(brush(color, 110))
            item.setPen(pen("#555555", 1.0))
            item.setZValue(-10)
            self.view.addItem(item)
            self.area_items[cls] = item
        town_outline = QGraphicsPathItem(polygon_path(data.towns.geometry))
        town_outline.setPen(pen("#222222", 2.2))
        town_outline.setZValue(-5)
        self.view.addItem(town_outline)
        self.road_item.setData(data.road_xy[:, 0], data.road_xy[:, 1], connect=data.road_connect)
        self.road_item.setZValue(-4)
        self.view.addItem(self.road_item)
        t = data.targets
        for kind, size in (("household", 5), ("enterprise", 9), ("notable", 9)):
            kt = t[t["kind"] == kind]
            for code, (color, symbol, _label) in OUTCOME_STYLE.items():
                sub = kt[kt["outcome_code"] == code]
                if sub.empty:
                    continue
                item = pg.ScatterPlotItem(
                    x=sub["x"].to_numpy(), y=sub["y"].to_numpy(), data=sub["id"].to_numpy(),
                    symbol="s" if kind == "enterprise" else ("star" if kind == "notable" else symbol),
                    size=size, brush=brush(color), pen=pen("#333333", 0.5) if kind != "household" else None,
                    pxMode=True,
                )  # fmt: skip
                if kind == "household":
                    item.setPen(None)
                item.sigClicked.connect(self._points_clicked)
                self.view.addItem(item)
                self.target_items[(kind, code)] = item
        self.office_item.setData(x=data.offices["x"].to_numpy(), y=data.offices["y"].to_numpy())
        self.view.addItem(self.office_item)
        self.labels = []
        for row in data.areas.itertuples():
            p = row.geometry.representative_point()
            label = pg.TextItem(row.name, color="#1b1b1b", anchor=(0.5, 1.6))
            label.setPos(p.x, p.y)
            self.view.addItem(label)
            self.labels.append(label)
        self.zoom_full()

    def counts(self) -> dict:
        """What is on the map: areas per class and points drawn (tests, status bar)."""
        return {
            "areas": int(len(self.data.areas)) if self.data is not None else 0,
            "area_classes": sorted(self.area_items),
            "points": sum(len(it.data) for it in self.target_items.values()),
            "roads_vertices": int(len(self.data.road_xy)) if self.data is not None else 0,
        }

    # -- navigation ------------------------------------------------------------------------
    def zoom_full(self) -> None:
        if self.data is not None:
            self.zoom_to(*self.data.extent)

    def zoom_to(self, xmin: float, ymin: float, xmax: float, ymax: float, pad: float = 0.03) -> None:
        self.view.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=pad)

    # -- events ----------------------------------------------------------------------------
    def _mouse_moved(self, pos) -> None:
        if self.data is None:
            return
        p = self.view.mapSceneToView(pos)
        lon, lat = self.data.projection.inverse(p.x(), p.y())
        self.cursorMoved.emit(float(lon), float(lat))

    def _points_clicked(self, item, points, ev) -> None:
        if len(points):
            self.targetClicked.emit(int(points[0].data()), ev.modifiers())
