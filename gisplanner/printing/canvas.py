"""A QPainter on paged paper, measured in millimetres, with the CJK font, watermark and footer.

Works on any QPagedPaintDevice (QPdfWriter for files, QPrinter for printers and the preview),
so the same layout code serves every output.
"""

from __future__ import annotations

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPainterPath,
    QPen,
    QTextOption,
)

from gisplanner.reporting.printouts.common import PrintContext
from gisplanner.resources import CJK_FONT

# Chinese-capable families in order of preference (Debian, Windows, macOS).
CJK_FAMILIES = (
    "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei",
    "SimHei", "PingFang SC", "Heiti SC", "Noto Sans SC",
)  # fmt: skip
A4_MM = (210.0, 297.0)
MARGIN = 12.0
FOOTER_MM = 8.0

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
WRAP = int(Qt.TextFlag.TextWordWrap)

_family_cache: list[str] = []


def register_bundled_cjk_font() -> str | None:
    """Load the font shipped with the package (no CJK font on this machine); its family name."""
    font_id = QFontDatabase.addApplicationFont(str(CJK_FONT))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    return families[0] if families else None


def cjk_family() -> str:
    """The first installed font family that can write Simplified Chinese."""
    if not _family_cache:
        have = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
        pick = next((f for f in CJK_FAMILIES if f in have), None) or register_bundled_cjk_font()
        if pick is None and have:
            pick = sorted(have)[0]
        _family_cache.append(pick or QFont().defaultFamily())
    return _family_cache[0]


PAGE_SIZES = {"a4": QPageSize.PageSizeId.A4, "a3": QPageSize.PageSizeId.A3}


def setup_a4(device: QPagedPaintDevice, paper: str = "a4") -> None:
    """A4 (or A3) portrait with no device margins: the layouts place their own margins."""
    device.setPageLayout(
        QPageLayout(
            QPageSize(PAGE_SIZES.get(paper, QPageSize.PageSizeId.A4)),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )


class PageCanvas:
    """Draw in mm on a paged device; counts pages and stamps watermark and footer on each."""

    def __init__(self, device: QPagedPaintDevice, ctx: PrintContext, footer: str = ""):
        self.device = device
        self.ctx = ctx
        self.footer = footer
        self.k = device.logicalDpiX() / 25.4  # device units per mm
        self.width = device.width() / self.k
        self.height = device.height() / self.k
        self.painter = QPainter(device)
        self.painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        self.painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.family = cjk_family()
        self.pages = 1
        self._fonts: dict[tuple[float, bool], QFont] = {}
        self._metrics: dict[tuple[float, bool], QFontMetricsF] = {}
        self._options: dict[tuple[int, bool], QTextOption] = {}
        self._watermark_img: QImage | None = None
        self._watermark()

    # -- units ---------------------------------------------------------------------------
    def r(self, x: float, y: float, w: float, h: float) -> QRectF:
        k = self.k
        return QRectF(x * k, y * k, w * k, h * k)

    def p(self, x: float, y: float) -> QPointF:
        return QPointF(x * self.k, y * self.k)

    @property
    def body_top(self) -> float:
        return MARGIN

    @property
    def body_bottom(self) -> float:
        return self.height - MARGIN - FOOTER_MM

    @property
    def body_width(self) -> float:
        return self.width - 2 * MARGIN

    # -- fonts and text ---------------------------------------------------------------------
    def font(self, pt: float = 9.0, bold: bool = False) -> QFont:
        key = (pt, bold)
        f = self._fonts.get(key)
        if f is None:
            f = QFont(self.family)
            f.setPointSizeF(pt)
            f.setBold(bold)
            self._fonts[key] = f
        return f

    def metrics(self, pt: float, bold: bool = False) -> QFontMetricsF:
        key = (pt, bold)
        m = self._metrics.get(key)
        if m is None:
            m = QFontMetricsF(self.font(pt, bold), self.device)
            self._metrics[key] = m
        return m

    def text_height(self, text: str, w: float, pt: float = 9.0, bold: bool = False) -> float:
        """Height in mm that `text` needs when wrapped into width `w` mm."""
        if not text:
            return 0.0
        br = self.metrics(pt, bold).boundingRect(QRectF(0, 0, w * self.k, 1e7), WRAP | int(TOP_LEFT), text)
        return br.height() / self.k

    def text_width(self, text: str, pt: float = 9.0, bold: bool = False) -> float:
        return self.metrics(pt, bold).horizontalAdvance(text) / self.k

    def text(self, x, y, w, h, text: str, pt: float = 9.0, *, bold=False, align=LEFT, wrap=False, color=None):
        pa = self.painter
        pa.setFont(self.font(pt, bold))
        pa.setPen(QColor(color) if color else QColor("black"))
        pa.drawText(self.r(x, y, w, h), text, self._option(align, wrap))

    def _option(self, align, wrap: bool) -> QTextOption:
        key = (int(align), wrap)
        opt = self._options.get(key)
        if opt is None:
            opt = QTextOption(Qt.AlignmentFlag(int(align)))
            opt.setWrapMode(
                QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere if wrap else QTextOption.WrapMode.NoWrap
            )
            self._options[key] = opt
        return opt

    # -- lines and boxes --------------------------------------------------------------------
    def pen(self, width_mm: float = 0.2, color: str | QColor = "black", style=Qt.PenStyle.SolidLine) -> QPen:
        pen = QPen(QColor(color))
        pen.setWidthF(width_mm * self.k)
        pen.setStyle(style)
        return pen

    def line(self, x1, y1, x2, y2, width=0.2, color="black", style=Qt.PenStyle.SolidLine):
        self.painter.setPen(self.pen(width, color, style))
        self.painter.drawLine(self.p(x1, y1), self.p(x2, y2))

    def box(self, x, y, w, h, width=0.2, color="black", fill: str | QColor | None = None):
        pa = self.painter
        pa.setPen(self.pen(width, color) if width > 0 else Qt.PenStyle.NoPen)
        pa.setBrush(QColor(fill) if fill is not None else Qt.BrushStyle.NoBrush)
        pa.drawRect(self.r(x, y, w, h))
        pa.setBrush(Qt.BrushStyle.NoBrush)

    def checkbox(self, x, y, label: str = "", size=3.2, pt=8.0) -> float:
        """A tick box with its label; returns the width used in mm."""
        self.box(x, y, size, size, 0.25)
        if not label:
            return size
        w = self.text_width(label, pt) + 0.8
        self.text(x + size + 0.8, y - 1, w, size + 2, label, pt)
        return size + 1.6 + w

    def writing_lines(self, x, y, w, h, gap=7.0, color="#9a9a9a"):
        yy = y + gap
        while yy <= y + h + 0.01:
            self.line(x, yy, x + w, yy, 0.15, color, Qt.PenStyle.DotLine)
            yy += gap

    def fill_path(self, path: QPainterPath, color: str | QColor):
        self.painter.fillPath(path, QColor(color))

    # -- pages ------------------------------------------------------------------------------
    def _watermark(self) -> None:
        """Light diagonal text naming the printing user and time, under the page's content.

        A picture rather than text: it cannot be copied away, does not mix into the page's
        extracted text, and the PDF embeds the one image once for all pages (fast).
        """
        self.painter.drawImage(
            QRectF(0, 0, self.width * self.k, self.height * self.k), self._watermark_image()
        )

    def _footer(self) -> None:
        y = self.height - MARGIN - FOOTER_MM + 2.5
        self.line(MARGIN, y, self.width - MARGIN, y, 0.15, "#888888")
        left = f"{self.footer}    打印：{self.ctx.user} {self.ctx.at:%Y-%m-%d %H:%M}"
        if self.ctx.unmasked:
            left += "（未脱敏）"
        self.text(MARGIN, y + 0.5, self.body_width * 0.8, 5.5, left, 9, color="#555555")
        self.text(
            MARGIN, y + 0.5, self.body_width, 5.5, f"第 {self.pages} 页", 9, align=RIGHT, color="#555555"
        )

    def _watermark_image(self) -> QImage:
        if self._watermark_img is None:
            dpi = 100
            img = QImage(
                round(self.width / 25.4 * dpi), round(self.height / 25.4 * dpi), QImage.Format.Format_RGB32
            )
            img.fill(QColor("white"))
            pa = QPainter(img)
            pa.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            font = QFont(self.family)
            font.setPixelSize(round(5.5 / 25.4 * dpi))  # 5.5 mm high letters
            path = QPainterPath()
            path.addText(QPointF(0, 0), font, self.ctx.watermark)
            path = path.translated(-path.boundingRect().center())
            pa.translate(img.width() / 2, img.height() / 2)
            pa.rotate(-30)
            for dy in (-95.0, 0.0, 95.0):
                pa.fillPath(path.translated(0, dy / 25.4 * dpi), QColor(226, 226, 226))
            pa.end()
            self._watermark_img = img
        return self._watermark_img

    def new_page(self) -> None:
        self._footer()
        self.device.newPage()
        self.pages += 1
        self._watermark()

    def finish(self) -> int:
        self._footer()
        self.painter.end()
        return self.pages
