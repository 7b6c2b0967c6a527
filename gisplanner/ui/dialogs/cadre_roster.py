"""干部名册: the roster of cadres, with when each can go out (可走访时段) and leave (请假) editable.

A team goes out only when all its members can, so these columns decide the sessions each team
of a round gets (:func:`gisplanner.campaign.schedule.team_session_ids`) and whom 三搭配 puts together.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gisplanner.ui.models.cadre_table import CadreTableModel


class CadreRosterDialog(QDialog):
    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("干部名册与可走访时段"))
        self.resize(980, 600)
        self.model = CadreTableModel(store, self)
        self.model.reload()
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        hint = QLabel(
            self.tr(
                "勾选每名干部可参加的走访时段；请假日期双击编辑（如 2026-12-10:2026-12-15，多段用；分隔）。"
                "小组只在全体成员都有空的时段走访。"
            )
        )
        hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setStyleSheet("color: #c0392b")
        self.model.editRefused.connect(self.message.setText)
        self.model.cadreChanged.connect(lambda _id: self.message.setText(""))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(hint)
        lay.addWidget(self.view)
        lay.addWidget(self.message)
        lay.addWidget(buttons)
