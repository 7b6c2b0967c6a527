"""Drawing the map's built-in vector layers from ``MapData`` (areas, needs, outlines, roads,
density, points, offices, problems) through pyqtgraph items, and their legend rows.

Areas are drawn as one path per colour class (``polygon_path``), not one item per polygon;
point layers as one ScatterPlotItem with a small cached brush palette (``points``).
``VectorLayersMixin`` is part of ``canvas.MapWidget``; it writes each layer's legend into the
layer model (``layers[key].legend``), which tells the layer panel.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainterPath
from PySide6.QtWidgets import QGraphicsPathItem

from gisplanner.ui.map import style as S
from gisplanner.ui.map.points import PointLayerItem, kind_codes
from gisplanner.ui.map.style import OUTCOME_STYLE, STATUS_COLORS, brush, pen

MAX_OTHER_POINTS = 6_000  # enterprises, problems: beyond this many in view they wait for a closer zoom


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


def area_status(targets: np.ndarray, met: np.ndarray) -> np.ndarray:
    """Status class per area from target and met counts (no targets / not started / partial / complete)."""
    return np.select(
        [targets == 0, met == 0, met < targets], ["no_targets", "not_started", "partial"], "complete"
    ).astype(object)


class VectorLayersMixin:
    """``MapWidget``'s drawing of the built-in layers (needs ``data``, ``coverage``, ``layers``,
    ``_add`` and the persistent items made in ``MapWidget.__init__``)."""

    def _village_status(self) -> np.ndarray:
        areas = self.data.areas
        if self.coverage is not None:
            st = self.coverage.areas["status"].astype(str).reindex(areas["id"].to_numpy()).fillna("empty")
            return np.array([S.STATUS_ALIASES.get(s, s) for s in st], dtype=object)
        return area_status(areas["targets"].to_numpy(), areas["met"].to_numpy())

    def _draw_areas(self) -> None:
        areas = self.data.areas
        status = self._village_status()
        legend = []
        for cls, color in STATUS_COLORS.items():
            geoms = areas.geometry[status == cls]
            n = len(geoms)
            legend.append(("fill", color, None, f"{S.STATUS_ZH[cls]}（{n}）"))
            if n == 0:
                continue
            item = QGraphicsPathItem(polygon_path(geoms))
            item.setBrush(brush(color, S.STATUS_ALPHA))
            item.setPen(pen("#6b6b6b", 0.8))
            self._add("areas", item)
            self.area_items[cls] = item
        self.layers["areas"].legend = legend
        if self.coverage is None:
            return
        cov = self.coverage.areas.reindex(areas["id"].to_numpy())
        legend = []
        for need, (color, pattern, label) in S.NEED_STYLE.items():
            flag = cov[f"need_{need}"].fillna(False).to_numpy(bool)
            legend.append(
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
        self.layers["needs"].legend = legend

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
            self.point_layers[key] = layer
            self._add(key, layer.item)
        legend = [("symbol", c, sym, label) for c, sym, label in OUTCOME_STYLE.values()]
        legend.append(("ring", S.SPECIAL_PEN, "o", "特殊群体（黑圈）"))
        self.layers["households"].legend = legend
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
