"""A scale bar: a round length (1-2-5 × 10^n metres) about a fifth of the map's width."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QWidget


def nice_length(max_metres: float) -> float:
    """The largest 1, 2 or 5 × 10^n not above ``max_metres``."""
    if max_metres <= 0 or not math.isfinite(max_metres):
        return 0.0
    exp = math.floor(math.log10(max_metres))
    for m in (5, 2, 1):
        if m * 10**exp <= max_metres:
            return float(m * 10**exp)
    return float(10**exp)


def label_for(metres: float) -> str:
    return f"{metres / 1000:g} 公里" if metres >= 1000 else f"{metres:g} 米"


def draw_scale_bar(painter: QPainter, rect: QRectF, metres_per_px: float, scale: float = 1.0) -> None:
    """Bottom-left of ``rect``: alternating black/white bar with its length in Chinese."""
    if metres_per_px <= 0 or not math.isfinite(metres_per_px):
        return
    length_m = nice_length(rect.width() * 0.22 * metres_per_px)
    if length_m <= 0:
        return
    px = length_m / metres_per_px
    margin, h = 14 * scale, 6 * scale
    x0, y0 = rect.left() + margin, rect.bottom() - margin - h
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setPen(QPen(QColor("#000000"), max(1.0, scale)))
    painter.fillRect(
        QRectF(x0 - 4 * scale, y0 - 18 * scale, px + 8 * scale, h + 22 * scale), QColor(255, 255, 255, 200)
    )
    for i in range(4):
        seg = QRectF(x0 + i * px / 4, y0, px / 4, h)
        painter.fillRect(seg, QColor("#000000") if i % 2 == 0 else QColor("#ffffff"))
    painter.drawRect(QRectF(x0, y0, px, h))
    f = QFont()
    f.setPixelSize(max(8, int(11 * scale)))
    painter.setFont(f)
    painter.drawText(QPointF(x0, y0 - 4 * scale), f"0   {label_for(length_m)}")
    painter.restore()


class ScaleBarWidget(QWidget):
    """Drawn over the map's bottom-left corner; ``update_scale`` on every range change."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.metres_per_px = 0.0
        self.resize(260, 48)
        self._follow(parent)

    def _follow(self, parent: QWidget) -> None:
        parent.installEventFilter(self)

    def eventFilter(self, obj, ev):  # noqa: N802 - Qt override
        if ev.type() == ev.Type.Resize:
            self.move(0, obj.height() - self.height())
        return False

    def update_scale(self, metres_per_px: float) -> None:
        self.metres_per_px = metres_per_px
        self.update()

    def text(self) -> str:
        return label_for(nice_length(self.parent().width() * 0.22 * self.metres_per_px))

    def paintEvent(self, ev):  # noqa: N802 - Qt override
        p = QPainter(self)
        full = QRectF(0, 0, self.parent().width(), self.height())
        draw_scale_bar(p, full, self.metres_per_px)
        p.end()
