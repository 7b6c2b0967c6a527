"""The cadre roster's model: one row per cadre, the availability columns editable in place.

可走访时段 are three check columns (工作日晚上 / 周末节假日 / 工作日白天); 请假日期 is text
("2026-12-10:2026-12-15；2026-12-20"). An edit is written at once through
:func:`gisplanner.teams.cadres.set_availability`; a refused edit leaves the row as it was and emits
``editRefused`` with the reason.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from gisplanner.queries import cadres as cq
from gisplanner.store.database import StoreError
from gisplanner.store.model import SESSION_KIND_ZH, SESSION_KINDS, Cadre
from gisplanner.teams import cadres as cadre_mod
from gisplanner.ui import saving

COLUMNS = [
    ("ext_id", "编号"),
    ("name", "姓名"),
    ("gender", "性别"),
    ("age", "出生年份"),
    ("local", "本地"),
    ("unit", "单位"),
    ("home_area", "所在村"),
    *[(k, SESSION_KIND_ZH[k]) for k in SESSION_KINDS],
    ("leave", "请假日期"),
]
KIND_COLUMNS = {i: key for i, (key, _) in enumerate(COLUMNS) if key in SESSION_KINDS}
LEAVE_COLUMN = next(i for i, (key, _) in enumerate(COLUMNS) if key == "leave")


def leave_text(ranges) -> str:
    return "；".join(a if a == b else f"{a}:{b}" for a, b in ranges)


class CadreTableModel(QAbstractTableModel):
    editRefused = Signal(str)
    cadreChanged = Signal(int)

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.rows: list[dict] = []

    def reload(self) -> None:
        self.beginResetModel()
        # the version each row was read at: an edit saves only over that (gisplanner.ui.saving)
        self.rows, self.versions = cq.roster(self.store)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1]
        return None

    def flags(self, index):
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in KIND_COLUMNS:
            f |= Qt.ItemFlag.ItemIsUserCheckable
        elif index.column() == LEAVE_COLUMN:
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        key = COLUMNS[col][0]
        if col in KIND_COLUMNS:
            if role == Qt.ItemDataRole.CheckStateRole:
                return Qt.CheckState.Checked if key in r["kinds"] else Qt.CheckState.Unchecked
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if role == Qt.ItemDataRole.ToolTipRole and col == LEAVE_COLUMN:
                return "YYYY-MM-DD:YYYY-MM-DD，多段用；分隔"
            return None
        if key == "gender":
            return "男" if r["gender"] == "M" else "女"
        if key == "age":
            return str(r["birth_year"])
        if key == "local":
            return "本地" if r["is_local"] else "外地"
        if key == "leave":
            return leave_text(r["leave"])
        return "" if r.get(key) is None else str(r[key])

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        r = self.rows[index.row()]
        col = index.column()
        kinds, leaves = None, None
        try:
            if col in KIND_COLUMNS and role == Qt.ItemDataRole.CheckStateRole:
                on = Qt.CheckState(value) == Qt.CheckState.Checked
                have = set(r["kinds"])
                have.add(KIND_COLUMNS[col]) if on else have.discard(KIND_COLUMNS[col])
                kinds = sorted(have)
            elif col == LEAVE_COLUMN and role == Qt.ItemDataRole.EditRole:
                parts = [p for p in re.split(r"[；;，,\s]+", str(value or "").strip()) if p]
                leaves = [cadre_mod.parse_leave(p) for p in parts]
            else:
                return False
            seen = {"version": self.versions.get(r["id"]), "avail_kinds": ",".join(r["kinds"])}

            def action(s, _cadre):
                return cadre_mod.cadre_dict(cadre_mod.set_availability(s, r["id"], kinds, leaves))

            done, fresh = saving.save_action(None, self.store, Cadre, r["id"], seen, action,
                                             label=f"{r['name']}：可走访时段/请假")  # fmt: skip
            if not done:  # the user took the other change: show it
                self.reload()
                return False
            self.versions[r["id"]] = cq.cadre_version(self.store, r["id"])
        except (cadre_mod.CadreError, StoreError) as e:
            self.editRefused.emit(f"{r['name']}：{e}")
            return False
        r["kinds"], r["leave"] = fresh["kinds"], fresh["leave"]
        left, right = self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1)
        self.dataChanged.emit(left, right)
        self.cadreChanged.emit(r["id"])
        return True
