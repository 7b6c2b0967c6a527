"""The search box (搜索): name, address or code of a target, or an area's name or code.

Type and press Enter: one hit zooms there at once (a target is also selected); several hits
are listed under the box — pick one with the mouse or the arrow keys and Enter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QListWidget, QListWidgetItem

from gisplanner.store.model import AREA_LEVEL_ZH, TARGET_KIND_ZH
from gisplanner.ui.context import PanelContext

MAX_HITS = 30
TARGET_FIELDS = ("name", "address", "ext_id", "credit_code", "building")


@dataclass(frozen=True)
class Hit:
    kind: str  # "target" or "area"
    id: int
    label: str


def search(targets: pd.DataFrame, areas: pd.DataFrame | None, text: str, limit: int = MAX_HITS) -> list[Hit]:
    """Areas first (exact code or name containing the text), then targets; case-insensitive."""
    q = text.strip()
    if not q:
        return []
    hits: list[Hit] = []
    if areas is not None and len(areas):
        name = areas["name"].astype(str)
        code = areas["code"].astype(str)
        m = name.str.contains(q, case=False, regex=False).to_numpy() | (code == q).to_numpy()
        for row in areas[m].head(limit).itertuples():
            hits.append(
                Hit(
                    "area", int(row.id), f"{row.name}（{AREA_LEVEL_ZH.get(row.level, row.level)} {row.code}）"
                )
            )
    m = np.zeros(len(targets), bool)
    for col in TARGET_FIELDS:
        if col in targets:
            m |= targets[col].fillna("").astype(str).str.contains(q, case=False, regex=False).to_numpy()
    if q.isdigit() and "id" in targets:
        m |= targets["id"].to_numpy() == int(q)
    for row in targets[m].head(max(0, limit - len(hits))).itertuples():
        kind = TARGET_KIND_ZH.get(row.kind, row.kind)
        addr = getattr(row, "address", "") or ""
        hits.append(Hit("target", int(row.id), f"{row.name}（{kind}）{addr}"))
    return hits


class SearchBox(QLineEdit):
    def __init__(self, ctx: PanelContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.setPlaceholderText("搜索 姓名/企业名/地址/编码/村名")
        self.setClearButtonEnabled(True)
        self.setMinimumWidth(240)
        self.popup = QListWidget()
        self.popup.setWindowFlags(Qt.WindowType.ToolTip)
        self.popup.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.popup.itemActivated.connect(self._activate)
        self.popup.itemClicked.connect(self._activate)
        self.returnPressed.connect(self.run)
        self.hits: list[Hit] = []

    def run(self) -> list[Hit]:
        d = self.ctx.map_widget.data
        if d is None:
            return []
        if self.popup.isVisible() and self.popup.currentItem() is not None:
            self._activate(self.popup.currentItem())
            return self.hits
        self.hits = search(d.targets, d.all_areas if d.all_areas is not None else d.areas, self.text())
        if len(self.hits) == 1:
            self.go(self.hits[0])
        elif self.hits:
            self._show_popup()
        else:
            self.ctx.show_status(f"没有找到“{self.text()}”", 5000)
        return self.hits

    def _show_popup(self) -> None:
        self.popup.clear()
        for h in self.hits:
            item = QListWidgetItem(h.label)
            item.setData(Qt.ItemDataRole.UserRole, h)
            self.popup.addItem(item)
        self.popup.setCurrentRow(0)
        self.popup.setFixedWidth(max(self.width(), 420))
        self.popup.setFixedHeight(min(22 * len(self.hits) + 6, 360))
        self.popup.move(self.mapToGlobal(QPoint(0, self.height())))
        self.popup.show()

    def keyPressEvent(self, ev):  # noqa: N802 - Qt override
        if self.popup.isVisible() and ev.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            row = self.popup.currentRow() + (1 if ev.key() == Qt.Key.Key_Down else -1)
            self.popup.setCurrentRow(max(0, min(row, self.popup.count() - 1)))
            return
        if ev.key() == Qt.Key.Key_Escape:
            self.popup.hide()
        super().keyPressEvent(ev)

    def _activate(self, item) -> None:
        self.go(item.data(Qt.ItemDataRole.UserRole))

    def go(self, hit: Hit) -> None:
        self.popup.hide()
        mw = self.ctx.map_widget
        if hit.kind == "area":
            mw.zoom_to_area(hit.id)
        else:
            mw.zoom_to_ids([hit.id])
            self.ctx.selection.select([hit.id], "replace", f"搜索：{hit.label}")
        self.ctx.show_status(f"已定位：{hit.label}", 5000)


def install(ctx: PanelContext) -> None:
    box = SearchBox(ctx)
    ctx.panels.search_box = box
    tb = getattr(ctx.window, "toolbar", None) or ctx.add_toolbar("搜索")
    tb.addSeparator()
    tb.addWidget(box)
