"""The map's small cached palette (colour-blind safe, viridis/cividis-like) and symbols.

pyqtgraph renders one ScatterPlotItem with a shared brush quickly; a distinct QBrush per point
is slow and has crashed the interpreter — so brushes and pens are made once, here.
"""

from __future__ import annotations

from functools import cache

import pyqtgraph as pg
from PySide6.QtGui import QBrush, QColor, QPen

# coverage status classes of an area
STATUS_COLORS = {
    "not_started": "#440154",  # viridis dark purple
    "partial": "#21918c",  # teal
    "complete": "#fde725",  # yellow
    "no_targets": "#d9d9d9",
}
STATUS_ZH = {"not_started": "未开始", "partial": "部分完成", "complete": "已完成", "no_targets": "无走访对象"}

# last visit outcome of a target: (colour, symbol, label) — shape as well as colour
OUTCOME_STYLE = {
    0: ("#9e9e9e", "o", "未走访"),
    1: ("#2c7bb6", "o", "见面"),
    2: ("#fdae61", "t", "不在家"),
    3: ("#d7191c", "x", "拒访"),
    4: ("#7b3294", "s", "已搬离"),
    5: ("#1a9641", "d", "电话走访"),
}


@cache
def brush(color: str, alpha: int = 255) -> QBrush:
    c = QColor(color)
    c.setAlpha(alpha)
    return QBrush(c)


@cache
def pen(color: str, width: float = 1.0, cosmetic: bool = True) -> QPen:
    p = pg.mkPen(QColor(color), width=width)
    p.setCosmetic(cosmetic)
    return p
