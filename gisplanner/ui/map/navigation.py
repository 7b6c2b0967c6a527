"""Where the map looks: zoom to the full extent, a box, an area, some targets, the selection;
the view rectangle and its scale. ``NavigationMixin`` is part of ``canvas.MapWidget``."""

from __future__ import annotations


class NavigationMixin:
    """Needs ``view`` (the ViewBox), ``data``, ``selection_model`` and ``positions_of``."""

    def view_rect(self) -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = self.view.viewRange()
        return (x0, y0, x1, y1)

    def metres_per_pixel(self) -> float:
        w = max(self.view.width(), 1.0)
        (x0, x1), _ = self.view.viewRange()
        return (x1 - x0) / w

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
