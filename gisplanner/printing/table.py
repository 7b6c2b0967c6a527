"""A ruled table that flows over pages, repeating its header row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gisplanner.printing.canvas import CENTER, MARGIN, TOP_LEFT, PageCanvas

PAD = 1.0


@dataclass
class Drawn:
    """A cell drawn by a function (x, y, w, h) instead of text; `height` is what it needs in mm."""

    draw: Callable[[float, float, float, float], None]
    height: float = 0.0


Cell = str | Drawn


class Table:
    def __init__(
        self,
        canvas: PageCanvas,
        columns: list[tuple[str, float]],
        *,
        x: float | None = None,
        pt: float = 9.0,
        header_pt: float = 9.0,
        on_new_page: Callable[[], float] | None = None,
    ):
        self.c = canvas
        self.columns = columns
        self.x = MARGIN if x is None else x
        self.pt = pt
        self.header_pt = header_pt
        self.on_new_page = on_new_page  # draws the continuation heading, returns the y to go on from

    @property
    def width(self) -> float:
        return sum(w for _, w in self.columns)

    def header(self, y: float) -> float:
        h = 2 * PAD + max(self.c.text_height(t, w - 2 * PAD, self.header_pt, True) for t, w in self.columns)
        x = self.x
        for title, w in self.columns:
            self.c.box(x, y, w, h, 0.25, fill="#e8edf3")
            self.c.text(x + PAD, y, w - 2 * PAD, h, title, self.header_pt, bold=True, align=CENTER, wrap=True)
            x += w
        return y + h

    def measure(self, cells: list[Cell], min_h: float = 0.0) -> float:
        h = min_h
        for cell, (_, w) in zip(cells, self.columns, strict=True):
            need = cell.height if isinstance(cell, Drawn) else self.c.text_height(cell, w - 2 * PAD, self.pt)
            h = max(h, need + 2 * PAD)
        return h

    def _break(self) -> float:
        self.c.new_page()
        y = self.on_new_page() if self.on_new_page else self.c.body_top
        return self.header(y)

    def band(
        self, y: float, text: str, pt: float | None = None, fill: str = "#eef2e3", reserve: float = 0.0
    ) -> float:
        """A full-width row of text (a group heading); kept on the page with `reserve` mm after it."""
        pt = pt or self.pt
        h = self.c.text_height(text, self.width - 2 * PAD - 2, pt, True) + 2 * PAD
        if y + h + reserve > self.c.body_bottom:
            y = self._break()
        self.c.box(self.x, y, self.width, h, 0.2, fill=fill)
        self.c.text(self.x + PAD + 1, y + PAD, self.width - 2 * PAD - 2, h - 2 * PAD, text, pt, bold=True,
                    align=TOP_LEFT, wrap=True)  # fmt: skip
        return y + h

    def row(
        self, y: float, cells: list[Cell], min_h: float = 0.0, fill: str | None = None, reserve: float = 0.0
    ) -> float:
        """Draw one row at y (on a new page, under a repeated header, if it does not fit together
        with `reserve` mm that must follow it on the same page, e.g. the signature box)."""
        h = self.measure(cells, min_h)
        if y + h + reserve > self.c.body_bottom:
            y = self._break()
        x = self.x
        for cell, (_, w) in zip(cells, self.columns, strict=True):
            self.c.box(x, y, w, h, 0.2, fill=fill)
            if isinstance(cell, Drawn):
                cell.draw(x, y, w, h)
            elif cell:
                self.c.text(
                    x + PAD, y + PAD, w - 2 * PAD, h - 2 * PAD, cell, self.pt, align=TOP_LEFT, wrap=True
                )
            x += w
        return y + h
