"""Contact cards (走访联系卡): ten business cards (90×54 mm) per A4 page, with cut lines and a QR code."""

from __future__ import annotations

from functools import lru_cache

import segno
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from gisplanner.printing.canvas import CENTER, LEFT, PageCanvas
from gisplanner.reporting.printouts.contact_card import CARD_MM, ContactCard

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
    cols = max(1, int(c.width // w)) if c.width > 250 else COLS  # A3 holds more cards
    rows = max(1, int((c.height - 22) // h)) if c.height > 320 else ROWS
    x0 = (c.width - cols * w) / 2
    y0 = 7.0  # leaves room for the footer (printing user and time) under the last row
    per_page = cols * rows
    for i, card in enumerate(cards):
        if i and i % per_page == 0:
            c.new_page()
        slot = i % per_page
        x, y = x0 + (slot % cols) * w, y0 + (slot // cols) * h
        paint_card(c, card, x, y)
        c.box(x, y, w, h, 0.12, "#9a9a9a")  # cut line


def paint_card(c: PageCanvas, card: ContactCard, x: float, y: float) -> None:
    w, h = CARD_MM
    c.box(x, y, w, 9, 0, fill=BAND)
    c.text(x + 3, y, 50, 9, "走访联系卡", 12, bold=True, color="white")
    c.text(x + 40, y, w - 43, 9, card.round_name, 8, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
           color="white")  # fmt: skip
    ct = card.contact
    lines = [
        (
            "走访小组",
            f"{card.team_name}（{card.member_names}）" if card.member_names else card.team_name,
            9,
            False,
        ),
        ("小组电话", card.phone or "—", 10, True),
        ("联系单位", ct.name, 9, False),
        ("办公电话", ct.phone, 10, True),
    ]
    if ct.village_phone:
        lines.append(("村委会", ct.village_phone, 9, False))
    yy = y + 10.5
    text_w = w - QR_MM - 8
    for label, value, pt, bold in lines:
        c.text(x + 2.5, yy, 14, 5, label, 8, color="#555555")
        c.text(x + 15.5, yy, text_w - 13, 5, value, pt, bold=bold, align=LEFT)
        yy += 5.2
    c.text(x + 2.5, yy + 0.3, text_w, 4.5, f"致 {card.household} 户（{card.code}）", 8, color="#444444")
    _qr(c, ct.qr_text(), x + w - QR_MM - 3, y + 10.5, QR_MM)
    c.text(x + w - QR_MM - 5, y + 10.5 + QR_MM + 0.3, QR_MM + 4, 4, "扫码存联系方式", 8, align=CENTER)
    c.line(x + 3, y + h - 8, x + w - 3, y + h - 8, 0.15, "#bbbbbb")
    tail = ct.url or (f"微信 {ct.wechat}" if ct.wechat else "")
    areas = " · ".join(card.service_areas[:4]) + " …"
    c.text(x + 3, y + h - 7.5, w - 6, 6.5, f"{tail}    {areas}" if tail else " · ".join(card.service_areas),
           7, align=CENTER, color="#444444")  # fmt: skip


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
