"""Routes on the map: each route a line with numbered stops, one colour per route.

The route layer's data (``layers["routes"].data``) is the list of route dicts
``{"xy": (n, 2) projected vertices (or "lonlat": (n, 2) WGS84), "stops": (m, 2) stop positions
(projected, or "stops_lonlat"), "labels": optional m strings (default 1..m), "color": optional
"#rrggbb", "name": optional team name}``; setting it redraws the layer (the view reacts to the
model's ``data`` event). ``RoutesMixin`` is part of ``canvas.MapWidget``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from gisplanner.ui.map import style as S
from gisplanner.ui.map.style import brush, pen


class RoutesMixin:
    """Needs ``data``, ``layers``, ``_add`` and ``_clear_layer``."""

    @property
    def routes(self) -> list[dict]:
        return list(self.layers["routes"].data or [])

    def set_route_overlay(self, routes: list[dict]) -> None:
        """Draw routes with numbered stops (see the module docstring for the dict keys)."""
        self.layers["routes"].data = list(routes)

    def clear_route_overlay(self) -> None:
        self.layers["routes"].data = []

    def _draw_routes(self) -> None:
        """The route layer's data changed: draw it again."""
        self._clear_layer("routes")
        layer = self.layers["routes"]
        legend = []
        for i, r in enumerate(layer.data or []):
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
            legend.append(("line", color, None, r.get("name") or f"路线 {i + 1}"))
        for item in self.layer_items("routes"):
            item.setVisible(layer.visible)
        layer.legend = legend

    def _projected(self, r: dict, key: str, lonlat_key: str) -> np.ndarray:
        if key in r and r[key] is not None:
            return np.asarray(r[key], float).reshape(-1, 2)
        if lonlat_key in r and r[lonlat_key] is not None and self.data is not None:
            ll = np.asarray(r[lonlat_key], float).reshape(-1, 2)
            x, y = self.data.projection.forward(ll[:, 0], ll[:, 1])
            return np.column_stack([x, y])
        return np.empty((0, 2))
