"""The map canvas: a pyqtgraph ViewBox in a local metric CRS with layers, tools and overlays.

Public API (the main window, the panels and other helpers use these):

- ``MapWidget.set_data(MapData)`` draws everything (prepare MapData off the UI thread with
  ``gisplanner.ui.map.data.load_map_data``); ``set_coverage(coverage, title)`` recolours the
  areas for another round (``data.compute_coverage`` runs off the UI thread).
- navigation: ``zoom_full()``, ``zoom_to(xmin, ymin, xmax, ymax)``, ``zoom_to_area(area_id)``,
  ``zoom_to_ids(target_ids)``, ``zoom_to_selection()``; wheel zooms, middle button pans.
- tools: ``set_tool("pan" | "click" | "rectangle" | "lasso" | "area")``; every tool turns a
  gesture into one geometry + modifiers (Shift adds, Ctrl removes) → ``apply_selection`` →
  ``gisplanner.spatial`` → the selection model (``set_selection_model(model)``), whose
  ``changed(selected, deselected)`` redraws the highlight overlay.
- layers: ``layers`` (ordered dict key → Layer), ``set_layer_visible(key, on)``,
  ``set_layer_order(keys)``, signal ``layersChanged``; ``legend_entries()``.
- overlays for other features: ``add_overlay(key, title, items, legend)`` registers any
  graphics items as a layer (shown in the layer panel, can be hidden and reordered);
    ``set_route_overlay(routes)`` — routes is a list of dicts
    ``{"xy": (n, 2) array of projected vertices (or "lonlat": (n, 2) WGS84),
       "stops": (m, 2) array of stop positions (projected, or "stops_lonlat"),
       "labels": optional list of m strings (default 1..m), "color": optional "#rrggbb",
       "name": optional team name}`` — draws each route as a line with numbered stops;
    ``clear_route_overlay()``.
- ``export_image(path, extent=None, layers=None, dpi=300, width_mm=180, height_mm=None)``
  renders a view (or a given extent, with the given layer keys only) to PNG or PDF at print
  resolution; works on a MapWidget that was never shown.
- signals ``cursorMoved(lon, lat)``, ``targetClicked(target_id, modifiers)``,
  ``toolChanged(name)``, ``viewChanged()``; ``counts()`` → what is drawn; ``frame_ms()``.

Level of detail: point layers keep at most ``MAX_POINTS_LOADED`` points in their
ScatterPlotItem — the ones around the view, reloaded when the view leaves the loaded window;
when more than that are in view (a city at low zoom) households are drawn as a density grid
and the areas' colours carry the picture.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPageSize, QPainter, QPainterPath, QPdfWriter
from PySide6.QtWidgets import QApplication, QGraphicsPathItem, QVBoxLayout, QWidget

from gisplanner import spatial
from gisplanner.area_tree import subtree_ids
from gisplanner.ui.map import style as S
from gisplanner.ui.map.data import MapData, grid_counts
from gisplanner.ui.map.scalebar import ScaleBarWidget, draw_scale_bar
from gisplanner.ui.map.style import OUTCOME_STYLE, STATUS_COLORS, brush, pen
from gisplanner.ui.map.tools import CLICK_TOLERANCE_PX, TOOLS, MapTool, MapViewBox

MAX_POINTS_LOADED = 60_000  # points kept in one ScatterPlotItem (the window around the view)
MAX_LABELS = 160
MIN_VILLAGE_PX_FOR_HATCH = 40  # below this the need hatches are noise (and slow): hidden
MAX_OTHER_POINTS = 6_000  # enterprises, problems: beyond this many in view they wait for a closer zoom
TARGET_LAYERS = ("households", "enterprises")  # the point layers of targets (not problems)


def polygon_path(geoms) -> QPainterPath:
    """One QPainterPath for many (multi)polygons: one item per colour class, not per polygon."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    rings = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon":
                continue
            rings.extend([poly.exterior, *poly.interiors])
    if not rings:
        return path
    xy = [shapely.get_coordinates(r) for r in rings]
    allxy = np.vstack(xy)
    connect = np.ones(len(allxy), bool)
    ends = np.cumsum([len(a) for a in xy]) - 1
    connect[ends] = False  # break between rings
    sub = pg.arrayToQPath(allxy[:, 0], allxy[:, 1], connect=connect)
    sub.setFillRule(Qt.FillRule.OddEvenFill)
    # arrayToQPath leaves rings open; closing each is implicit when filling
    path.addPath(sub)
    return path


def kind_codes(kind) -> np.ndarray:
    """0 household, 1 enterprise, 2 notable (hashed once: comparing millions of strings is slow)."""
    kc = pd.Categorical(kind, categories=["household", "enterprise", "notable"]).codes.astype(np.int64)
    kc[kc < 0] = 2
    return kc


def area_status(targets: np.ndarray, met: np.ndarray) -> np.ndarray:
    """Status class per area from target and met counts (no targets / not started / partial / complete)."""
    return np.select(
        [targets == 0, met == 0, met < targets], ["no_targets", "not_started", "partial"], "complete"
    ).astype(object)


@dataclass
class Layer:
    """One entry of the layer panel: some graphics items shown and hidden together."""

    key: str
    title: str
    items: list = field(default_factory=list)
    visible: bool = True
    z: float = 0.0
    legend: list = field(default_factory=list)  # (kind, colour, symbol or pattern, label)
    opacity: float = 1.0
    overlay: bool = False  # registered by a feature panel (add_overlay / overlay_layer)


LAYER_DEFS = [
    # key, title, z, visible by default
    ("basemap", "底图（瓦片）", -100, False),
    ("areas", "走访覆盖（村/社区）", -50, True),
    ("needs", "下轮需求（补课/重点/回头）", -40, True),
    ("outlines", "行政区界线", -30, True),
    ("roads", "道路", -20, True),
    ("density", "住户密度（缩小时）", -10, True),
    ("households", "群众家庭", 0, True),
    ("enterprises", "企业与名士", 2, True),
    ("offices", "村（居）委会", 4, True),
    ("problems", "问题（未办结/超期）", 6, True),
    ("routes", "走访路线", 8, True),
    ("labels", "地名标注", 12, True),
    ("selection", "选中对象", 30, True),  # always drawn on top (see _selection_on_top)
]


class PointLayerItem:
    """One ScatterPlotItem for a point layer, fed from full arrays with a window around the view.

    Styles come from a small cached palette: ``codes`` index ``palette`` entries (symbol,
    size, pen, brush) whose QPen/QBrush objects are shared — never one brush per point.
    """

    def __init__(
        self, ids, x, y, codes, palette: dict[int, tuple], item: pg.ScatterPlotItem | None = None,
        max_points: int | None = None, presorted: bool = False,
    ):  # fmt: skip
        order = np.arange(len(x)) if presorted else np.argsort(x, kind="stable")
        self.ids, self.x, self.y, self.codes = ids[order], x[order], y[order], codes[order]
        self.palette = palette
        uniq = sorted(palette)
        self._sym = np.array([palette[c][0] for c in uniq], dtype=object)
        self._size = np.array([palette[c][1] for c in uniq], dtype=float)
        self._pen = np.empty(len(uniq), dtype=object)
        self._brush = np.empty(len(uniq), dtype=object)
        for i, c in enumerate(uniq):
            self._pen[i], self._brush[i] = palette[c][2], palette[c][3]
        # palette index per point, vectorised (no Python loop over millions of points)
        self._k = np.searchsorted(np.asarray(uniq, np.int64), np.asarray(self.codes, np.int64))
        self.item = item if item is not None else pg.ScatterPlotItem(pxMode=True, hoverable=False)
        self.item.opts["useCache"] = True
        self.window: tuple[float, float, float, float] | None = None
        self.loaded = 0
        self.overflow = False  # too many points in view: the layer is aggregated
        self.max_points = max_points  # None: MAX_POINTS_LOADED

    def __len__(self) -> int:
        return len(self.ids)

    def _positions(self, x0, y0, x1, y1) -> np.ndarray:
        lo = np.searchsorted(self.x, x0, "left")
        hi = np.searchsorted(self.x, x1, "right")
        ys = self.y[lo:hi]
        return lo + np.flatnonzero((ys >= y0) & (ys <= y1))

    def count_in(self, rect) -> int:
        return len(self._positions(*rect))

    def update_window(self, view: tuple[float, float, float, float], force: bool = False) -> bool:
        """Load the points around ``view``; returns False when there are too many (aggregate)."""
        cap = self.max_points or MAX_POINTS_LOADED
        if len(self) <= cap:
            if self.window is None or force:
                self._load(np.arange(len(self)), (-np.inf, -np.inf, np.inf, np.inf))
            self.overflow = False
            return True
        w = self.window
        if (not force and w is not None and not self.overflow
                and w[0] <= view[0] and w[1] <= view[1] and w[2] >= view[2] and w[3] >= view[3]):  # fmt: skip
            return True
        pos_view = self._positions(*view)
        if len(pos_view) > cap:
            self.overflow = True
            self.item.setData(x=[], y=[])
            self.window, self.loaded = None, 0
            return False
        self.overflow = False
        dx, dy = view[2] - view[0], view[3] - view[1]
        for grow in (1.0, 0.5, 0.2, 0.0):  # as wide a window as the budget allows
            win = (view[0] - grow * dx, view[1] - grow * dy, view[2] + grow * dx, view[3] + grow * dy)
            pos = self._positions(*win) if grow else pos_view
            if len(pos) <= cap:
                break
        self._load(pos, win)
        return True

    def _load(self, pos: np.ndarray, window) -> None:
        if len(self._sym) == 1:  # one style: pass it once, not per point (much faster)
            self.item.setData(
                x=self.x[pos], y=self.y[pos], data=self.ids[pos],
                symbol=self._sym[0], size=float(self._size[0]), pen=self._pen[0], brush=self._brush[0],
            )  # fmt: skip
        else:
            k = self._k[pos]
            self.item.setData(
                x=self.x[pos], y=self.y[pos], data=self.ids[pos],
                symbol=self._sym[k], size=self._size[k], pen=self._pen[k], brush=self._brush[k],
            )  # fmt: skip
        self.window, self.loaded = window, len(pos)


class MapWidget(QWidget):
    cursorMoved = Signal(float, float)
    targetClicked = Signal(int, object)
    identified = Signal(object)  # the identify tool's result: dict(kind, id, title, rows)
    toolChanged = Signal(str)
    layersChanged = Signal()
    viewChanged = Signal()
    message = Signal(str)  # short notes for the status bar (e.g. base map offline)

    def __init__(self, parent=None):
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
        self.coverage_title = ""
        self.selection_model = None
        self.layers: dict[str, Layer] = {}
        for key, title, z, visible in LAYER_DEFS:
            self.layers[key] = Layer(key, title, visible=visible, z=z)
        self.area_items: dict[str, QGraphicsPathItem] = {}
        self.target_items: dict[tuple[str, int], pg.ScatterPlotItem] = {}
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
        self.labels: list[pg.TextItem] = []
        self._label_pool: list[pg.TextItem] = []
        self.route_items: list = []
        self.routes: list[dict] = []
        self._ids_sorted = np.empty(0, np.int64)
        self._pos_of_sorted = np.empty(0, np.int64)
        self.tools: dict[str, MapTool] = {cls.name: cls(self) for cls in TOOLS}
        self.tool: MapTool = self.tools["pan"]
        self.view.tool = self.tool
        self.scale_bar = ScaleBarWidget(self.plot)
        self.basemap = None  # gisplanner.ui.map.tiles.TileLayer, created on demand
        self.basemap_source = None  # gisplanner.basemap.TileSource; None: QSettings map/tile_url
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
        for key in ("areas", "needs", "outlines", "roads", "density", "households", "enterprises",
                    "offices", "problems", "labels"):  # fmt: skip
            self._clear_layer(key)
        self.area_items.clear()
        self.target_items.clear()
        self.point_layers.clear()
        t = data.targets
        ids = t["id"].to_numpy(np.int64)
        order = getattr(data, "id_order", None)  # computed off the UI thread by load_map_data
        if order is None or len(order) != len(ids):
            order = np.argsort(ids, kind="stable")
        self._ids_sorted, self._pos_of_sorted = ids[order], order
        self.coverage = getattr(data, "coverage", None)
        rnd = getattr(data, "coverage_round", None)
        self.coverage_title = rnd[1] if rnd else ""
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

    def set_coverage(self, coverage, title: str = "") -> None:
        """Recolour the areas (and need overlays) from a ``coverage.Coverage``."""
        self.coverage = coverage
        self.coverage_title = title
        if self.data is None:
            return
        self._clear_layer("areas")
        self._clear_layer("needs")
        self.area_items.clear()
        self._draw_areas()
        self._apply_layer_state()
        self.layersChanged.emit()

    def _add(self, key: str, item, ignore_bounds: bool = False) -> None:
        layer = self.layers[key]
        # no QGraphicsItem cache for the big paths: measured slower (hatches 17 → 11 ms a frame)
        layer.items.append(item)
        item.setZValue(layer.z)
        if layer.opacity < 1.0:
            item.setOpacity(layer.opacity)
        self.view.addItem(item, ignoreBounds=ignore_bounds)

    def _clear_layer(self, key: str) -> None:
        for item in self.layers[key].items:
            if key == "labels":
                item.setVisible(False)
                continue
            self.view.removeItem(item)
        if key != "labels":
            self.layers[key].items = []
        self.layers[key].legend = []

    def _village_status(self) -> np.ndarray:
        areas = self.data.areas
        if self.coverage is not None:
            st = self.coverage.areas["status"].astype(str).reindex(areas["id"].to_numpy()).fillna("empty")
            return np.array([S.STATUS_ALIASES.get(s, s) for s in st], dtype=object)
        return area_status(areas["targets"].to_numpy(), areas["met"].to_numpy())

    def _draw_areas(self) -> None:
        areas = self.data.areas
        status = self._village_status()
        layer = self.layers["areas"]
        for cls, color in STATUS_COLORS.items():
            geoms = areas.geometry[status == cls]
            n = len(geoms)
            layer.legend.append(("fill", color, None, f"{S.STATUS_ZH[cls]}（{n}）"))
            if n == 0:
                continue
            item = QGraphicsPathItem(polygon_path(geoms))
            item.setBrush(brush(color, S.STATUS_ALPHA))
            item.setPen(pen("#6b6b6b", 0.8))
            self._add("areas", item)
            self.area_items[cls] = item
        if self.coverage is None:
            return
        cov = self.coverage.areas.reindex(areas["id"].to_numpy())
        nl = self.layers["needs"]
        for need, (color, pattern, label) in S.NEED_STYLE.items():
            flag = cov[f"need_{need}"].fillna(False).to_numpy(bool)
            nl.legend.append(
                ("hatch" if pattern else "outline", color, pattern, f"{label}（{int(flag.sum())}）")
            )
            if not flag.any():
                continue
            geoms = areas.geometry[flag]
            if pattern is not None:
                item = QGraphicsPathItem(polygon_path(geoms))
                item.setBrush(brush(color, 110, pattern))
                item.setPen(pen(color, 0.0, style=Qt.PenStyle.NoPen))
            else:
                item = QGraphicsPathItem(polygon_path([g.buffer(-25) for g in geoms]))
                item.setBrush(brush("#000000", 0))
                item.setPen(pen(color, 2.4, style=Qt.PenStyle.DashLine))
            self._add("needs", item)

    def _draw_outlines(self) -> None:
        d = self.data  # village edges are the area fills' own pens
        upper = d.towns.geometry
        if d.all_areas is not None:
            upper = d.all_areas.geometry[d.all_areas["level"].isin(["town", "district"]).to_numpy()]
        item = QGraphicsPathItem(polygon_path(upper))
        item.setPen(pen("#222222", 2.2))
        self._add("outlines", item)
        self.layers["outlines"].legend = [
            ("line", "#222222", None, "镇/街道、区界"),
            ("line", "#555555", None, "村/社区界"),
        ]

    def _draw_roads(self) -> None:
        d = self.data
        kinds = (
            d.road_kinds if len(d.road_kinds) == len(d.road_xy) else np.full(len(d.road_xy), "lane", object)
        )
        for kind, item in self.road_items.items():
            m = kinds == kind
            if m.any():
                xy, con = d.road_xy[m], d.road_connect[m].copy()
                item.setData(xy[:, 0], xy[:, 1], connect=con)
            else:
                item.setData([], [])
            self._add("roads", item)
        self.layers["roads"].legend = [
            ("line", "#8c7a5b", None, "主要道路"),
            ("line", "#b8ab8f", None, "村道小巷"),
        ]

    def _draw_points(self) -> None:
        t = self.data.targets
        # kind as small codes, hashed once (comparing millions of strings is slow)
        if "kind_code" in t:  # load_map_data codes kinds off the UI thread
            kc = t["kind_code"].to_numpy(np.int64)
        else:
            kc = kind_codes(t["kind"])
        codes = S.style_codes_from(kc, t["outcome_code"].to_numpy(), t["special"].to_numpy())
        for key, kinds in (("households", [0]), ("enterprises", [1, 2])):
            m = (kc == kinds[0]) if len(kinds) == 1 else (kc >= kinds[0])
            xo = getattr(self.data, "x_order", None)
            pos = xo[m[xo]] if xo is not None and len(xo) == len(t) else np.flatnonzero(m)
            palette = {int(c): S.style_of_code(int(c)) for c in np.unique(codes[pos])}
            layer = PointLayerItem(
                t["id"].to_numpy(np.int64)[pos], t["x"].to_numpy()[pos], t["y"].to_numpy()[pos], codes[pos],
                palette, max_points=None if key == "households" else MAX_OTHER_POINTS,
                presorted=xo is not None and len(xo) == len(t),
            )  # fmt: skip
            layer.item.sigClicked.connect(self._points_clicked)
            self.point_layers[key] = layer
            self._add(key, layer.item)
            for k in kinds:
                self.target_items[(("household", "enterprise", "notable")[k], -1)] = layer.item  # by kind
        hl = self.layers["households"]
        hl.legend = [("symbol", c, sym, label) for c, sym, label in OUTCOME_STYLE.values()]
        hl.legend.append(("ring", S.SPECIAL_PEN, "o", "特殊群体（黑圈）"))
        self.layers["enterprises"].legend = [
            ("symbol", "#9e9e9e", "s", "企业（方块）"),
            ("symbol", "#9e9e9e", "star", "名士（星）"),
        ]

    def _draw_density(self) -> None:
        d = self.data.density
        if d is None:
            return
        img = np.log1p(d.counts.T)  # ImageItem wants (x, y)
        top = float(img.max()) or 1.0
        self.density_item.setImage(img, levels=(0, top), autoLevels=False)
        lut = np.zeros((256, 4), np.ubyte)
        ramp = pg.colormap.get("cividis").getLookupTable(0.0, 1.0, 256)
        lut[:, :3] = ramp[:, :3]
        lut[:, 3] = np.clip(np.linspace(0, 420, 256), 0, 230).astype(np.ubyte)
        lut[0, 3] = 0
        self.density_item.setLookupTable(lut)
        self.density_item.setRect(QRectF(d.x0, d.y0, d.counts.shape[1] * d.cell, d.counts.shape[0] * d.cell))
        self.density_item.setVisible(False)
        self._add("density", self.density_item, ignore_bounds=True)
        self.layers["density"].legend = [
            ("fill", "#fee838", None, "住户多"),
            ("fill", "#00204d", None, "住户少"),
        ]

    def _draw_offices(self) -> None:
        o = self.data.offices
        self.office_item.setData(x=o["x"].to_numpy(), y=o["y"].to_numpy(), data=o["area_id"].to_numpy())
        self._add("offices", self.office_item)
        self.layers["offices"].legend = [("symbol", S.OFFICE_STYLE[0], "star", S.OFFICE_STYLE[2])]

    def _draw_problems(self) -> None:
        """Targets with open problems (overdue ones darker and larger), windowed like the points."""
        t = self.data.targets
        openp = t["open_problems"].to_numpy() > 0 if "open_problems" in t else np.zeros(len(t), bool)
        over = t["overdue_problems"].to_numpy() > 0 if "overdue_problems" in t else np.zeros(len(t), bool)
        m = openp | over
        oc, osym, olabel = S.PROBLEM_STYLE["open"]
        vc, vsym, vlabel = S.PROBLEM_STYLE["overdue"]
        palette = {
            0: (osym, 7.0, pen("#ffffff", 0.5), brush(oc)),
            1: (vsym, 8.0, pen("#ffffff", 0.5), brush(vc)),
        }
        layer = PointLayerItem(
            t["id"].to_numpy(np.int64)[m], t["x"].to_numpy()[m], t["y"].to_numpy()[m],
            over[m].astype(np.int64), palette, item=self.problem_item, max_points=MAX_OTHER_POINTS,
        )  # fmt: skip
        self.point_layers["problems"] = layer
        self._add("problems", self.problem_item)
        self.layers["problems"].legend = [
            ("symbol", oc, osym, f"{olabel}（{int((openp & ~over).sum())}）"),
            ("symbol", vc, vsym, f"{vlabel}（{int(over.sum())}）"),
        ]

    # -- layers -----------------------------------------------------------------------------
    def set_layer_visible(self, key: str, visible: bool) -> None:
        self.layers[key].visible = bool(visible)
        if key == "basemap":
            self._ensure_basemap(visible)
        self._apply_layer_state()
        self._update_lod()
        self.layersChanged.emit()

    def set_layer_opacity(self, key: str, opacity: float) -> None:
        """0 (invisible) … 1 (opaque); kept for items added to the layer later."""
        layer = self.layers[key]
        layer.opacity = min(max(float(opacity), 0.0), 1.0)
        for item in layer.items:
            item.setOpacity(layer.opacity)
        self.layersChanged.emit()

    def set_layer_order(self, keys: list[str]) -> None:
        """Draw order, bottom first; layers not named keep their place relative to each other.
        The selection stays on top whatever the order asked for."""
        rest = [k for k in self.layers if k not in keys]
        order = [k for k in keys if k in self.layers] + rest
        self.layers = {k: self.layers[k] for k in order}
        self._selection_on_top()
        self._apply_layer_state()
        self.layersChanged.emit()

    def _selection_on_top(self) -> None:
        """Renumber z in list order with the selection last: it is never buried by an overlay."""
        order = [k for k in self.layers if k != "selection"] + ["selection"]
        self.layers = {k: self.layers[k] for k in order}
        for i, k in enumerate(order):
            self.layers[k].z = -100 + i * 10

    def _apply_layer_state(self) -> None:
        for key, layer in self.layers.items():
            for item in layer.items:
                item.setZValue(layer.z)
                if key in (
                    "density",
                    "labels",
                    "households",
                    "enterprises",
                    "problems",
                    "selection",
                    "needs",
                ):
                    continue  # level of detail decides (see _update_lod)
                item.setVisible(layer.visible)
        self._update_lod()

    def legend_entries(self) -> list[tuple[str, str, list]]:
        """(layer key, title, legend rows) in draw order, top first."""
        out = []
        for key, layer in reversed(self.layers.items()):
            title = layer.title
            if key == "areas" and self.coverage_title:
                title = f"{layer.title} · {self.coverage_title}"
            out.append((key, title, layer.legend))
        return out

    # -- level of detail ----------------------------------------------------------------------
    def _range_changed(self, *_):
        self.scale_bar.update_scale(self.metres_per_pixel() if self.data is not None else 0.0)
        self._lod_timer.start()
        self.viewChanged.emit()

    def view_rect(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.view.viewRange()
        return (x0, y0, x1, y1)

    def metres_per_pixel(self) -> float:
        w = max(self.view.width(), 1.0)
        (x0, x1), _ = self.view.viewRange()
        return (x1 - x0) / w

    def _update_lod(self, force: bool = False) -> None:
        if self.data is None:
            return
        rect = self.view_rect()
        aggregated = False
        for key, layer in self.point_layers.items():
            visible = self.layers[key].visible
            if visible:
                ok = layer.update_window(rect, force=force)
                aggregated |= key == "households" and not ok
                layer.item.setVisible(ok)
            else:
                layer.item.setVisible(False)
        self.density_item.setVisible(
            self.layers["density"].visible and self.layers["households"].visible and aggregated
        )
        # need hatches only once villages are big enough on screen to read them (city view: off)
        show_needs = bool(self.layers["needs"].visible and self._village_px() >= MIN_VILLAGE_PX_FOR_HATCH)
        for item in self.layers["needs"].items:
            item.setVisible(bool(show_needs))
        self._update_selection_lod(rect, force)
        self._update_labels()

    def _village_px(self) -> float:
        """Median village width on screen, in pixels."""
        if self.data is None or not len(self.data.areas):
            return 0.0
        if getattr(self, "_village_width", None) is None or self._village_width[0] is not self.data:
            b = self.data.areas.geometry.bounds
            self._village_width = (self.data, float(np.median((b["maxx"] - b["minx"]).to_numpy())))
        return self._village_width[1] / max(self.metres_per_pixel(), 1e-9)

    def is_aggregated(self) -> bool:
        hh = self.point_layers.get("households")
        return bool(hh is not None and hh.overflow)

    def _update_labels(self) -> None:
        for item in self.labels:
            item.setVisible(False)
        if self.data is None or not self.layers["labels"].visible:
            return
        mpp = self.metres_per_pixel()
        x0, y0, x1, y1 = self.view_rect()
        src = self.data.all_areas if self.data.all_areas is not None else self.data.areas
        b = src.geometry.bounds
        width_px = (b["maxx"] - b["minx"]).to_numpy() / max(mpp, 1e-9)
        inview = ((b["maxx"] > x0) & (b["minx"] < x1) & (b["maxy"] > y0) & (b["miny"] < y1)).to_numpy()
        levels = src["level"].to_numpy() if "level" in src else np.full(len(src), "village")
        # the finest level whose areas are wide enough on screen gets names
        show = np.zeros(len(src), bool)
        for level in ("village", "town", "district"):
            lv = levels == level
            # a level is labelled when its typical area is wide enough for a name
            if lv.any() and np.median(width_px[lv]) > 70:
                show = inview & lv
                break
        idx = np.flatnonzero(show)[:MAX_LABELS]
        while len(self._label_pool) < len(idx):
            item = pg.TextItem("", color="#111111", anchor=(0.5, 0.5), fill=brush("#ffffff", 170))
            f = QFont()
            f.setPointSizeF(9.5)
            item.setFont(f)
            self._add("labels", item, ignore_bounds=True)
            self._label_pool.append(item)
        self.labels = self._label_pool[: len(idx)]
        names = src["name"].to_numpy()
        geoms = src.geometry.to_numpy()
        for item, i in zip(self.labels, idx, strict=False):
            p = geoms[i].representative_point()
            item.setText(str(names[i]))
            item.setPos(p.x, p.y)
            item.setVisible(True)
        for item in self._label_pool[len(idx) :]:
            item.setVisible(False)

    # -- selection -----------------------------------------------------------------------------
    def set_selection_model(self, model) -> None:
        if model is self.selection_model:
            return
        if self.selection_model is not None:
            self.selection_model.changed.disconnect(self._selection_changed)
        self.selection_model = model
        model.changed.connect(self._selection_changed)
        self._refresh_selection()

    def _selection_changed(self, *_):
        self._refresh_selection()

    def add_overlay(
        self, key: str, title: str, items: list, legend: list | None = None, z: float = 9.0
    ) -> None:
        """Register other features' graphics as a layer the layer panel can show, hide and reorder.

        ``items``: pyqtgraph/QGraphics items (added to the map here); ``legend``: rows
        ``(kind, colour, symbol_or_pattern, label)`` with kind fill/hatch/outline/line/symbol/ring.
        Calling again with the same key replaces the layer's items.
        """
        layer = self.overlay_layer(key, title, z=z)
        self._clear_layer(key)
        layer.title = title
        for item in items:
            self._add(key, item, ignore_bounds=True)
            item.setVisible(layer.visible)
        layer.legend = list(legend or [])
        self.layersChanged.emit()

    def overlay_layer(self, key: str, title: str, z: float = 9.0, visible: bool = True) -> Layer:
        """The overlay registry: a feature's layer by key, made (below the selection, above the
        layers with a lower ``z``) the first time it is asked for."""
        if key not in self.layers:
            layer = Layer(key, title, z=z, visible=visible, overlay=True)
            keys = [k for k in self.layers if k != "selection"]
            pos = next((i for i, k in enumerate(keys) if self.layers[k].z > z), len(keys))
            keys.insert(pos, key)
            self.layers[key] = layer
            self.layers = {k: self.layers[k] for k in [*keys, "selection"]}
            self._selection_on_top()
            self._apply_layer_state()
            self.layersChanged.emit()
        return self.layers[key]

    def set_layer_legend(self, key: str, legend: list) -> None:
        """Replace a layer's legend rows (e.g. counts changed) and tell the layer panel."""
        self.layers[key].legend = list(legend)
        self.layersChanged.emit()

    def overlay_item(self, key: str, title: str, z: float = 9.0, **style) -> pg.ScatterPlotItem:
        """One persistent ScatterPlotItem for an overlay layer (made once, then fed with setData)."""
        layer = self.overlay_layer(key, title, z=z)
        item = next((it for it in layer.items if isinstance(it, pg.ScatterPlotItem)), None)
        if item is None:
            item = pg.ScatterPlotItem(pxMode=True, **style)
            self._add(key, item, ignore_bounds=True)
            item.setVisible(layer.visible)
        return item

    def identify(self, x: float, y: float) -> dict | None:
        """The feature under a map position: a target (nearest within a few pixels), else the
        village/town there. Returns dict(kind, id, title, rows=[(field, value), …])."""
        from gisplanner.ui.map.identify import describe_area, describe_target

        d = self.data
        if d is None:
            return None
        hit = None
        if d.points is not None:
            hit = d.points.nearest(x, y, max_distance=CLICK_TOLERANCE_PX * self.metres_per_pixel())
        if hit is not None:
            pos = self.positions_of([hit])
            if len(pos):
                return describe_target(d, int(pos[0]))
        aid = d.area_index.area_at(x, y) if d.area_index is not None else None
        if aid is not None:
            return describe_area(d, int(aid), self.coverage)
        return None

    def set_tool(self, name: str) -> None:
        self.tool.deactivate()
        self.tool = self.tools[name]
        self.view.tool = self.tool
        self.view.setMouseEnabled(True, True)
        self.plot.viewport().setCursor(self.tool.cursor)
        self.toolChanged.emit(name)

    def ids_for(self, kind: str, geom, mode: str = "replace") -> np.ndarray:
        """Target ids for a tool's geometry (``spatial`` does the work)."""
        d = self.data
        if d is None or d.points is None:
            return np.empty(0, np.int64)
        if kind == "rectangle":
            return d.points.in_rect(*geom.bounds)
        if kind == "lasso":
            return d.points.in_polygon(geom)
        if kind == "click":
            tol = CLICK_TOLERANCE_PX * self.metres_per_pixel()
            hit = d.points.nearest(geom.x, geom.y, max_distance=tol)
            return np.array([hit] if hit is not None else [], np.int64)
        if kind == "area":
            aid = d.area_index.area_at(geom.x, geom.y) if d.area_index is not None else None
            if aid is None:
                return np.empty(0, np.int64)
            a = d.all_areas if d.all_areas is not None else d.areas
            below = subtree_ids([aid], a["id"].to_numpy(), a["parent_id"].to_numpy(float))
            t = d.targets
            return spatial.ids_in_areas(t["id"].to_numpy(), t["area_id"].to_numpy(), below)
        raise ValueError(kind)

    def apply_selection(
        self, kind: str, geom, mode: str = "replace", clear_on_miss: bool = True
    ) -> np.ndarray:
        """What every tool calls: geometry → ids → the selection model (undoable there)."""
        if kind == "lasso" and not isinstance(geom, shapely.Geometry):
            geom = spatial.as_polygon(geom)
        ids = self.ids_for(kind, geom, mode)
        titles = {"click": "点选", "rectangle": "框选", "lasso": "套索选择", "area": "按村选择"}
        if kind == "click" and len(ids):
            # listeners (the main window) may select too: the same change twice is a no-op
            self.targetClicked.emit(int(ids[0]), _mods_for(mode))
        if self.selection_model is not None:
            if kind == "click" and not len(ids) and mode == "replace":
                if len(self.selection_model) and clear_on_miss:
                    self.selection_model.clear()
            elif len(ids) or mode == "replace":
                self.selection_model.select(ids, mode, f"{titles[kind]} {len(ids)} 个对象")
        return ids

    def positions_of(self, ids) -> np.ndarray:
        """Row positions in ``data.targets`` of the given ids (unknown ids dropped)."""
        ids = np.asarray(ids, np.int64)
        k = np.searchsorted(self._ids_sorted, ids)
        k = np.clip(k, 0, max(len(self._ids_sorted) - 1, 0))
        ok = len(self._ids_sorted) > 0
        hit = (self._ids_sorted[k] == ids) if ok else np.zeros(len(ids), bool)
        return self._pos_of_sorted[k[hit]]

    def _refresh_selection(self) -> None:
        """Rebuild the highlight from the selection model (windowed like the point layers)."""
        if self.selection_item not in self.layers["selection"].items:
            self._add("selection", self.selection_item, ignore_bounds=True)
            self._add("selection", self.selection_density, ignore_bounds=True)
            self.layers["selection"].legend = [("ring", S.SELECTION_COLOR, "o", "选中对象")]
        if self.data is None or self.selection_model is None:
            pos = np.empty(0, np.int64)
        else:
            pos = self.positions_of(self.selection_model.ids)
        t = self.data.targets if self.data is not None else None
        order = getattr(self.data, "x_order", None)
        presorted = order is not None and len(order) == len(t)
        if presorted:  # west to east already: a mask over the map's x order, no sort of the selection
            mask = np.zeros(len(t), bool)
            mask[pos] = True
            pos = order[mask[order]]
        ids = t["id"].to_numpy(np.int64)[pos] if t is not None else np.empty(0, np.int64)
        x = t["x"].to_numpy()[pos] if t is not None else np.empty(0)
        y = t["y"].to_numpy()[pos] if t is not None else np.empty(0)
        ring = ("o", 13.0, pen(S.SELECTION_COLOR, 2.6), brush("#ffffff", 0))
        self.selection_layer = PointLayerItem(
            ids, x, y, np.zeros(len(ids), np.int64), {0: ring}, item=self.selection_item,
            presorted=presorted,
        )  # fmt: skip
        self._selection_hist = None
        self._update_selection_lod(self.view_rect(), force=True)

    def _update_selection_lod(self, rect, force: bool = False) -> None:
        """Rings around selected points; a cyan density when too many are in view."""
        layer = getattr(self, "selection_layer", None)
        on = self.layers["selection"].visible
        if layer is None or not on:
            self.selection_item.setVisible(False)
            self.selection_density.setVisible(False)
            return
        ok = layer.update_window(rect, force=force)
        self.selection_item.setVisible(ok)
        if ok:
            self.selection_density.setVisible(False)
            return
        if self._selection_hist is None and self.data is not None and self.data.density is not None:
            d = self.data.density
            ny, nx = d.counts.shape
            h = grid_counts(layer.x, layer.y, d.x0, d.y0, d.cell, nx, ny)
            lut = np.zeros((2, 4), np.ubyte)
            lut[1] = (0, 229, 255, 200)
            self.selection_density.setImage((h.T > 0).astype(np.uint8), levels=(0, 1), autoLevels=False)
            self.selection_density.setLookupTable(lut)
            self.selection_density.setRect(QRectF(d.x0, d.y0, nx * d.cell, ny * d.cell))
            self._selection_hist = h
        self.selection_density.setVisible(self._selection_hist is not None)

    # -- navigation ----------------------------------------------------------------------------
    def zoom_full(self) -> None:
        if self.data is not None:
            self.zoom_to(*self.data.extent)

    def zoom_to(self, xmin: float, ymin: float, xmax: float, ymax: float, pad: float = 0.03) -> None:
        if xmax - xmin < 1 and ymax - ymin < 1:  # a single point: show ~300 m around it
            cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
            xmin, xmax, ymin, ymax = cx - 150, cx + 150, cy - 150, cy + 150
        self.view.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=pad)

    def zoom_to_area(self, area_id: int) -> None:
        d = self.data
        if d is None or d.area_index is None:
            return
        g = d.area_index.geometry(int(area_id))
        if g is not None:
            self.zoom_to(*g.bounds)

    def zoom_to_ids(self, ids) -> None:
        if self.data is None:
            return
        pos = self.positions_of(ids)
        if not len(pos):
            return
        t = self.data.targets
        x, y = t["x"].to_numpy()[pos], t["y"].to_numpy()[pos]
        self.zoom_to(float(x.min()), float(y.min()), float(x.max()), float(y.max()), pad=0.15)

    def zoom_to_selection(self) -> None:
        if self.selection_model is not None and len(self.selection_model):
            self.zoom_to_ids(self.selection_model.ids)

    def map_to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = self.data.projection.inverse(x, y)
        return float(lon), float(lat)

    # -- overlays for other features -------------------------------------------------------------
    def set_route_overlay(self, routes: list[dict]) -> None:
        """Draw routes with numbered stops (see the module docstring for the dict keys)."""
        self.clear_route_overlay()
        self.routes = list(routes)
        layer = self.layers["routes"]
        for i, r in enumerate(routes):
            color = r.get("color") or S.ROUTE_COLORS[i % len(S.ROUTE_COLORS)]
            xy = self._projected(r, "xy", "lonlat")
            stops = self._projected(r, "stops", "stops_lonlat")
            if len(xy) >= 2:
                line = pg.PlotCurveItem(xy[:, 0], xy[:, 1], pen=pen(color, 3.0))
                self._add("routes", line, ignore_bounds=True)
            if len(stops):
                dots = pg.ScatterPlotItem(x=stops[:, 0], y=stops[:, 1], symbol="o", size=18,
                                          brush=brush(color), pen=pen("#ffffff", 1.5))  # fmt: skip
                self._add("routes", dots, ignore_bounds=True)
                labels = r.get("labels") or [str(k + 1) for k in range(len(stops))]
                for (sx, sy), text in zip(stops, labels, strict=False):
                    t = pg.TextItem(str(text), color="#ffffff", anchor=(0.5, 0.5))
                    f = QFont()
                    f.setPointSizeF(7.5)
                    f.setBold(True)
                    t.setFont(f)
                    t.setPos(float(sx), float(sy))
                    self._add("routes", t, ignore_bounds=True)
                    t.setZValue(layer.z + 0.5)
            layer.legend.append(("line", color, None, r.get("name") or f"路线 {i + 1}"))
        for item in layer.items:
            item.setVisible(layer.visible)
        self.layersChanged.emit()

    def clear_route_overlay(self) -> None:
        self._clear_layer("routes")
        self.routes = []

    def _projected(self, r: dict, key: str, lonlat_key: str) -> np.ndarray:
        if key in r and r[key] is not None:
            return np.asarray(r[key], float).reshape(-1, 2)
        if lonlat_key in r and r[lonlat_key] is not None and self.data is not None:
            ll = np.asarray(r[lonlat_key], float).reshape(-1, 2)
            x, y = self.data.projection.forward(ll[:, 0], ll[:, 1])
            return np.column_stack([x, y])
        return np.empty((0, 2))

    # -- base map ---------------------------------------------------------------------------------
    def _ensure_basemap(self, on: bool) -> None:
        if on and self.basemap is None and self.data is not None:
            from gisplanner.ui.map.tiles import TileLayer

            self.basemap = TileLayer(self)
        if self.basemap is not None:
            self.basemap.set_enabled(on)

    def set_basemap_source(self, source, show: bool | None = None) -> None:
        """Use another base map (``gisplanner.basemap.TileSource``, None: the QSettings URL)."""
        if self.basemap is not None:
            self.basemap.set_enabled(False)
            self.basemap = None
        self._clear_layer("basemap")
        self.basemap_source = source
        on = self.layers["basemap"].visible if show is None else show
        self.set_layer_visible("basemap", on)

    # -- export -----------------------------------------------------------------------------------
    def export_image(
        self,
        path: str | Path,
        extent: tuple[float, float, float, float] | None = None,
        layers: list[str] | None = None,
        dpi: int = 300,
        width_mm: float = 180.0,
        height_mm: float | None = None,
    ) -> Path:
        """Render the current view (or ``extent``, projected metres) to PNG or PDF.

        ``layers``: keys of the layers to include (default: those visible now). Points are
        drawn as symbols at print size, areas and lines stay vectors in a PDF. Works on a
        widget that was never shown (it is laid out offscreen for the duration).
        """
        path = Path(path)
        if self.data is None:
            raise ValueError("地图还没有数据，无法导出")
        extent = tuple(extent) if extent is not None else self.view_rect()
        ex_w, ex_h = max(extent[2] - extent[0], 1.0), max(extent[3] - extent[1], 1.0)
        if height_mm is None:
            height_mm = width_mm * ex_h / ex_w
        w_px = max(16, int(round(width_mm / 25.4 * dpi)))
        h_px = max(16, int(round(height_mm / 25.4 * dpi)))
        state = self._save_state()
        shown_here = False
        if not self.isVisible():
            self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
            self.show()
            shown_here = True
        try:
            screen_w = 1000
            self.resize(QSize(screen_w, max(50, int(screen_w * h_px / w_px))))
            QApplication.processEvents()
            if layers is not None:
                for key, layer in self.layers.items():
                    layer.visible = key in layers
            self.view.setRange(xRange=(extent[0], extent[2]), yRange=(extent[1], extent[3]), padding=0)
            QApplication.processEvents()
            self._apply_layer_state()
            self._update_lod(force=True)
            scale = w_px / max(self.view.width(), 1.0)
            self._render_to(path, w_px, h_px, dpi, scale)
        finally:
            self._restore_state(state)
            if shown_here:
                self.hide()
                self.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, False)
        return path

    def _render_to(self, path: Path, w_px: int, h_px: int, dpi: int, scale: float) -> None:
        scene = self.plot.scene()
        source = self.view.sceneBoundingRect()
        items = [it for layer in self.layers.values() for it in layer.items if hasattr(it, "setExportMode")]
        for it in items:
            it.setExportMode(True, {"antialias": True, "background": None, "resolutionScale": scale})
        fonts = []
        for layer in self.layers.values():
            for it in layer.items:
                if isinstance(it, pg.TextItem):
                    f = it.textItem.font()
                    fonts.append((it, QFont(f)))
                    f.setPointSizeF(f.pointSizeF() * scale)
                    it.setFont(f)
        mpp = (source.width() and self.metres_per_pixel() / scale) or 1.0
        try:
            if path.suffix.lower() == ".pdf":
                writer = QPdfWriter(str(path))
                writer.setResolution(dpi)
                writer.setPageSize(QPageSize(QSizeF_mm(w_px, h_px, dpi), QPageSize.Unit.Millimeter))
                writer.setPageMargins(QMarginsF0())
                painter = QPainter(writer)
                target = QRectF(0, 0, w_px, h_px)
            else:
                img = QImage(w_px, h_px, QImage.Format.Format_ARGB32_Premultiplied)
                img.fill(QColor("white"))
                dpm = int(round(dpi / 0.0254))
                img.setDotsPerMeterX(dpm)
                img.setDotsPerMeterY(dpm)
                painter = QPainter(img)
                target = QRectF(0, 0, w_px, h_px)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            scene.render(painter, target, source)
            draw_scale_bar(painter, target, mpp, scale=scale)
            painter.end()
            if path.suffix.lower() != ".pdf":
                path.parent.mkdir(parents=True, exist_ok=True)
                if not img.save(str(path)):
                    raise OSError(f"无法写入图片 {path}")
        finally:
            for it in items:
                it.setExportMode(False)
            for it, f in fonts:
                it.setFont(f)

    def _save_state(self) -> dict:
        return {
            "range": self.view.viewRange(),
            "visible": {k: layer.visible for k, layer in self.layers.items()},
            "size": self.size(),
        }

    def _restore_state(self, st: dict) -> None:
        for k, v in st["visible"].items():
            self.layers[k].visible = v
        self.resize(st["size"])
        (x0, x1), (y0, y1) = st["range"]
        self.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        self._apply_layer_state()

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

    def _points_clicked(self, item, points, ev) -> None:
        # picking goes through the tools (spatial.nearest); ScatterPlotItem clicks are ignored
        return


def _mods_for(mode: str):
    return {
        "add": Qt.KeyboardModifier.ShiftModifier,
        "remove": Qt.KeyboardModifier.ControlModifier,
    }.get(mode, Qt.KeyboardModifier.NoModifier)


def QSizeF_mm(w_px: int, h_px: int, dpi: int):  # noqa: N802 - reads like the Qt type it builds
    from PySide6.QtCore import QSizeF

    return QSizeF(w_px / dpi * 25.4, h_px / dpi * 25.4)


def QMarginsF0():  # noqa: N802
    from PySide6.QtCore import QMarginsF

    return QMarginsF(0, 0, 0, 0)
