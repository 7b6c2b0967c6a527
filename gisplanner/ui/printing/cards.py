"""Contact cards (走访联系卡): ten business cards (90×54 mm) per A4 page, with cut lines and a QR code."""

from __future__ import annotations

from functools import lru_cache

import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from gisplanner.reports.contact_card import CARD_MM, ContactCard
from gisplanner.ui.printing.canvas import CENTER, LEFT, PageCanvas

COLS, ROWS = 2, 5
BAND = "#b3262d"  # the red of government service cards
QR_MM = 25.0


@lru_cache(maxsize=8)
def qr_modules(url: str) -> tuple[int, tuple[tuple[int, int], ...]]:
    """(size, dark module positions) of the QR code for `url` (error correction M, no quiet zone)."""
    qr = segno.make(url, error="m", micro=False)
    rows = [tuple(r) for r in qr.matrix]
    return len(rows), tuple((x, y) for y, row in enumerate(rows) for x, v in enumerate(row) if v)


def paint_contact_cards(c: PageCanvas, cards: list[ContactCard]) -> None:
    w, h = CARD_MM
    x0 = (c.width - COLS * w) / 2
    y0 = 7.0  # leaves room for the footer (printing user and time) under the last row
    per_page = COLS * ROWS
    for i, card in enumerate(cards):
        if i and i % per_page == 0:
            c.new_page()
        slot = i % per_page
        x, y = x0 + (slot % COLS) * w, y0 + (slot // COLS) * h
        paint_card(c, card, x, y)
        c.box(x, y, w, h, 0.12, "#9a9a9a")  # cut line


def paint_card(c: PageCanvas, card: ContactCard, x: float, y: float) -> None:
    w, h = CARD_MM
    c.box(x, y, w, 9, 0, fill=BAND)
    c.text(x + 3, y, 50, 9, "走访联系卡", 12, bold=True, color="white")
    c.text(x + 40, y, w - 43, 9, card.round_name, 7, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
           color="white")  # fmt: skip
    lines = [
        ("走访小组", card.team_name),
        ("小组成员", card.member_names),
        ("联系电话", card.phone or "—"),
        ("服务地点", card.office_name),
    ]
    yy = y + 11
    text_w = w - QR_MM - 9
    for label, value in lines:
        c.text(x + 3, yy, 14, 5, label, 7, color="#666666")
        big = label == "联系电话"
        c.text(
            x + 16, yy - (0.5 if big else 0), text_w - 13, 5, value, 10 if big else 8, bold=big, align=LEFT
        )
        yy += 6
    c.text(x + 3, yy + 0.5, text_w, 5, f"致 {card.household} 户（{card.code}）", 7, color="#444444")
    _qr(c, card.qr_url, x + w - QR_MM - 3, y + 11, QR_MM)
    c.text(x + w - QR_MM - 5, y + 11 + QR_MM + 0.5, QR_MM + 4, 4, "扫码进入服务小程序", 6.5, align=CENTER)
    c.line(x + 3, y + h - 8, x + w - 3, y + h - 8, 0.15, "#bbbbbb")
    c.text(x + 3, y + h - 7.5, w - 6, 6.5, " · ".join(card.service_areas), 6.3, align=CENTER, color="#444444")


def _qr(c: PageCanvas, url: str, x: float, y: float, size: float) -> None:
    """The QR code as one small image (a pixel per module), embedded once per PDF and scaled
    without smoothing, so the modules stay sharp and 700 cards do not repeat 700 vector codes."""
    img = qr_image(url)
    c.painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    c.painter.drawImage(c.r(x, y, size, size), img)


_images: dict[str, QImage] = {}


def qr_image(url: str) -> QImage:
    img = _images.get(url)
    if img is None:
        n, dark = qr_modules(url)
        quiet = 2  # modules of white border inside the box
        img = QImage(n + 2 * quiet, n + 2 * quiet, QImage.Format.Format_RGB32)
        img.fill(QColor("white"))
        black = QColor("black").rgb()
        for mx, my in dark:
            img.setPixel(mx + quiet, my + quiet, black)
        _images[url] = img
    return img
