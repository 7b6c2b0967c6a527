"""Place names on the map: the finest level (village, town, district) whose areas are wide
enough on screen for a name gets labels, at most ``MAX_LABELS`` of them, from a small pool of
TextItems that is reused (never one new item per redraw). ``LabelsMixin`` is part of
``canvas.MapWidget``; ``lod`` calls ``_update_labels`` whenever the view changes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from gisplanner.ui.map.style import brush

MAX_LABELS = 160


class LabelsMixin:
    """Needs ``data``, ``layers``, ``view_rect()``, ``metres_per_pixel()`` and ``_add``."""

    def _init_labels(self) -> None:
        self.labels: list[pg.TextItem] = []  # the labels shown now
        self._label_pool: list[pg.TextItem] = []

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
