"""The map canvas: a pyqtgraph ViewBox in a local metric CRS that draws a layer model.

The model is ``layers`` (``gisplanner.ui.map.layers.LayerList``, plain Python with events):
each layer has a name, title, visible, opacity, z and legend; the widget draws every layer
through pyqtgraph items and follows the model's events (a layer shown, faded, moved, its data
replaced). The layer panel edits the model, never the widget's items. The view's parts live in
small modules, mixed into ``MapWidget``: ``paint`` (the built-in vector layers), ``lod`` (level
of detail), ``labels``, ``routes``, ``overlays`` (other features' layers), ``base_layer`` (tiles),
``export``, ``navigation`` and ``picking`` (tools → ids → the selection model, the highlight).

Public API (the main window, the panels and other helpers use these):

- ``MapWidget.set_data(MapData)`` draws everything (prepare MapData off the UI thread with
  ``gisplanner.ui.map.data.load_map_data``); ``set_coverage(coverage, title)`` recolours the
  areas for another round (``data.compute_coverage`` runs off the UI thread).
- navigation: ``zoom_full()``, ``zoom_to(xmin, ymin, xmax, ymax)``, ``zoom_to_area(area_id)``,
  ``zoom_to_ids(target_ids)``, ``zoom_to_selection()``; wheel zooms, middle button pans.
- tools: ``set_tool("pan" | "click" | "rectangle" | "lasso" | "area" | "identify")``; every tool
  turns a gesture into one geometry + modifiers (Shift adds, Ctrl removes) → ``apply_selection``
  → ``gisplanner.geo.spatial`` → the selection model (``set_selection_model(model)``), whose
  ``changed(selected, deselected)`` redraws the highlight overlay.
- layers: ``layers`` (the LayerList: ``layers[key].visible = False``, ``layers.set_order(keys)``),
  the shortcuts ``set_layer_visible(key, on)``, ``set_layer_opacity(key, x)``,
  ``set_layer_order(keys)``; ``layer_items(key)`` → the graphics drawn for a layer; signal
  ``layersChanged`` (any change of the model); ``legend_entries()``.
- overlays for other features: ``add_overlay(key, title, items, legend)`` registers any
  graphics items as a layer (shown in the layer panel, can be hidden and reordered);
  ``overlay_item(key, title, **style)``; ``set_route_overlay(routes)`` (see ``routes``),
  ``clear_route_overlay()``.
- ``export_image(path, extent=None, layers=None, dpi=300, width_mm=180, height_mm=None)``
  renders a view (or a given extent, with the given layer keys only) to PNG or PDF at print
  resolution; works on a MapWidget that was never shown.
- signals ``cursorMoved(lon, lat)``, ``targetClicked(target_id, modifiers)``,
  ``toolChanged(name)``, ``viewChanged()``; ``counts()`` → what is drawn; ``frame_ms()``.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QGraphicsPathItem, QVBoxLayout, QWidget

from gisplanner.ui.map.base_layer import BaseMapMixin
from gisplanner.ui.map.data import MapData
from gisplanner.ui.map.export import ExportMixin
from gisplanner.ui.map.labels import LabelsMixin
from gisplanner.ui.map.layers import Layer, LayerEvent, LayerList
from gisplanner.ui.map.lod import LevelOfDetailMixin
from gisplanner.ui.map.navigation import NavigationMixin
from gisplanner.ui.map.overlays import OverlaysMixin
from gisplanner.ui.map.paint import VectorLayersMixin, polygon_path  # noqa: F401 - polygon_path re-exported
from gisplanner.ui.map.picking import PickingMixin
from gisplanner.ui.map.points import PointLayerItem
from gisplanner.ui.map.routes import RoutesMixin
from gisplanner.ui.map.scalebar import ScaleBarWidget
from gisplanner.ui.map.style import brush, pen
from gisplanner.ui.map.tools import TOOLS, MapTool, MapViewBox

TARGET_LAYERS = ("households", "enterprises")  # the point layers of targets (not problems)
# built-in layers whose items the level of detail shows and hides (not the layer's tick alone)
LOD_LAYERS = ("density", "labels", "households", "enterprises", "problems", "selection", "needs")
DATA_LAYERS = ("areas", "needs", "outlines", "roads", "density", "households", "enterprises",
               "offices", "problems", "labels")  # fmt: skip


class MapWidget(
    VectorLayersMixin, LevelOfDetailMixin, LabelsMixin, PickingMixin, NavigationMixin, OverlaysMixin,
    RoutesMixin, BaseMapMixin, ExportMixin, QWidget,
):  # fmt: skip
    cursorMoved = Signal(float, float)
    targetClicked = Signal(int, object)
    identified = Signal(object)  # the identify tool's result: dict(kind, id, title, rows)
    toolChanged = Signal(str)
    layersChanged = Signal()
    viewChanged = Signal()
    message = Signal(str)  # short notes for the status bar (e.g. base map offline)

    def __init__(self, parent=None, layers: LayerList | None = None):
        super().__init__(parent)
        self.view = MapViewBox(lockAspect=True, enableMenu=False)
        self.plot = pg.PlotWidget(background="w", viewBox=self.view)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.getPlotItem().setContentsMargins(0, 0, 0, 0)
        self.plot.getPlotItem().hideButtons()
        self.view.setAspectLocked(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        self.data: MapData | None = None
        self.coverage = None
        self.selection_model = None
        self.layers = layers if layers is not None else LayerList.default()
        self._items: dict[str, list] = {key: [] for key in self.layers}  # graphics per layer
        self.layers.events.changed.connect(self._model_changed)
        self.area_items: dict[str, QGraphicsPathItem] = {}
        self.point_layers: dict[str, PointLayerItem] = {}
        self.density_item = pg.ImageItem()
        self.road_items = {
            "main": pg.PlotCurveItem(pen=pen("#8c7a5b", 2.2)),
            "lane": pg.PlotCurveItem(pen=pen("#b8ab8f", 1.0)),
        }
        self.office_item = pg.ScatterPlotItem(
            symbol="star", size=13, brush=brush("#e6550d"), pen=pen("#7f2704")
        )
        self.problem_item = pg.ScatterPlotItem(pxMode=True)
        self.selection_item = pg.ScatterPlotItem(pxMode=True, hoverable=False)
        self.selection_density = pg.ImageItem()
        self.selection_layer: PointLayerItem | None = None
        self._selection_hist = None
        self._init_labels()
        self._ids_sorted = np.empty(0, np.int64)
        self._pos_of_sorted = np.empty(0, np.int64)
        self.tools: dict[str, MapTool] = {cls.name: cls(self) for cls in TOOLS}
        self.tool: MapTool = self.tools["pan"]
        self.view.tool = self.tool
        self.scale_bar = ScaleBarWidget(self.plot)
        self._lod_timer = QTimer(self, singleShot=True, interval=40)
        self._lod_timer.timeout.connect(self._update_lod)
        self.view.sigRangeChanged.connect(self._range_changed)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.plot.scene().sigMouseClicked.connect(self._scene_clicked)
        self.last_frame_ms = 0.0
        self.last_frame_cpu_ms = 0.0

    # -- data --------------------------------------------------------------------------------
    def set_data(self, data: MapData, zoom: bool = True) -> None:
        """Draw fresh data (areas, roads, targets, offices, problems) and keep view/selection."""
        keep_range = self.data is not None and not zoom
        old_range = self.view.viewRange() if keep_range else None
        self.data = data
        for key in DATA_LAYERS:
            self._clear_layer(key)
        self.area_items.clear()
        self.point_layers.clear()
        t = data.targets
        ids = t["id"].to_numpy(np.int64)
        order = getattr(data, "id_order", None)  # computed off the UI thread by load_map_data
        if order is None or len(order) != len(ids):
            order = np.argsort(ids, kind="stable")
        self._ids_sorted, self._pos_of_sorted = ids[order], order
        self.coverage = getattr(data, "coverage", None)
        rnd = getattr(data, "coverage_round", None)
        self.layers["areas"].subtitle = rnd[1] if rnd else ""
        self._draw_areas()
        self._draw_outlines()
        self._draw_roads()
        self._draw_points()
        self._draw_density()
        self._draw_offices()
        self._draw_problems()
        self._apply_layer_state()
        self._refresh_selection()
        if old_range is not None:
            self.view.setRange(xRange=old_range[0], yRange=old_range[1], padding=0)
        else:
            self.zoom_full()
        self._update_lod()
        self.layersChanged.emit()

    @property
    def coverage_title(self) -> str:
        """The round the area colours show (the areas layer's subtitle)."""
        return self.layers["areas"].subtitle

    def set_coverage(self, coverage, title: str = "") -> None:
        """Recolour the areas (and need overlays) from a ``coverage.Coverage``."""
        self.coverage = coverage
        self.layers["areas"].subtitle = title
        if self.data is None:
            return
        self._clear_layer("areas")
        self._clear_layer("needs")
        self.area_items.clear()
        self._draw_areas()
        self._apply_layer_state()

    # -- the layers' graphics -----------------------------------------------------------------
    def layer_items(self, key: str) -> list:
        """The graphics items drawn for a layer (the view's side of the model)."""
        return self._items.setdefault(key, [])

    def _add(self, key: str, item, ignore_bounds: bool = False) -> None:
        layer = self.layers[key]
        # no QGraphicsItem cache for the big paths: measured slower (hatches 17 → 11 ms a frame)
        self.layer_items(key).append(item)
        item.setZValue(layer.z)
        if layer.opacity < 1.0:
            item.setOpacity(layer.opacity)
        self.view.addItem(item, ignoreBounds=ignore_bounds)

    def _clear_layer(self, key: str, legend: bool = True) -> None:
        items = self.layer_items(key)
        for item in items:
            if key == "labels":  # a pool, reused
                item.setVisible(False)
                continue
            self.view.removeItem(item)
        if key != "labels":
            items.clear()
        if legend and key in self.layers:
            self.layers[key].legend = []

    def _apply_layer_state(self) -> None:
        for key, layer in self.layers.items():
            for item in self.layer_items(key):
                item.setZValue(layer.z)
                if key in LOD_LAYERS:
                    continue  # level of detail decides (see _update_lod)
                item.setVisible(layer.visible)
        self._update_lod()

    def _model_changed(self, ev: LayerEvent) -> None:
        """The layer model changed (the panel, a feature or this widget edited it): redraw what
        the change touches, then tell listeners (``layersChanged``)."""
        layer = ev.layer
        if ev.type == "visible":
            self._visibility_changed(layer)
        elif ev.type == "opacity":
            for item in self.layer_items(layer.name):
                item.setOpacity(layer.opacity)
        elif ev.type == "z":
            for item in self.layer_items(layer.name):
                item.setZValue(layer.z)
        elif ev.type == "data" and layer.name == "routes":
            self._draw_routes()
        elif ev.type == "data" and layer.overlay:
            self._draw_overlay(layer)
        elif ev.type in ("inserted", "moved"):
            self._apply_layer_state()
        elif ev.type == "removed":
            self._clear_layer(layer.name, legend=False)
            self._items.pop(layer.name, None)
        self.layersChanged.emit()

    def _visibility_changed(self, layer: Layer) -> None:
        if layer.name == "basemap":
            self._ensure_basemap(layer.visible)
        self._apply_layer_state()

    def set_layer_visible(self, key: str, visible: bool) -> None:
        """``layers[key].visible = visible``; asked again with the same value it re-applies
        (a new base map source is switched on this way)."""
        layer = self.layers[key]
        if layer.visible == bool(visible):
            self._visibility_changed(layer)
            self.layersChanged.emit()
        else:
            layer.visible = visible

    def set_layer_opacity(self, key: str, opacity: float) -> None:
        """0 (invisible) … 1 (opaque); kept for items added to the layer later."""
        self.layers[key].opacity = opacity

    def set_layer_order(self, keys: list[str]) -> None:
        """Draw order, bottom first (``LayerList.set_order``: the selection stays on top)."""
        self.layers.set_order(keys)

    def legend_entries(self) -> list[tuple[str, str, list]]:
        """(layer key, title, legend rows) in draw order, top first."""
        return self.layers.legend_entries()

    # -- measurement ------------------------------------------------------------------------------
    def counts(self) -> dict:
        """What is on the map: areas per class and points drawn (tests, status bar)."""
        d = self.data
        return {
            "areas": int(len(d.areas)) if d is not None else 0,
            "area_classes": sorted(self.area_items),
            "points": sum(len(pl) for k, pl in self.point_layers.items() if k in TARGET_LAYERS),
            "points_loaded": sum(pl.loaded for k, pl in self.point_layers.items() if k in TARGET_LAYERS),
            "problems": len(self.point_layers["problems"]) if "problems" in self.point_layers else 0,
            "aggregated": self.is_aggregated(),
            "roads_vertices": int(len(d.road_xy)) if d is not None else 0,
            "labels": sum(1 for lb in self.labels if lb.isVisible()),
            "selected": len(self.selection_layer) if self.selection_layer is not None else 0,
        }

    def frame_ms(self) -> float:
        """Time of one synchronous repaint of the map's viewport, as the user sees it (bench/)."""
        self._lod_timer.stop()
        self._update_lod()
        t, c = time.perf_counter(), time.thread_time()
        self.plot.viewport().repaint()
        self.last_frame_ms = (time.perf_counter() - t) * 1e3
        self.last_frame_cpu_ms = (time.thread_time() - c) * 1e3  # unaffected by other processes
        return self.last_frame_ms

    # -- events ----------------------------------------------------------------------------------
    def _range_changed(self, *_):
        self.scale_bar.update_scale(self.metres_per_pixel() if self.data is not None else 0.0)
        self._lod_timer.start()
        self.viewChanged.emit()

    def _mouse_moved(self, pos) -> None:
        if self.data is None:
            return
        p = self.view.mapSceneToView(pos)
        lon, lat = self.data.projection.inverse(p.x(), p.y())
        if math.isfinite(lon) and math.isfinite(lat):
            self.cursorMoved.emit(float(lon), float(lat))

    def _scene_clicked(self, ev) -> None:
        """Every left click on the map goes to the active tool, whatever item is on top."""
        if ev.button() != Qt.MouseButton.LeftButton or self.tool is None or ev.double():
            return
        if not self.view.sceneBoundingRect().contains(ev.scenePos()):
            return
        self.tool.click(self.view.mapSceneToView(ev.scenePos()), ev.modifiers())
