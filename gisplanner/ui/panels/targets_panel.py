"""生成下一轮: the 补课访 / 重点访 / 回头访 dialog — kind, area (or the map selection), the rule's
parameters, counts per village before creating, then the new round (planning, with its
Assignment rows and sessions) becomes the current round, ready for teams and routes.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from gisplanner.campaign import targets as tg
from gisplanner.store.model import AREA_LEVEL_ZH, ROUND_KIND_ZH
from gisplanner.ui.context import PanelContext

KIND_HELP = {
    "makeup": "从未见面的对象：从未走访，或只有不在家、拒访、电话走访",
    "priority": "特殊群体（独居老人、残疾、困难家庭）在最近 N 天内未见面",
    "return": "问题数达到 K 个，或有未办结问题，或已解决但未电话回访",
}


class TargetsDialog(QDialog):
    previewed = Signal(object)  # Preview
    created = Signal(object)  # CreatedRound

    def __init__(self, ctx: PanelContext, parent=None):
        super().__init__(parent or ctx.window)
        self.ctx = ctx
        self.setWindowTitle(self.tr("生成下一轮走访对象"))
        self.resize(560, 560)
        self.preview_result: tg.Preview | None = None

        self.kind = QComboBox()
        for k in tg.KINDS:
            self.kind.addItem(ROUND_KIND_ZH[k], k)
        self.help = QLabel()
        self.help.setWordWrap(True)
        self.help.setStyleSheet("color: #555;")
        self.area = QComboBox()
        self.area.addItem(self.tr("全部区域"), None)
        areas = tg.areas_frame(ctx.store) if ctx.store is not None else None
        if areas is not None:
            depth = {"city": 0, "district": 1, "town": 2, "village": 3}
            for row in areas.itertuples(index=False):
                indent = "　" * depth.get(row.level, 0)
                self.area.addItem(
                    f"{indent}{row.name}（{AREA_LEVEL_ZH.get(row.level, row.level)}）", row.code
                )
        self.use_selection = QCheckBox(self.tr("只在地图所选对象中生成"))
        n_sel = len(ctx.selection) if ctx.selection is not None else 0
        self.use_selection.setText(f"只在地图所选对象中生成（已选 {n_sel} 个）")
        self.use_selection.setEnabled(n_sel > 0)
        self.days = QSpinBox()
        self.days.setRange(1, 365)
        self.days.setValue(30)
        self.days.setSuffix(" 天内未见面")
        self.min_problems = QSpinBox()
        self.min_problems.setRange(1, 20)
        self.min_problems.setValue(2)
        self.min_problems.setSuffix(" 个问题及以上")
        today = dt.date.today()
        self.start = QDateEdit(today + dt.timedelta(days=1))
        self.end = QDateEdit(today + dt.timedelta(days=14))
        for d in (self.start, self.end):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("默认：年月 + 类型 + 区域"))

        form = QFormLayout()
        form.addRow(self.tr("走访类型"), self.kind)
        form.addRow("", self.help)
        form.addRow(self.tr("区域"), self.area)
        form.addRow("", self.use_selection)
        form.addRow(self.tr("重点访"), self.days)
        form.addRow(self.tr("回头访"), self.min_problems)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel(self.tr("至")))
        dates.addWidget(self.end)
        form.addRow(self.tr("走访日期"), dates)
        form.addRow(self.tr("轮次名称"), self.name)

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("区划代码"), self.tr("村/社区"), self.tr("对象数")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.total = QLabel(self.tr("先预览各区域人数"))
        self.preview_button = QPushButton(self.tr("预览"))
        self.create_button = QPushButton(self.tr("创建轮次"))
        self.create_button.setEnabled(False)
        close = QPushButton(self.tr("关闭"))
        self.preview_button.clicked.connect(self.run_preview)
        self.create_button.clicked.connect(self.run_create)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.total, 1)
        for b in (self.preview_button, self.create_button, close):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        for w in (self.kind, self.area):
            w.currentIndexChanged.connect(self._changed)
        for w in (self.days, self.min_problems):
            w.valueChanged.connect(self._changed)
        self.use_selection.toggled.connect(self._changed)
        self._changed()

    def _changed(self, *_a) -> None:
        kind = self.kind.currentData()
        self.help.setText(KIND_HELP[kind])
        self.days.setEnabled(kind == "priority")
        self.min_problems.setEnabled(kind == "return")
        self.preview_result = None
        self.create_button.setEnabled(False)
        self.table.setRowCount(0)
        self.total.setText(self.tr("先预览各区域人数"))

    def _args(self) -> dict:
        ids = None
        if self.use_selection.isChecked():
            ids = [int(x) for x in self.ctx.selection.ids]
        return {
            "area_code": self.area.currentData(),
            "target_ids": ids,
            "rules": tg.TargetRules(days=self.days.value(), min_problems=self.min_problems.value()),
        }

    def run_preview(self) -> None:
        self.preview_button.setEnabled(False)
        self.ctx.run_task(
            tg.preview, self.ctx.store, self.kind.currentData(), title="统计下一轮对象",
            on_result=self._show_preview, on_error=self._failed, **self._args(),
        )  # fmt: skip

    def _show_preview(self, pv: tg.Preview) -> None:
        self.preview_button.setEnabled(True)
        self.preview_result = pv
        self.table.setRowCount(len(pv.per_area))
        for r, row in enumerate(pv.per_area.itertuples(index=False)):
            for c, v in enumerate((row.area_code, row.area_name, str(row.n))):
                item = QTableWidgetItem(str(v))
                if c == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.total.setText(
            f"{ROUND_KIND_ZH[pv.kind]}（{pv.scope_name}）：共 {pv.total} 个对象，{len(pv.per_area)} 个村/社区"
        )
        self.create_button.setEnabled(pv.total > 0)
        self.previewed.emit(pv)

    def run_create(self) -> None:
        if self.preview_result is None:
            return
        self.create_button.setEnabled(False)
        args = self._args()
        self.ctx.run_task(
            tg.create_round, self.ctx.store, self.kind.currentData(), title="创建轮次",
            on_result=self._created, on_error=self._failed, preview_result=self.preview_result,
            name=self.name.text().strip() or None, start=self.start.date().toPython(),
            end=self.end.date().toPython(), rules=args["rules"],
        )  # fmt: skip

    def _created(self, made: tg.CreatedRound) -> None:
        self.total.setText(
            f"已创建轮次 [{made.round_id}] {made.name}：{made.targets} 个对象，{made.sessions} 个走访时段"
        )
        self.created.emit(made)
        self.ctx.select_round(made.round_id)
        self.ctx.refresh()

    def _failed(self, message: str) -> None:
        self.preview_button.setEnabled(True)
        self.create_button.setEnabled(self.preview_result is not None and self.preview_result.total > 0)
        if message != "已取消":
            QMessageBox.warning(self, "未完成", message)


def install(ctx: PanelContext) -> None:
    def open_dialog() -> None:
        if ctx.store is None:
            return
        dlg = TargetsDialog(ctx)
        ctx.panels.targets_dialog = dlg
        dlg.show()

    action = ctx.menus["走访轮次"].addAction("生成下一轮（补课访/重点访/回头访）…")
    action.triggered.connect(open_dialog)
    ctx.panels.open_targets_dialog = open_dialog
