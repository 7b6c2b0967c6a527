"""The attribute table's model: a QAbstractTableModel over the map's target arrays.

No widget per row and no QSortFilterProxyModel (it would call Python for every comparison of
250,000 rows): sorting is one ``numpy`` argsort, filtering one boolean mask, and ``rows`` maps
view rows to positions in the frame. ``data()`` only formats the cells Qt asks for.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from gisplanner.store.model import HOUSEHOLD_TAGS, OUTCOME_ZH, SPECIAL_GROUP_TAGS, TARGET_KIND_ZH
from gisplanner.ui.vocab_text import vocab

# (key, header); key names a column of the frame or a derived one
COLUMNS = [
    ("id", QT_TRANSLATE_NOOP("TargetTableModel", "编号")),
    ("kind", QT_TRANSLATE_NOOP("TargetTableModel", "类型")),
    ("name", QT_TRANSLATE_NOOP("TargetTableModel", "名称/户主")),
    ("address", QT_TRANSLATE_NOOP("TargetTableModel", "地址")),
    ("area_name", QT_TRANSLATE_NOOP("TargetTableModel", "所属村/社区")),
    ("tags", QT_TRANSLATE_NOOP("TargetTableModel", "标签")),
    ("last_outcome", QT_TRANSLATE_NOOP("TargetTableModel", "最近走访")),
    ("last_visit", QT_TRANSLATE_NOOP("TargetTableModel", "走访时间")),
    ("open_problems", QT_TRANSLATE_NOOP("TargetTableModel", "未办结问题")),
]
NOT_VISITED = QT_TRANSLATE_NOOP("TargetTableModel", "未走访")
KEY_ENTERPRISE = QT_TRANSLATE_NOOP("TargetTableModel", "重点企业")
TAG_SEPARATOR = QT_TRANSLATE_NOOP("TargetTableModel", "、")  # between a target's tags


def _tr(text: str) -> str:
    return QCoreApplication.translate("TargetTableModel", text)


SELECTED_BG = QBrush(QColor("#c9f6fb"))


def _tags_text(df: pd.DataFrame) -> np.ndarray:
    out = np.full(len(df), "", dtype=object)
    sep = _tr(TAG_SEPARATOR)
    for col, zh in HOUSEHOLD_TAGS.items():
        if col in df:
            m = df[col].fillna(False).to_numpy(bool)
            out[m] = out[m] + np.where(out[m] == "", "", sep) + vocab(zh)
    if "key_enterprise" in df:
        m = df["key_enterprise"].fillna(False).to_numpy(bool)
        out[m] = out[m] + np.where(out[m] == "", "", sep) + _tr(KEY_ENTERPRISE)
    return out


class TargetTableModel(QAbstractTableModel):
    """Rows are targets (positions into ``frame``); sortable, filterable, selection-aware."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self.ids = np.empty(0, np.int64)
        self.rows = np.empty(0, np.int64)  # view row -> frame position
        self._cols: dict[str, np.ndarray] = {}
        self._selected = np.zeros(0, bool)  # by frame position
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._filter: dict = {}

    # -- data --------------------------------------------------------------------------------
    def set_frame(self, targets: pd.DataFrame, area_names: dict[int, str] | None = None) -> None:
        self.beginResetModel()
        self.frame = targets.reset_index(drop=True)
        t = self.frame
        self.ids = t["id"].to_numpy(np.int64)
        names = area_names or {}
        outcome = t["last_outcome"] if "last_outcome" in t else pd.Series([None] * len(t))
        self._cols = {
            "id": self.ids,
            "kind": t["kind"].map({k: vocab(zh) for k, zh in TARGET_KIND_ZH.items()}).fillna(t["kind"]).to_numpy(object),
            "name": t["name"].fillna("").to_numpy(object) if "name" in t else np.full(len(t), "", object),
            "address": t["address"].fillna("").to_numpy(object) if "address" in t else np.full(len(t), "", object),
            "area_name": t["area_id"].map(names).fillna("").to_numpy(object),
            "tags": _tags_text(t),
            "last_outcome": outcome.map({k: vocab(zh) for k, zh in OUTCOME_ZH.items()})
            .fillna(_tr(NOT_VISITED))
            .to_numpy(object),
            # kept as datetime64 (sortable); formatted only for the cells Qt shows
            "last_visit": (
                pd.to_datetime(t["last_visit"]).to_numpy("datetime64[m]")
                if "last_visit" in t else np.full(len(t), np.datetime64("NaT"), "datetime64[m]")
            ),
            "open_problems": (
                t["open_problems"].fillna(0).to_numpy(np.int64) if "open_problems" in t else np.zeros(len(t), np.int64)
            ),
        }  # fmt: skip
        self._raw_kind = t["kind"].to_numpy(object)
        self._raw_outcome = outcome.fillna("").to_numpy(object)
        self._area = t["area_id"].to_numpy(np.int64)
        self._special = (
            t[list(SPECIAL_GROUP_TAGS)].fillna(False).to_numpy(bool).any(axis=1)
            if all(c in t for c in SPECIAL_GROUP_TAGS) else np.zeros(len(t), bool)
        )  # fmt: skip
        self._selected = np.zeros(len(t), bool)
        self.rows = np.arange(len(t))
        self.endResetModel()
        self._apply()

    # -- filtering and sorting -------------------------------------------------------------------
    def set_filter(
        self,
        kind: str | None = None,
        tag: str | None = None,
        outcome: str | None = None,
        area_ids=None,
        only_selected: bool = False,
    ) -> None:
        """kind: household/enterprise/notable; tag: a HOUSEHOLD_TAGS column or "special";
        outcome: an Outcome value or "none" (never visited); area_ids: villages to keep."""
        self._filter = {"kind": kind, "tag": tag, "outcome": outcome, "area_ids": area_ids,
                        "only_selected": only_selected}  # fmt: skip
        self._apply()

    def _mask(self) -> np.ndarray:
        f, t = self._filter, self.frame
        m = np.ones(len(t), bool)
        if f.get("kind"):
            m &= self._raw_kind == f["kind"]
        tag = f.get("tag")
        if tag == "special":
            m &= self._special
        elif tag:
            m &= t[tag].fillna(False).to_numpy(bool) if tag in t else False
        outcome = f.get("outcome")
        if outcome == "none":
            m &= self._raw_outcome == ""
        elif outcome:
            m &= self._raw_outcome == outcome
        if f.get("area_ids") is not None:
            m &= np.isin(self._area, np.asarray(list(f["area_ids"]), np.int64))
        if f.get("only_selected"):
            m &= self._selected
        return m

    def _apply(self) -> None:
        self.beginResetModel()
        pos = np.flatnonzero(self._mask()) if len(self.frame) else np.empty(0, np.int64)
        if self._sort is not None and self._cols:
            col, order = self._sort
            key = self._cols[COLUMNS[col][0]][pos]
            o = np.argsort(key.astype(str) if key.dtype == object else key, kind="stable")
            if order == Qt.SortOrder.DescendingOrder:
                o = o[::-1]
            pos = pos[o]
        self.rows = pos
        self.endResetModel()

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # Qt override
        self._sort = (column, order)
        self._apply()

    # -- selection -------------------------------------------------------------------------------
    def positions_of_ids(self, ids) -> np.ndarray:
        ids = np.asarray(ids, np.int64)
        order = np.argsort(self.ids)
        k = np.searchsorted(self.ids[order], ids)
        k = np.clip(k, 0, max(len(order) - 1, 0))
        hit = self.ids[order][k] == ids if len(order) else np.zeros(len(ids), bool)
        return order[k[hit]]

    def set_selected_ids(self, ids) -> None:
        """Mark the map's selection (drawn as a row background; used by "only selected")."""
        sel = np.zeros(len(self.frame), bool)
        sel[self.positions_of_ids(ids)] = True
        self._selected = sel
        if self._filter.get("only_selected"):
            self._apply()
        elif self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                  [Qt.ItemDataRole.BackgroundRole])  # fmt: skip

    def rows_of_ids(self, ids) -> np.ndarray:
        """View rows showing the given ids (sorted)."""
        inv = np.full(len(self.frame), -1, np.int64)
        inv[self.rows] = np.arange(len(self.rows))
        r = inv[self.positions_of_ids(ids)]
        return np.sort(r[r >= 0])

    def ids_of_rows(self, rows) -> np.ndarray:
        rows = np.asarray(list(rows), np.int64)
        return self.ids[self.rows[rows]] if len(rows) else np.empty(0, np.int64)

    # -- Qt model API ------------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _tr(COLUMNS[section][1])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        pos = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = self._cols[COLUMNS[index.column()][0]][pos]
            if isinstance(v, np.datetime64):
                return "" if np.isnat(v) else str(v).replace("T", " ")
            return int(v) if isinstance(v, np.integer) else str(v)
        if role == Qt.ItemDataRole.BackgroundRole and self._selected[pos]:
            return SELECTED_BG
        if role == Qt.ItemDataRole.UserRole:
            return int(self.ids[pos])
        return None
