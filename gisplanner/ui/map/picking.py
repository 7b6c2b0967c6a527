"""Selection on the map: tools turn a gesture into one geometry, ``ids_for`` turns it into target
ids (``gisplanner.geo.spatial``), ``apply_selection`` hands them to the selection model, whose
``changed`` signal redraws the highlight (rings around selected points, windowed like the point
layers; a cyan density when too many are in view). ``identify`` describes the feature under a
position. ``PickingMixin`` is part of ``canvas.MapWidget``.
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QRectF, Qt

from gisplanner.geo import spatial
from gisplanner.store.area_tree import subtree_ids
from gisplanner.ui.map import style as S
from gisplanner.ui.map.data import grid_counts
from gisplanner.ui.map.points import PointLayerItem
from gisplanner.ui.map.style import brush, pen
from gisplanner.ui.map.tools import CLICK_TOLERANCE_PX


def _mods_for(mode: str):
    return {
        "add": Qt.KeyboardModifier.ShiftModifier,
        "remove": Qt.KeyboardModifier.ControlModifier,
    }.get(mode, Qt.KeyboardModifier.NoModifier)


class PickingMixin:
    """Needs ``data``, ``layers``, ``tools``/``tool``, ``view``, ``plot``, the selection items
    made in ``MapWidget.__init__``, ``view_rect()``, ``metres_per_pixel()`` and ``_add``."""

    def set_tool(self, name: str) -> None:
        self.tool.deactivate()
        self.tool = self.tools[name]
        self.view.tool = self.tool
        self.view.setMouseEnabled(True, True)
        self.plot.viewport().setCursor(self.tool.cursor)
        self.toolChanged.emit(name)

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

    def positions_of(self, ids) -> np.ndarray:
        """Row positions in ``data.targets`` of the given ids (unknown ids dropped)."""
        ids = np.asarray(ids, np.int64)
        k = np.searchsorted(self._ids_sorted, ids)
        k = np.clip(k, 0, max(len(self._ids_sorted) - 1, 0))
        ok = len(self._ids_sorted) > 0
        hit = (self._ids_sorted[k] == ids) if ok else np.zeros(len(ids), bool)
        return self._pos_of_sorted[k[hit]]

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

    def _refresh_selection(self) -> None:
        """Rebuild the highlight from the selection model (windowed like the point layers)."""
        if self.selection_item not in self.layer_items("selection"):
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
