"""问题办理: the problem list with filters, workflow buttons, overdue rows highlighted (督办) and
each problem's event history. Every button goes through :mod:`gisplanner.campaign.problems`, passing
the version the row was read at, so a change made meanwhile by someone else is refused with
a message naming it. Double-click a problem to show its household on the map.
"""

from __future__ import annotations

import datetime as dt
import getpass

import pandas as pd
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisplanner.campaign import problems as pw
from gisplanner.queries import problems as pq
from gisplanner.store.database import StoreError
from gisplanner.store.model import CLOSED_STATUSES, PROBLEM_CATEGORIES, PROBLEM_STATUS_ZH
from gisplanner.store.vocab import ProblemStatus
from gisplanner.ui import workers
from gisplanner.ui.context import PanelContext
from gisplanner.ui.lazy import when_shown
from gisplanner.ui.vocab_text import vocab

_M = "ProblemsTableModel"  # the translation context of the headers
COLUMNS = [
    ("id", QT_TRANSLATE_NOOP("ProblemsTableModel", "编号")), ("target_name", QT_TRANSLATE_NOOP("ProblemsTableModel", "对象")),
    ("area_name", QT_TRANSLATE_NOOP("ProblemsTableModel", "村/社区")), ("category_zh", QT_TRANSLATE_NOOP("ProblemsTableModel", "类别")),
    ("status_zh", QT_TRANSLATE_NOOP("ProblemsTableModel", "状态")), ("handling_zh", QT_TRANSLATE_NOOP("ProblemsTableModel", "办理方式")),
    ("unit_name", QT_TRANSLATE_NOOP("ProblemsTableModel", "承办单位")), ("deadline", QT_TRANSLATE_NOOP("ProblemsTableModel", "期限")),
    ("escalations", QT_TRANSLATE_NOOP("ProblemsTableModel", "升级")), ("description", QT_TRANSLATE_NOOP("ProblemsTableModel", "问题描述")),
]  # fmt: skip
_VOCAB_COLUMNS = ("category_zh", "status_zh", "handling_zh")  # labels of the vocabulary: vocab()
OVERDUE_BRUSH = QBrush(QColor("#f8d0d0"))
STATUS_BUTTONS = [  # (label, target status); the label is the button's key, shown translated
    (QT_TRANSLATE_NOOP("ProblemsPanel", "签收办理"), ProblemStatus.IN_PROGRESS), (QT_TRANSLATE_NOOP("ProblemsPanel", "已解决"), ProblemStatus.RESOLVED),
    (QT_TRANSLATE_NOOP("ProblemsPanel", "解释说明"), ProblemStatus.EXPLAINED), (QT_TRANSLATE_NOOP("ProblemsPanel", "集中整治"), ProblemStatus.RECTIFICATION),
    (QT_TRANSLATE_NOOP("ProblemsPanel", "重新办理"), ProblemStatus.IN_PROGRESS), (QT_TRANSLATE_NOOP("ProblemsPanel", "退回"), ProblemStatus.OPEN),
]  # fmt: skip
OTHER_BUTTONS = (
    QT_TRANSLATE_NOOP("ProblemsPanel", "答复群众…"),
    QT_TRANSLATE_NOOP("ProblemsPanel", "电话回访…"),
    QT_TRANSLATE_NOOP("ProblemsPanel", "督办升级"),
)


SEEN_COLUMNS = ("category", "description", "handling", "level", "unit_id", "status", "deadline", "reply",
                "callback_at", "satisfaction", "escalations", "version")  # fmt: skip


def seen_of(row: pd.Series) -> dict:
    """The problem as the table row shows it: what a save checks against (optimistic locking)."""
    out = {}
    for k in SEEN_COLUMNS:
        v = row[k]
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            v = None
        elif isinstance(v, pd.Timestamp):
            v = v.to_pydatetime()
        elif k in ("unit_id", "escalations", "version"):
            v = int(v)
        out[k] = v
    return out


class ProblemsTableModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.frame = pd.DataFrame(
            columns=[c for c, _ in COLUMNS] + ["overdue", "version", "status", "target_id"]
        )

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return QCoreApplication.translate(_M, COLUMNS[section][1])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.frame.iloc[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            key = COLUMNS[index.column()][0]
            v = row[key]
            if v is None or (isinstance(v, float) and pd.isna(v)):
                return ""
            if key == "escalations":
                return str(int(v)) if v else ""
            return vocab(str(v)) if key in _VOCAB_COLUMNS else str(v)
        if role == Qt.ItemDataRole.BackgroundRole and bool(row["overdue"]):
            return OVERDUE_BRUSH
        if role == Qt.ItemDataRole.FontRole and bool(row["overdue"]):
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.ToolTipRole and bool(row["overdue"]):
            return QCoreApplication.translate("ProblemsTableModel", "已超期（期限 {d}）").format(
                d=row["deadline"]
            )
        return None


class ProblemsPanel(QWidget):
    loaded = Signal()

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.actor = getpass.getuser() or "办理人"
        self.all = pd.DataFrame()
        self.today = dt.date.today()
        self._keep_id: int | None = None
        self._tasks: dict = {}  # running loads, by their signals object
        self.model = ProblemsTableModel(self)
        self._build()

    def _build(self) -> None:
        self.status_filter = QComboBox()
        self.status_filter.addItem(self.tr("未办结"), "open_all")
        self.status_filter.addItem(self.tr("超期督办"), "overdue")
        self.status_filter.addItem(self.tr("全部"), None)
        for k, zh in PROBLEM_STATUS_ZH.items():
            self.status_filter.addItem(vocab(zh), k)
        self.category_filter = QComboBox()
        self.category_filter.addItem(self.tr("全部类别"), None)
        for k, zh in PROBLEM_CATEGORIES.items():
            self.category_filter.addItem(vocab(zh), k)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("搜索对象、单位或描述"))
        for w in (self.status_filter, self.category_filter):
            w.currentIndexChanged.connect(self.apply_filter)
        self.search.textChanged.connect(self.apply_filter)
        self.count_label = QLabel()
        filters = QHBoxLayout()
        for w in (self.status_filter, self.category_filter, self.search, self.count_label):
            filters.addWidget(w)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._row_changed)
        self.table.doubleClicked.connect(self._show_on_map)

        self.buttons: dict[str, QPushButton] = {}
        bar = QHBoxLayout()
        new = QPushButton(self.tr("登记问题…"))
        new.setToolTip(self.tr("为地图上选中的一个对象登记问题"))
        new.clicked.connect(self._new_problem)
        bar.addWidget(new)
        hand = QPushButton(self.tr("交办/委托…"))
        hand.clicked.connect(self._hand_down)
        self.buttons["assign"] = hand
        bar.addWidget(hand)
        for label, to in STATUS_BUTTONS:
            b = QPushButton(self.tr(label))
            b.clicked.connect(lambda _=False, to=to, label=label: self._status(to, label))
            self.buttons[label] = b
            bar.addWidget(b)
        for label, slot in zip(OTHER_BUTTONS, (self._reply, self._callback, self._escalate), strict=True):
            b = QPushButton(self.tr(label))
            b.clicked.connect(slot)
            self.buttons[label] = b
            bar.addWidget(b)
        bar.addStretch(1)
        rules = QPushButton(self.tr("时限设置…"))
        rules.clicked.connect(self._deadline_rules)
        bar.addWidget(rules)
        self.rules_button = rules
        self.escalate_all = QPushButton(self.tr("超期问题一键升级"))
        self.escalate_all.clicked.connect(self._escalate_all)
        bar.addWidget(self.escalate_all)

        self.events = QTableWidget(0, 5)
        self.events.setHorizontalHeaderLabels(
            [self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("状态变化"), self.tr("说明")]
        )
        self.events.verticalHeader().hide()
        self.events.verticalHeader().setDefaultSectionSize(22)
        for c in range(4):
            self.events.horizontalHeader().setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        self.events.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.events.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.events)
        split.setSizes([400, 160])
        lay = QVBoxLayout(self)
        lay.addLayout(filters)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        self._update_buttons(None)

    # -- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.ctx.store
        if store is None:
            return
        today = self.today

        def work(progress=None):  # noqa: ARG001
            return pw.problems_frame(store, today=today)

        # its own worker, not ctx.run_task: a quick reload after every data change needs no
        # progress bar, and a result arriving after the window closed then reaches nothing
        task = workers.TaskWorker(work)
        task.signals.result.connect(self._loaded)
        # bound slots of this widget (not lambdas): Qt queues them to the UI thread
        task.signals.error.connect(self._load_failed)
        task.signals.finished.connect(self._load_finished)
        self._tasks[task.signals] = task
        workers.start(task)

    @Slot(str, str)
    def _load_failed(self, message: str, _tb: str) -> None:
        self.count_label.setText(self.tr("加载问题失败：") + message)

    @Slot()
    def _load_finished(self) -> None:
        self._tasks.pop(self.sender(), None)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    @Slot(object)
    def _loaded(self, frame: pd.DataFrame) -> None:
        self.all = frame
        self.apply_filter()
        self.loaded.emit()

    def apply_filter(self) -> None:
        df = self.all
        if df.empty:
            self.model.set_frame(df)
            self.count_label.setText(self.tr("共 0 个"))
            return
        st = self.status_filter.currentData()
        if st == "open_all":
            df = df[~df["status"].isin(CLOSED_STATUSES)]
        elif st == "overdue":
            df = df[df["overdue"]]
        elif st:
            df = df[df["status"] == st]
        cat = self.category_filter.currentData()
        if cat:
            df = df[df["category"] == cat]
        text = self.search.text().strip()
        if text:
            hay = df["target_name"].fillna("") + df["unit_name"].fillna("") + df["description"].fillna("")
            df = df[hay.str.contains(text, regex=False)]
        if st == "overdue":
            df = df.sort_values(["deadline", "id"])
        self.model.set_frame(df)
        self.count_label.setText(
            self.tr("共 {n} 个，超期 {late} 个").format(n=len(df), late=int(df["overdue"].sum()))
        )
        if self._keep_id is not None:
            self.select_problem(self._keep_id)

    def select_problem(self, problem_id: int) -> bool:
        hits = self.model.frame.index[self.model.frame["id"] == problem_id]
        if len(hits) == 0:
            return False
        self.table.selectRow(int(hits[0]))
        return True

    def current_row(self) -> pd.Series | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.frame.iloc[rows[0].row()] if rows else None

    def _row_changed(self, *_a) -> None:
        row = self.current_row()
        self._update_buttons(row)
        self.events.setRowCount(0)
        if row is None:
            return
        evs = pq.read_history(self.ctx.store, int(row["id"]))
        self.events.setRowCount(len(evs))
        for r, e in enumerate(evs):
            change = (f"{vocab(PROBLEM_STATUS_ZH.get(e['from_status'] or '', ''))} → {vocab(PROBLEM_STATUS_ZH.get(e['to_status'] or '', ''))}"
                      if e["from_status"] != e["to_status"] else "")  # fmt: skip
            for c, v in enumerate([f"{e['at']:%Y-%m-%d %H:%M}", e["actor"], pw.ACTION_ZH.get(e["action"], e["action"]),
                                   change, e["note"] or ""]):  # fmt: skip
                self.events.setItem(r, c, QTableWidgetItem(v))

    def _update_buttons(self, row) -> None:
        status = None if row is None else row["status"]
        nxt = set(pw.allowed_next(status)) if status else set()
        closed = status in CLOSED_STATUSES
        self.buttons["assign"].setEnabled(status in (ProblemStatus.OPEN, ProblemStatus.ASSIGNED))
        for label, to in STATUS_BUTTONS:
            ok = to in nxt
            if label == "重新办理":
                ok = ok and closed
            elif label == "签收办理":
                ok = ok and not closed
            self.buttons[label].setEnabled(bool(ok))
        self.buttons["答复群众…"].setEnabled(status is not None)
        self.buttons["电话回访…"].setEnabled(closed)
        self.buttons["督办升级"].setEnabled(status is not None and not closed and row["level"] != "city")
        self._apply_role()

    def _apply_role(self) -> None:
        """Grey out what the signed-in role may not do (the core refuses it anyway)."""
        from gisplanner.access.roles import allows

        store = self.ctx.store
        if store is None:
            return
        handle, supervise = allows(store, "problems.handle"), allows(store, "problems.supervise")
        for key, b in self.buttons.items():
            if not (supervise if key == "督办升级" else handle):
                b.setEnabled(False)
        for b in (self.escalate_all, self.rules_button):
            b.setEnabled(supervise)

    # -- actions ---------------------------------------------------------------------------
    def _run(self, fn, *args, label: str | None = None, **kw) -> bool:
        row = self.current_row()
        if row is None:
            return False
        pid = int(row["id"])
        from gisplanner.store.model import Problem
        from gisplanner.ui import saving

        def action(s, _problem):  # the version was checked by the save path (the row shown)
            return fn(s, pid, *args, actor=self.actor, **kw)

        try:
            saving.save_action(self, self.ctx.store, Problem, pid, seen_of(row), action,
                               label=label or getattr(fn, "__name__", ""))  # fmt: skip
        except (pw.ProblemError, StoreError) as e:
            QMessageBox.warning(self, "操作未完成", str(e))
            self._keep_id = pid
            self.reload()
            return False
        self._keep_id = pid
        self.reload()
        return True

    def _status(self, to: str, label: str) -> bool:
        note = None
        if (
            to in (ProblemStatus.EXPLAINED, ProblemStatus.RECTIFICATION, ProblemStatus.OPEN)
            or label == "重新办理"
        ):
            note, ok = QInputDialog.getText(self, label, "说明：")
            if not ok:
                return False
        return self._run(pw.change_status, to, note=note or None, label=label)

    def _reply(self) -> bool:
        text, ok = QInputDialog.getMultiLineText(self, "答复群众", "答复内容：")
        return ok and self._run(pw.record_reply, text, label="答复群众")

    def _callback(self) -> bool:
        items = list(pw.SATISFACTION_ZH.values())
        choice, ok = QInputDialog.getItem(self, "电话回访", "群众满意度：", items, 0, False)
        if not ok:
            return False
        key = next(k for k, v in pw.SATISFACTION_ZH.items() if v == choice)
        return self._run(pw.record_callback, key, label=f"电话回访（{choice}）")

    def _escalate(self) -> bool:
        return self._run(pw.escalate, today=self.today, label="督办升级")

    def _hand_down(self) -> None:
        from gisplanner.ui.dialogs.problem_dialog import ProblemDialog

        row = self.current_row()
        if row is None:
            return
        dlg = ProblemDialog(self.ctx.store, actor=self.actor, problem_id=int(row["id"]), parent=self)
        if dlg.exec():
            self._keep_id = int(row["id"])
            self.reload()

    def _new_problem(self) -> None:
        from gisplanner.ui.dialogs.problem_dialog import ProblemDialog

        ids = self.ctx.selection.ids
        if len(ids) != 1:
            QMessageBox.information(self, "登记问题", "请先在地图上选中一个走访对象")
            return
        dlg = ProblemDialog(self.ctx.store, actor=self.actor, target_id=int(ids[0]),
                            round_id=self.ctx.current_round_id, parent=self)  # fmt: skip
        if dlg.exec():
            self._keep_id = dlg.result_id
            self.status_filter.setCurrentIndex(self.status_filter.findData(None))
            self.reload()

    def _deadline_rules(self) -> None:
        from gisplanner.ui.dialogs.problem_dialog import DeadlineRulesDialog

        DeadlineRulesDialog(self.ctx.store, parent=self).exec()

    def _escalate_all(self) -> None:
        n = int(self.all["overdue"].sum()) if not self.all.empty else 0
        if n == 0:
            QMessageBox.information(self, "督办", "没有超期问题")
            return
        if (
            QMessageBox.question(self, "督办", f"把 {n} 个超期问题各升级一级督办？")
            != QMessageBox.StandardButton.Yes
        ):
            return
        run = pq.escalate_all_overdue(self.ctx.store, actor=self.actor, today=self.today)
        QMessageBox.information(
            self, "督办", f"已升级 {len(run.escalated)} 个，跳过 {len(run.skipped)} 个（已在市级）"
        )
        self.reload()

    def _show_on_map(self, index) -> None:
        row = self.model.frame.iloc[index.row()]
        self.ctx.selection.select([int(row["target_id"])], "replace", text="显示问题所在对象")


def install(ctx: PanelContext) -> None:
    panel = ProblemsPanel(ctx)
    ctx.panels.problems = panel
    ctx.add_dock(panel, "问题办理", Qt.DockWidgetArea.BottomDockWidgetArea)
    ctx.data_changed.connect(when_shown(panel, panel.reload))  # loads when first shown
