"""The map's small cached palette (colour-blind safe, viridis/cividis-like) and symbols.

pyqtgraph renders one ScatterPlotItem with a shared brush quickly; a distinct QBrush per point
is slow and has crashed the interpreter — so brushes and pens are made once, here, and every
point refers to one of a few dozen cached styles (``point_styles``).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QPen

from gisplanner.palette import ROUTE_COLORS, STATUS_COLORS  # noqa: F401 - shared with the web map

STATUS_ZH = {"not_started": "未开始", "partial": "部分完成", "complete": "已完成", "no_targets": "无走访对象"}
STATUS_ALPHA = 95
# coverage.py calls an area without targets "empty"
STATUS_ALIASES = {"empty": "no_targets"}

# need overlays: (colour, Qt brush pattern or None for an outline, label)
NEED_STYLE = {
    "makeup": ("#000000", Qt.BrushStyle.BDiagPattern, "补课访（有未见面对象）"),
    "priority": ("#b35806", Qt.BrushStyle.FDiagPattern, "重点访（特殊群体未见面）"),
    "return": ("#d01c8b", None, "回头访（问题多或未办结）"),
}

# last visit outcome of a target: (colour, symbol, label) — shape as well as colour
OUTCOME_STYLE = {
    0: ("#9e9e9e", "o", "未走访"),
    1: ("#2c7bb6", "o", "见面"),
    2: ("#fdae61", "t", "不在家"),
    3: ("#d7191c", "x", "拒访"),
    4: ("#7b3294", "s", "已搬离"),
    5: ("#1a9641", "d", "电话走访"),
}
KIND_SYMBOL = {"enterprise": "s", "notable": "star"}
KIND_SIZE = {"household": 6, "enterprise": 10, "notable": 11}
SPECIAL_PEN = "#000000"  # special-group households get a black ring (独居老人、残疾、困难)

PROBLEM_STYLE = {
    "open": ("#f46d43", "t1", "有未办结问题"),
    "overdue": ("#a50026", "t1", "问题已超期"),
}
OFFICE_STYLE = ("#e6550d", "star", "村（居）委会")
SELECTION_COLOR = "#00e5ff"


@cache
def brush(color: str, alpha: int = 255, style: Qt.BrushStyle = Qt.BrushStyle.SolidPattern) -> QBrush:
    c = QColor(color)
    c.setAlpha(alpha)
    return QBrush(c, style)


@cache
def pen(
    color: str, width: float = 1.0, cosmetic: bool = True, style: Qt.PenStyle = Qt.PenStyle.SolidLine
) -> QPen:
    p = pg.mkPen(QColor(color), width=width)
    p.setCosmetic(cosmetic)
    p.setStyle(style)
    return p


@cache
def no_pen() -> QPen:
    return QPen(Qt.PenStyle.NoPen)


def point_style(kind: str, outcome: int, special: bool) -> tuple[str, float, QPen, QBrush]:
    """(symbol, size, pen, brush) of one style class; all objects come from the caches."""
    color, symbol, _ = OUTCOME_STYLE[int(outcome)]
    symbol = KIND_SYMBOL.get(kind, symbol)
    size = KIND_SIZE.get(kind, 6) + (2 if special else 0)
    if special:
        p = pen(SPECIAL_PEN, 1.6)
    elif kind == "household":
        p = pen("#303030", 0.4) if symbol != "x" else pen(color, 1.0)
    else:
        p = pen("#202020", 0.8)
    return symbol, float(size), p, brush(color)


def style_codes(kind: np.ndarray, outcome: np.ndarray, special: np.ndarray) -> np.ndarray:
    """A small integer style class per point: kind × outcome × special-group."""
    k = np.select([kind == "household", kind == "enterprise"], [0, 1], 2)
    return style_codes_from(k, outcome, special)


def style_codes_from(kind_code: np.ndarray, outcome: np.ndarray, special: np.ndarray) -> np.ndarray:
    """As :func:`style_codes` with kinds already coded 0 household, 1 enterprise, 2 notable."""
    k = np.asarray(kind_code, np.int64)
    return (k * len(OUTCOME_STYLE) + np.asarray(outcome, np.int64)) * 2 + np.asarray(special, bool)


def style_of_code(code: int) -> tuple[str, float, QPen, QBrush]:
    kinds = ("household", "enterprise", "notable")
    special = bool(code % 2)
    rest = code // 2
    return point_style(kinds[rest // len(OUTCOME_STYLE)], rest % len(OUTCOME_STYLE), special)
