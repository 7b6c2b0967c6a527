"""Supervision (督查对比) dock and the summary report (工作总结) dialog.

The dock puts areas (children of the chosen area, or every district / town / village under
it) or handling units side by side — coverage, special-group coverage, problems per 100
households, resolution rate, overdue, days since the last visit — sortable by any column,
laggards (后进) in light red with the reasons; the thresholds are edited here and kept in the
database; the tables export to .xlsx. The summary dialog shows the office paragraph and its
tables for the same area and dates, and exports them to .xlsx or PDF.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gisplanner.reporting import supervision as sv
from gisplanner.reporting.printouts import summary as sm
from gisplanner.ui import file_dialogs
from gisplanner.ui.context import PanelContext
from gisplanner.ui.lazy import when_shown
from gisplanner.ui.panels.dashboard_panel import ScopeBar

log = logging.getLogger(__name__)
LAGGARD_BRUSH = QBrush(QColor("#ffe0e0"))
LEVELS = {  # shown translated (context SupervisionPanel) -> the level compared
    QT_TRANSLATE_NOOP("SupervisionPanel", "下一级"): None,
    QT_TRANSLATE_NOOP("SupervisionPanel", "区"): "district",
    QT_TRANSLATE_NOOP("SupervisionPanel", "镇/街道"): "town",
    QT_TRANSLATE_NOOP("SupervisionPanel", "村/社区"): "village",
}


class ComparisonTableModel(QAbstractTableModel):
    """A supervision table (areas or units): Chinese headers, percentages, laggards highlighted."""

    def __init__(self, columns_zh: dict[str, str], parent=None):
        super().__init__(parent)
        self.columns_zh = columns_zh
        self.frame = pd.DataFrame()
        self.columns: list[str] = []

    def set_frame(self, df: pd.DataFrame) -> None:
        self.beginResetModel()
        self.frame = df.reset_index(drop=True)
        self.columns = [c for c in self.columns_zh if c in df.columns and c not in ("code",)]
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns_zh[self.columns[section]]
        return None

    def text(self, row: int, col: str) -> str:
        v = self.frame.at[row, col]
        if col == "flags":
            return "；".join(v)
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
            return "—"
        if col in sv.PERCENT_COLUMNS:
            return f"{v:.1%}"
        if col == "last_visit":
            return pd.Timestamp(v).strftime("%Y-%m-%d")
        if isinstance(v, float | np.floating):
            return f"{v:.1f}"
        return str(v)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        col = self.columns[index.column()]
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == Qt.ItemDataRole.BackgroundRole and bool(self.frame.at[row, "laggard"]):
            return LAGGARD_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole and col == "flags":
            return "\n".join(self.frame.at[row, "flags"]) or "达标"
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in ("name", "unit", "level", "flags"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # Qt override
        if not self.columns or self.frame.empty:
            return
        col = self.columns[column]
        key = self.frame[col].map(len) if col == "flags" else self.frame[col]
        self.layoutAboutToBeChanged.emit()
        order_ix = key.sort_values(ascending=order == Qt.SortOrder.AscendingOrder, na_position="first",
                                   kind="stable").index  # fmt: skip
        self.frame = self.frame.loc[order_ix].reset_index(drop=True)
        self.layoutChanged.emit()


def _table(model: QAbstractTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(
        -1, Qt.SortOrder.AscendingOrder
    )  # rows come sorted (laggards first)
    view.setAlternatingRowColors(False)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    # compact rows: the bottom dock shows several of them, not one
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 6)
    return view


class ThresholdsDialog(QDialog):
    """督查阈值: the office's thresholds for flagging laggards (kept in the database)."""

    def __init__(self, th: sv.Thresholds, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("督查阈值设置"))
        form = QFormLayout(self)
        self.fields: dict[str, QDoubleSpinBox | QSpinBox] = {}
        for name, label in sv.Thresholds.LABELS.items():
            value = getattr(th, name)
            if name.endswith("_min"):
                box = QDoubleSpinBox()
                box.setRange(0, 100)
                box.setDecimals(1)
                box.setSuffix(" %")
                box.setValue(value * 100)
            else:
                box = QSpinBox()
                box.setRange(0, 100_000)
                box.setSuffix(" 个" if name == "overdue_max" else " 天")
                box.setValue(int(value))
            self.fields[name] = box
            form.addRow(label, box)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def thresholds(self) -> sv.Thresholds:
        data = {}
        for name, box in self.fields.items():
            data[name] = box.value() / 100 if name.endswith("_min") else box.value()
        return sv.Thresholds.from_dict(data)


class SupervisionPanel(QWidget):
    """Areas or units side by side, laggards flagged."""

    loaded = Signal()

    def __init__(self, ctx: PanelContext):
        super().__init__(ctx.window)
        self.ctx = ctx
        self.areas = pd.DataFrame()
        self.units = pd.DataFrame()
        self._running = False
        self._pending = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        self.scope_bar = ScopeBar(self)
        self.level = QComboBox()
        for key, level in LEVELS.items():
            self.level.addItem(self.tr(key), level)
        buttons = QHBoxLayout()  # scope and buttons on one line: the table keeps the height
        buttons.addWidget(self.scope_bar, 1)
        buttons.addWidget(QLabel(self.tr("对比")))
        buttons.addWidget(self.level)
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.thresholds_button = QPushButton(self.tr("阈值设置…"))
        self.export_button = QPushButton(self.tr("导出Excel…"))
        self.summary_button = QPushButton(self.tr("工作总结…"))
        self.status = QLabel("")
        for b in (self.refresh_button, self.thresholds_button, self.export_button, self.summary_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)
        self.status.setWordWrap(True)
        lay.addWidget(self.status)
        self.tabs = QTabWidget()
        self.area_model = ComparisonTableModel(sv.AREA_COLUMNS_ZH, self)
        self.unit_model = ComparisonTableModel(sv.UNIT_COLUMNS_ZH, self)
        self.area_view = _table(self.area_model)
        self.unit_view = _table(self.unit_model)
        self.tabs.addTab(self.area_view, self.tr("区域对比"))
        self.tabs.addTab(self.unit_view, self.tr("单位对比"))
        lay.addWidget(self.tabs, 1)
        row = self.area_view.verticalHeader().defaultSectionSize()
        self.tabs.setMinimumHeight(self.tabs.tabBar().sizeHint().height() + 28 + 4 * row)  # ≥ 4 rows
        self.refresh_button.clicked.connect(self.refresh)
        self.thresholds_button.clicked.connect(self.edit_thresholds)
        self.export_button.clicked.connect(self.export)
        self.summary_button.clicked.connect(self.open_summary)
        self.scope_bar.scopeChanged.connect(self.refresh)
        self.level.currentIndexChanged.connect(self.refresh)

    def data_changed(self) -> None:
        if self.ctx.store is not None:
            self.scope_bar.load_areas(self.ctx.store)
        self.refresh()

    def refresh(self) -> None:
        store = self.ctx.store
        if store is None:
            return
        if self._running:  # one more run when this one ends
            self._pending = True
            return
        self._running = True
        self.status.setText(self.tr("正在统计……"))
        self.ctx.run_task(
            _compare, store, self.scope_bar.scope(), self.level.currentData(),
            title="督查对比", on_result=self._show, on_error=self._failed,
        )  # fmt: skip

    def _failed(self, message: str) -> None:
        self._running = False
        self.status.setText(f"统计失败：{message}")
        self._again()

    def _show(self, result) -> None:
        self._running = False
        self.areas, self.units = result
        self.area_model.set_frame(self.areas)
        self.unit_model.set_frame(self.units)
        n_a, n_u = int(self.areas["laggard"].sum()), int(self.units["laggard"].sum())
        self.status.setText(
            f"后进区域 {n_a} 个（共 {len(self.areas)} 个），后进单位 {n_u} 个（共 {len(self.units)} 个）"
        )
        self.loaded.emit()
        self._again()

    def _again(self) -> None:
        if self._pending:
            self._pending = False
            self.refresh()

    def edit_thresholds(self) -> None:
        store = self.ctx.store
        if store is None:
            return
        dlg = ThresholdsDialog(sv.Thresholds.load(store), self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            dlg.thresholds().save(store)
            self.refresh()

    def export(self, path: str | None = None) -> str | None:
        if self.areas.empty:
            return None
        if not path:
            path, _ = file_dialogs.getSaveFileName(
                self, "导出督查对比", "督查对比.xlsx", "Excel 文件 (*.xlsx)"
            )
        if not path:
            return None
        title = f"督查对比：{self.scope_bar.area.currentText().strip()}（{dt.date.today():%Y-%m-%d}）"
        sv.export_supervision_xlsx(path, self.areas, self.units, title=title)
        self.status.setText(f"已导出：{path}")
        return path

    def open_summary(self) -> SummaryDialog:
        dlg = SummaryDialog(self.ctx, self)
        scope = self.scope_bar.scope()
        dlg.scope_bar.set_area(scope.area_code)
        dlg.scope_bar.set_dates(scope.date_from, scope.date_to)
        dlg.show()
        dlg.build()
        return dlg


def _compare(store, scope, level, progress=None):
    th = sv.Thresholds.load(store)
    areas = sv.compare_areas(store, scope, level=level, thresholds=th, progress=progress)
    units = sv.compare_units(store, scope, thresholds=th)
    return areas, units


class SummaryDialog(QDialog):
    """工作总结: the paragraph and tables for an area and dates; copy, .xlsx, PDF."""

    built = Signal(object)

    def __init__(self, ctx: PanelContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.report: sm.SummaryReport | None = None
        self.setWindowTitle(self.tr("工作总结"))
        self.resize(900, 700)
        lay = QVBoxLayout(self)
        top = QHBoxLayout()
        self.scope_bar = ScopeBar(self)
        self.scope_bar.load_areas(ctx.store)
        self.build_button = QPushButton(self.tr("生成"))
        top.addWidget(self.scope_bar, 1)
        top.addWidget(self.build_button)
        lay.addLayout(top)
        self.text = QTextBrowser()
        lay.addWidget(self.text, 1)
        row = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("复制段落"))
        self.xlsx_button = QPushButton(self.tr("导出Excel…"))
        self.pdf_button = QPushButton(self.tr("导出PDF…"))
        for b in (self.copy_button, self.xlsx_button, self.pdf_button):
            b.setEnabled(False)
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.build_button.clicked.connect(self.build)
        self.copy_button.clicked.connect(self.copy)
        self.xlsx_button.clicked.connect(lambda: self.export_xlsx())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())

    def build(self) -> None:
        sc = self.scope_bar.scope()
        self.text.setPlainText("正在统计……")
        self.ctx.run_task(
            sm.build_summary, self.ctx.store, sc.area_code, sc.date_from, sc.date_to,
            title="工作总结", on_result=self._show, on_error=lambda m: self.text.setPlainText(f"统计失败：{m}"),
        )  # fmt: skip

    def _show(self, report: sm.SummaryReport) -> None:
        from gisplanner.printing.summary_pdf import summary_html
        from gisplanner.reporting.printouts.common import PrintContext

        self.report = report
        self.text.setHtml(summary_html(report, PrintContext()))
        for b in (self.copy_button, self.xlsx_button, self.pdf_button):
            b.setEnabled(True)
        self.built.emit(report)

    def copy(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(self.report.paragraph)

    def export_xlsx(self, path: str | None = None) -> str | None:
        if self.report is None:
            return None
        if not path:
            path, _ = file_dialogs.getSaveFileName(
                self, "导出工作总结", "工作总结.xlsx", "Excel 文件 (*.xlsx)"
            )
        if path:
            sm.export_xlsx(self.report, path)
        return path or None

    def export_pdf(self, path: str | None = None) -> str | None:
        from gisplanner.printing.summary_pdf import write_summary_pdf

        if self.report is None:
            return None
        if not path:
            path, _ = file_dialogs.getSaveFileName(self, "导出工作总结", "工作总结.pdf", "PDF 文件 (*.pdf)")
        if path:
            write_summary_pdf(self.report, path, store=self.ctx.store)
        return path or None


def install(ctx: PanelContext) -> None:
    panel = SupervisionPanel(ctx)
    ctx.panels.supervision = panel
    area = Qt.DockWidgetArea.BottomDockWidgetArea
    # share a tab with a dock already at the bottom, so the window does not grow wider
    others = [d for d in ctx.window.findChildren(QDockWidget) if ctx.window.dockWidgetArea(d) == area]
    dock = ctx.add_dock(panel, "督查对比", area)
    if others:
        ctx.window.tabifyDockWidget(others[0], dock)
        others[0].raise_()
    ctx.data_changed.connect(when_shown(panel, panel.data_changed))  # loads when first shown
    tools = ctx.menus["工具"]
    show = QAction("督查对比", ctx.window)
    show.triggered.connect(lambda: (dock.show(), dock.raise_()))
    summary = QAction("工作总结…", ctx.window)
    summary.triggered.connect(panel.open_summary)
    tools.addAction(show)
    tools.addAction(summary)
