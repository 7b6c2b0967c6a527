"""录入走访结果: fast keyboard entry of a returned route sheet, in sheet order.

The flow per stop (the cursor starts on the next stop of the sheet, so in order no number is
typed at all):

    [站序号/户码 + Enter, only to jump]  →  outcome key 1–5  →  民情日记 (optional)  →  Enter
    problems: Tab from the note to 约定回访时间, Tab to 类别 (number 1–13 or Chinese), Tab to 问题,
    text + Enter adds it, Enter on an empty 问题 saves the stop.

The visit's actual date and time (走访日期/时间) start at the sheet's session — shown, never the
planned arrival — and stay as typed for the following stops; 走访人 defaults to the team's
members; a date in the future or before the session is refused unless 补录 is ticked.

Every save goes through :mod:`gisplanner.campaign.results` in its own transaction; the table shows what
is entered; errors appear in red under the fields (no dialog to click away).
"""

from __future__ import annotations

import datetime as dt
import getpass

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from gisplanner.campaign import results as rs
from gisplanner.campaign.problems import ProblemError
from gisplanner.campaign.visit_time import WhenError, parse_when
from gisplanner.queries import results as rq
from gisplanner.store.database import StoreError
from gisplanner.store.model import OUTCOME_ZH, PROBLEM_CATEGORIES
from gisplanner.store.vocab import Outcome
from gisplanner.ui import file_dialogs, saving
from gisplanner.ui.context import PanelContext
from gisplanner.ui.lazy import when_shown
from gisplanner.ui.vocab_text import vocab

CATEGORY_KEYS = list(PROBLEM_CATEGORIES)  # 1-based numbers shown in the hint
OUTCOME_COLOURS = {
    Outcome.MET: "#d9f2d9",
    Outcome.PHONE: "#dde8f7",
    Outcome.NOT_HOME: "#fff2cc",
    Outcome.REFUSED: "#f8d7d7",
    Outcome.MOVED: "#e6e6e6",
}


def parse_category_key(text: str) -> str | None:
    t = text.strip()
    if t.isdigit() and 1 <= int(t) <= len(CATEGORY_KEYS):
        return CATEGORY_KEYS[int(t) - 1]
    return rs.parse_category(t)


class _OutcomeEdit(QLineEdit):
    """One key 1–5 is the whole input: accepted at once, focus moves on."""

    accepted = Signal(str)

    def keyPressEvent(self, ev: QKeyEvent) -> None:  # noqa: N802 - Qt override
        t = ev.text()
        if t in rs.OUTCOME_KEYS:
            self.setText(f"{t} {OUTCOME_ZH[rs.OUTCOME_KEYS[t]]}")
            self.accepted.emit(rs.OUTCOME_KEYS[t])
            return
        if ev.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab, Qt.Key.Key_Backspace, Qt.Key.Key_Escape):
            super().keyPressEvent(ev)
            if ev.key() == Qt.Key.Key_Backspace:
                self.clear()


class ResultsEntryPanel(QWidget):
    """The entry screen: a route sheet's stops in order and the fields of one stop."""

    saved = Signal(int)  # visit id

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.actor = getpass.getuser() or "录入员"
        self.stops: list[dict] = []
        self.current: int | None = None  # index into self.stops
        self.outcome: str | None = None
        self.pending: list[rs.ProblemInput] = []
        self.route_id: int | None = None
        self._build()

    # -- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        top = QHBoxLayout()
        self.route_combo = QComboBox()
        self.route_combo.currentIndexChanged.connect(
            lambda _i: self.load_route(self.route_combo.currentData())
        )
        top.addWidget(QLabel(self.tr("路线单")))
        top.addWidget(self.route_combo, 1)
        self.import_button = QPushButton(self.tr("导入回收表…"))
        self.import_button.clicked.connect(self._import_sheet)
        top.addWidget(self.import_button)

        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("序号"),
                self.tr("户码"),
                self.tr("户主/单位"),
                self.tr("地址"),
                self.tr("结果"),
                self.tr("问题"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setMinimumHeight(160)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.cellClicked.connect(lambda r, _c: self.go_to(r))

        self.key_edit = QLineEdit()
        self.key_edit.setPlaceholderText(self.tr("站序号或户码，回车跳转"))
        self.key_edit.returnPressed.connect(self._jump)
        self.stop_label = QLabel("—")
        self.outcome_edit = _OutcomeEdit()
        self.outcome_edit.setPlaceholderText(self.tr("1见面 2不在家 3拒访 4已搬离 5电话"))
        self.outcome_edit.accepted.connect(self._outcome_typed)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(self.tr("民情日记（可空），回车保存并到下一站"))
        self.note_edit.returnPressed.connect(self.save_current)
        self.cat_edit = QLineEdit()
        self.cat_edit.setPlaceholderText(self.tr("问题类别：序号或名称"))
        self.cat_edit.setToolTip(
            "  ".join(f"{i} {zh}" for i, zh in enumerate(PROBLEM_CATEGORIES.values(), 1))
        )
        self.desc_edit = QLineEdit()
        self.desc_edit.setPlaceholderText(self.tr("问题描述，回车添加；空白时回车保存本站"))
        self.desc_edit.returnPressed.connect(self._problem_enter)
        self.on_spot = QCheckBox(self.tr("当场解决"))
        self.date_edit = QDateEdit()
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setCalendarPopup(True)
        self.time_edit = QTimeEdit()
        self.time_edit.setDisplayFormat("HH:mm")
        self.late_entry = QCheckBox(self.tr("补录（日期早于走访时段）"))
        self.late_entry.setToolTip(self.tr("提前走访、事后补录时勾选；将来的日期始终不能保存"))
        self.visitors_edit = QLineEdit()
        self.visitors_edit.setPlaceholderText(self.tr("走访人（默认本组成员）"))
        self.appt_edit = QLineEdit()
        self.appt_edit.setPlaceholderText(self.tr("约定回访时间，如 12-12 19:30 或 12-12 晚上（可空）"))
        self.appt_edit.returnPressed.connect(self.save_current)
        self.pending_label = QLabel("")
        self.pending_label.setWordWrap(True)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        hint = QLabel(
            self.tr("类别：")
            + " ".join(f"{i}{vocab(zh)}" for i, zh in enumerate(PROBLEM_CATEGORIES.values(), 1))
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #666;")

        form = QFormLayout()
        form.addRow(self.tr("跳到"), self.key_edit)
        form.addRow(self.tr("当前站"), self.stop_label)
        when = QHBoxLayout()
        when.addWidget(self.date_edit)
        when.addWidget(self.time_edit)
        when.addWidget(self.late_entry)
        when.addStretch(1)
        form.addRow(self.tr("走访日期/时间"), when)
        form.addRow(self.tr("走访人"), self.visitors_edit)
        form.addRow(self.tr("走访结果"), self.outcome_edit)
        form.addRow(self.tr("民情日记"), self.note_edit)
        form.addRow(self.tr("约定回访时间"), self.appt_edit)
        prob = QHBoxLayout()
        prob.addWidget(self.cat_edit, 1)
        prob.addWidget(self.desc_edit, 3)
        prob.addWidget(self.on_spot)
        form.addRow(self.tr("反映问题"), prob)
        form.addRow("", self.pending_label)
        form.addRow("", hint)

        self.unplanned_button = QPushButton(self.tr("为地图所选对象录入计划外走访"))
        self.unplanned_button.clicked.connect(self._unplanned)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.unplanned_button)
        self.setTabOrder(self.outcome_edit, self.note_edit)
        self.setTabOrder(self.note_edit, self.appt_edit)
        self.setTabOrder(self.appt_edit, self.cat_edit)
        self.setTabOrder(self.cat_edit, self.desc_edit)
        self.setTabOrder(self.desc_edit, self.on_spot)

    # -- data --------------------------------------------------------------------------------
    @property
    def store(self):
        return self.ctx.store

    def reload_routes(self, round_id: int | None = None) -> None:
        round_id = round_id if round_id is not None else self.ctx.current_round_id
        self.route_combo.blockSignals(True)
        self.route_combo.clear()
        if self.store is not None and round_id is not None:
            for ch in rq.read_sheet_choices(self.store, round_id):
                self.route_combo.addItem(
                    route_label(ch.route_id, ch.team, ch.start, ch.label, ch.first_code), ch.route_id
                )
        self.route_combo.blockSignals(False)
        self.load_route(self.route_combo.currentData())

    def routes_changed(self) -> None:
        """After a data change (a new plan replaces the routes): reload the list only if it changed,
        so an entry in progress keeps its place."""
        rid = self.ctx.current_round_id
        if self.store is None or rid is None:
            return
        now = rq.route_ids(self.store, rid)
        shown = sorted(self.route_combo.itemData(i) for i in range(self.route_combo.count()))
        if now != shown:
            keep = self.route_id
            self.reload_routes(rid)
            if keep in now:
                self.select_route(keep)

    def select_route(self, route_id: int) -> None:
        i = self.route_combo.findData(route_id)
        if i >= 0:
            self.route_combo.setCurrentIndex(i)
            if self.route_combo.currentData() == route_id and not self.stops:
                self.load_route(route_id)

    def load_route(self, route_id: int | None) -> None:
        self.route_id = route_id
        self.stops = []
        self.late_entry.setChecked(False)
        if route_id is not None and self.store is not None:
            start, members, self.stops = rq.route_entry(self.store, route_id)
            if start is not None:  # the session's date and start: shown, typed over when different
                self.date_edit.setDate(QDate(start.year, start.month, start.day))
                self.time_edit.setTime(QTime(start.hour, start.minute))
            self.visitors_edit.setText(members)
        self.table.setRowCount(len(self.stops))
        for r in range(len(self.stops)):
            self._fill_row(r)
        first_open = next((i for i, st in enumerate(self.stops) if not st["outcome"]), 0)
        self.go_to(first_open if self.stops else None)

    def _fill_row(self, r: int) -> None:
        st = self.stops[r]
        vals = [str(st["seq"]), st["code"], st["name"], st["address"],
                OUTCOME_ZH.get(st["outcome"], "") if st["outcome"] else "", str(st["problems"] or "")]  # fmt: skip
        colour = QBrush(QColor(OUTCOME_COLOURS[st["outcome"]])) if st["outcome"] else QBrush()
        for c, v in enumerate(vals):
            item = QTableWidgetItem(v)
            item.setBackground(colour)
            self.table.setItem(r, c, item)

    # -- the entry flow ----------------------------------------------------------------------
    def go_to(self, index: int | None) -> None:
        self.current = index
        self.outcome = None
        self.pending = []
        for w in (self.outcome_edit, self.note_edit, self.cat_edit, self.desc_edit, self.appt_edit):
            w.clear()
        self.on_spot.setChecked(False)
        self.pending_label.clear()
        if index is None or not self.stops:
            self.stop_label.setText(self.tr("本路线单已录完") if self.stops else "—")
            self.key_edit.setFocus()
            return
        st = self.stops[index]
        self.table.selectRow(index)
        self.table.scrollToItem(self.table.item(index, 0))
        done = (
            self.tr("（已录：{outcome}，再录即更正）").format(outcome=vocab(OUTCOME_ZH[st["outcome"]]))
            if st["outcome"]
            else ""
        )
        self.stop_label.setText(
            self.tr("第 {seq} 站 {code} {name} {done}").format(
                seq=st["seq"], code=st["code"], name=st["name"], done=done
            )
        )
        self.outcome_edit.setFocus()

    def _jump(self) -> None:
        key = self.key_edit.text().strip()
        if not key:
            self.outcome_edit.setFocus()
            return
        try:
            stop_id, route_id = rq.find_stop(
                self.store, key, route_id=self.route_id, round_id=self.ctx.current_round_id
            )
        except rs.ResultsError as e:
            self._error(str(e))
            self.key_edit.selectAll()
            return
        if route_id != self.route_id:  # a code from another sheet of the round
            self.select_route(route_id)
        self.key_edit.clear()
        self.go_to(next(i for i, st in enumerate(self.stops) if st["id"] == stop_id))

    def _outcome_typed(self, outcome: str) -> None:
        self.outcome = outcome
        self.message.clear()
        self.note_edit.setFocus()

    def _problem_enter(self) -> None:
        desc = self.desc_edit.text().strip()
        if not desc:
            self.save_current()
            return
        cat = parse_category_key(self.cat_edit.text())
        if cat is None:
            self._error(
                self.tr("问题类别“{text}”无法识别（填 1–{n} 或类别名称）").format(
                    text=self.cat_edit.text(), n=len(CATEGORY_KEYS)
                )
            )
            self.cat_edit.setFocus()
            return
        self.pending.append(rs.ProblemInput(cat, desc, solved_on_spot=self.on_spot.isChecked()))
        self.pending_label.setText(
            self.tr("待保存问题：") + "；".join(
                f"{vocab(PROBLEM_CATEGORIES[p.category])}·{p.description}"
                + (self.tr("（当场解决）") if p.solved_on_spot else "")
                for p in self.pending
            )
        )  # fmt: skip
        self.desc_edit.clear()
        self.on_spot.setChecked(False)
        self.message.clear()

    def save_current(self) -> int | None:
        """Save the current stop and move to the next one; returns the visit id."""
        if self.current is None:
            self._error(self.tr("没有选中站点：输入站序号或户码"))
            return None
        if self.outcome is None:
            self._error(self.tr("请先按 1–5 选择走访结果"))
            self.outcome_edit.setFocus()
            return None
        # a problem typed but not yet added with Enter is added too
        if self.desc_edit.text().strip():
            n = len(self.pending)
            self._problem_enter()
            if len(self.pending) == n:
                return None
        st = self.stops[self.current]
        when = self.visited_at()
        try:
            appt = self.appointment(when)
            notes, visitors, late = (
                self.note_edit.text(),
                self.visitors_edit.text(),
                self.late_entry.isChecked(),
            )
            vid = saving.run(self.store, lambda s: rs.record_stop(
                s, st["id"], self.outcome, actor=self.actor, notes=notes, problems=self.pending, visited_at=when,
                visitors=visitors, appointment_at=appt, late_entry=late).id)  # fmt: skip
        except (rs.ResultsError, ProblemError, StoreError) as e:
            self._error(str(e))
            if isinstance(e, rs.VisitTimeError):
                (self.appt_edit if e.field == "约定回访时间" else self.date_edit).setFocus()
            return None
        st["outcome"], st["problems"] = self.outcome, st["problems"] + len(self.pending)
        self._fill_row(self.current)
        self.message.setStyleSheet("color: #2a7a2a;")
        self.message.setText(
            self.tr("已保存：第 {seq} 站 {name} · {outcome}").format(
                seq=st["seq"], name=st["name"], outcome=vocab(OUTCOME_ZH[self.outcome])
            )
            + (self.tr(" · 问题 {n} 个").format(n=len(self.pending)) if self.pending else "")
        )
        self.saved.emit(vid)
        nxt = self.current + 1
        if nxt < len(self.stops):
            self.go_to(nxt)
        else:  # the sheet is done: coverage colours and counts catch up now, not at every stop
            self.go_to(None)
            self.ctx.refresh()
        return vid

    def visited_at(self) -> dt.datetime:
        """The visit's date and time as typed in the panel (they start at the session's)."""
        d, t = self.date_edit.date(), self.time_edit.time()
        return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def appointment(self, when: dt.datetime) -> dt.datetime | None:
        text = self.appt_edit.text().strip()
        if not text:
            return None
        try:
            at = parse_when(text, "", default_day=when.date(), default_time=None)
        except WhenError as e:
            raise rs.VisitTimeError("约定回访时间", str(e)) from None
        if at is None:
            raise rs.VisitTimeError("约定回访时间", f"“{text}”缺少时刻（如 12-12 19:30 或 12-12 晚上）")
        return at

    def _error(self, text: str) -> None:
        self.message.setStyleSheet("color: #b00020;")
        self.message.setText(text)

    # -- other ways in -----------------------------------------------------------------------
    def _unplanned(self) -> None:
        ids = self.ctx.selection.ids
        if len(ids) != 1:
            self._error(self.tr("请先在地图上选中一个走访对象"))
            return
        if self.outcome is None:
            self._error(self.tr("请先按 1–5 选择走访结果"))
            self.outcome_edit.setFocus()
            return
        try:
            when = self.visited_at()
            appt, rid = self.appointment(when), self.ctx.current_round_id
            notes, visitors = self.note_edit.text(), self.visitors_edit.text()
            planned = saving.run(self.store, lambda s: rs.record_visit(
                s, target_id=int(ids[0]), outcome=self.outcome, actor=self.actor, round_id=rid, notes=notes,
                problems=self.pending, visited_at=when, visitors=visitors, appointment_at=appt).planned)  # fmt: skip
        except (rs.ResultsError, ProblemError, StoreError) as e:
            self._error(str(e))
            return
        self.message.setStyleSheet("color: #2a7a2a;")
        self.message.setText(self.tr("已保存走访") if planned else self.tr("已保存计划外走访"))
        self.go_to(self.current)

    def _import_sheet(self) -> None:
        path, _ = file_dialogs.getOpenFileName(self, "导入回收的路线单", "", "Excel 文件 (*.xlsx)")
        if not path:
            return
        self.import_file(path)

    def import_file(self, path: str) -> None:
        def work(progress=None):  # noqa: ARG001 - run_task passes progress
            return rs.import_sheet(self.store, path, actor=self.actor, route_id=self.route_id,
                                   round_id=self.ctx.current_round_id,
                                   late_entry=self.late_entry.isChecked())  # fmt: skip

        def done(res: rs.SheetImportResult) -> None:
            QMessageBox.information(
                self, "导入完成",
                f"录入走访 {res.visits} 条（计划外 {res.unplanned}），问题 {res.problems} 个，空白行 {res.blank_rows}。",
            )  # fmt: skip
            self.load_route(self.route_id)
            self.ctx.refresh()

        self.ctx.run_task(work, title="导入回收表", on_result=done,
                              on_error=lambda msg: QMessageBox.warning(self, "导入失败", msg))  # fmt: skip


def route_label(route_id: int, team: str, start, label: str | None, first_code: str | None) -> str:
    """The picker's text: the sheet number printed large on the route sheet first, then the team,
    the session, and the household codes the sheet carries (so "51-…" is recognisable too)."""
    codes = ""
    if first_code and "-" in first_code:
        codes = f" · 户码 {first_code[:-2]}…"
    elif first_code:
        codes = f" · 户码 {first_code}…"
    return f"路线单 {route_id} · {team} · {start:%m-%d} {label or ''}".rstrip() + codes


def install(ctx: PanelContext) -> None:
    panel = ResultsEntryPanel(ctx)
    ctx.panels.results = panel
    ctx.add_dock(panel, "录入走访结果", Qt.DockWidgetArea.RightDockWidgetArea)
    ctx.round_changed.connect(when_shown(panel, panel.reload_routes))  # loads when first shown
    ctx.data_changed.connect(when_shown(panel, panel.routes_changed))
