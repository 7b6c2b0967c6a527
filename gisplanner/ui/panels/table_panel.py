"""The linked attribute table (属性表): filters, sorting, rows ↔ map selection.

Selecting rows selects those targets on the map (one undoable step); a selection made on the
map marks its rows (and selects them in the view when there are not too many). A guard flag
stops the echo: a change we make ourselves is never sent back — no feedback loops.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gisplanner.store.model import HOUSEHOLD_TAGS, OUTCOME_ZH, TARGET_KIND_ZH
from gisplanner.ui.context import PanelContext
from gisplanner.ui.models.target_table import TargetTableModel
from gisplanner.ui.vocab_text import vocab

MIRROR_LIMIT = 5_000  # above this many selected rows the view marks them by colour only


class TablePanel(QWidget):
    def __init__(self, selection, map_widget=None, parent=None):
        super().__init__(parent)
        self.selection = selection
        self.map = map_widget
        self.model = TargetTableModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(self._zoom_to_row)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("全部类型"), None)
        for k, zh in TARGET_KIND_ZH.items():
            self.kind.addItem(vocab(zh), k)
        self.tag = QComboBox()
        self.tag.addItem(self.tr("全部标签"), None)
        self.tag.addItem(self.tr("特殊群体"), "special")
        for k, zh in HOUSEHOLD_TAGS.items():
            self.tag.addItem(vocab(zh), k)
        self.outcome = QComboBox()
        self.outcome.addItem(self.tr("全部走访结果"), None)
        self.outcome.addItem(self.tr("未走访"), "none")
        for k, zh in OUTCOME_ZH.items():
            self.outcome.addItem(vocab(zh), k)
        self.area = QComboBox()
        self.area.addItem(self.tr("全部村/社区"), None)
        self.only_selected = QCheckBox(self.tr("仅显示选中"))
        self.count = QLabel()
        for w in (self.kind, self.tag, self.outcome, self.area):
            w.currentIndexChanged.connect(self._filter_changed)
        self.only_selected.toggled.connect(self._filter_changed)
        bar = QHBoxLayout()
        for w in (self.kind, self.tag, self.outcome, self.area, self.only_selected):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(bar)
        lay.addWidget(self.view)
        self._syncing = False
        self.view.selectionModel().selectionChanged.connect(self._rows_selected)
        selection.changed.connect(self._map_selection_changed)

    # -- data ---------------------------------------------------------------------------------
    def set_data(self, targets, villages) -> None:
        names = dict(zip(villages["id"].to_numpy(), villages["name"].to_numpy(), strict=True))
        self._syncing = True
        try:
            self.area.blockSignals(True)
            self.area.clear()
            self.area.addItem(self.tr("全部村/社区"), None)
            for aid, name in sorted(names.items(), key=lambda kv: kv[1]):
                self.area.addItem(name, int(aid))
            self.area.blockSignals(False)
            self.model.set_frame(targets, names)
            self.model.set_selected_ids(self.selection.ids)
        finally:
            self._syncing = False
        self._update_count()

    def _filter_changed(self, *_) -> None:
        aid = self.area.currentData()
        self._syncing = True
        try:
            self.model.set_filter(
                kind=self.kind.currentData(), tag=self.tag.currentData(), outcome=self.outcome.currentData(),
                area_ids=None if aid is None else [aid], only_selected=self.only_selected.isChecked(),
            )  # fmt: skip
            self._mirror(self.selection.ids)
        finally:
            self._syncing = False
        self._update_count()

    def _update_count(self) -> None:
        self.count.setText(
            self.tr("显示 {shown} / {total} 行，选中 {selected}").format(
                shown=self.model.rowCount(), total=len(self.model.frame), selected=len(self.selection)
            )
        )

    # -- table -> map ----------------------------------------------------------------------------
    def _rows_selected(self, *_) -> None:
        if self._syncing:
            return
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        ids = self.model.ids_of_rows(sorted(rows))
        self._syncing = True
        try:
            self.selection.select(ids, "replace", self.tr("表格选择 {n} 个对象").format(n=len(ids)))
        finally:
            self._syncing = False
        self._update_count()

    # -- map -> table ----------------------------------------------------------------------------
    def _map_selection_changed(self, _selected, _deselected) -> None:
        if self._syncing:
            return  # our own change coming back
        self._syncing = True
        try:
            self.model.set_selected_ids(self.selection.ids)
            self._mirror(self.selection.ids)
        finally:
            self._syncing = False
        self._update_count()

    def _mirror(self, ids) -> None:
        """Select the rows of ``ids`` in the view (contiguous runs as ranges)."""
        sm = self.view.selectionModel()
        rows = self.model.rows_of_ids(ids) if len(ids) <= MIRROR_LIMIT else np.empty(0, np.int64)
        sel = QItemSelection()
        if len(rows):
            breaks = np.flatnonzero(np.diff(rows) != 1)
            starts = np.concatenate([[rows[0]], rows[breaks + 1]])
            ends = np.concatenate([rows[breaks], [rows[-1]]])
            last = self.model.columnCount() - 1
            for a, b in zip(starts, ends, strict=True):
                sel.select(self.model.index(int(a), 0), self.model.index(int(b), last))
        sm.select(
            sel, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        if len(rows):
            self.view.scrollTo(self.model.index(int(rows[0]), 0))

    def _zoom_to_row(self, index) -> None:
        if self.map is not None:
            self.map.zoom_to_ids([self.model.ids_of_rows([index.row()])[0]])


def install(ctx: PanelContext) -> None:
    panel = TablePanel(ctx.selection, ctx.map_widget)
    ctx.panels.table = panel
    ctx.add_dock(panel, "属性表", Qt.DockWidgetArea.BottomDockWidgetArea)

    def loaded():
        d = ctx.map_widget.data
        if d is not None:
            panel.set_data(d.targets, d.areas)

    ctx.map_loaded.connect(loaded)
