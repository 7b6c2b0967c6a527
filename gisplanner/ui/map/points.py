"""Point layers drawn with one ScatterPlotItem each, windowed around the view.

A :class:`PointLayerItem` keeps its layer's full arrays (sorted west to east) and loads into its
ScatterPlotItem at most ``MAX_POINTS_LOADED`` points — the ones around the view — reloading when
the view leaves the loaded window; with more than that in view it reports an overflow and the
map aggregates (density grid). Styles come from a small cached palette of shared QPen/QBrush
objects: never one brush per point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg

MAX_POINTS_LOADED = 60_000  # points kept in one ScatterPlotItem (the window around the view)


def kind_codes(kind) -> np.ndarray:
    """0 household, 1 enterprise, 2 notable (hashed once: comparing millions of strings is slow)."""
    kc = pd.Categorical(kind, categories=["household", "enterprise", "notable"]).codes.astype(np.int64)
    kc[kc < 0] = 2
    return kc


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
