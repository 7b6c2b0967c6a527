"""走访时段日历: a round's sessions on a month calendar.

Dates with sessions are bold (and blue; statutory holidays red, 调休 working days orange); the
list beside the calendar shows the chosen date's sessions. The editor below adds a session,
moves the selected one (another date or time), changes its kind or marks it for some teams
only; "删除" removes it; "按模板生成" fills the round's dates from the templates, whose times
("时段模板…") are settings in the database. Every change goes through :mod:`gisplanner.campaign.rounds`
and is refused with the reason shown when it breaks a rule (overlap, outside the round …).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCalendarWidget,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from gisplanner.campaign import rounds
from gisplanner.campaign.schedule import WEEKDAY_ZH, SessionTemplate
from gisplanner.queries import rounds as rq
from gisplanner.store.model import SESSION_KIND_ZH, SESSION_KINDS


def _pytime(q: QTime) -> dt.time:
    return dt.time(q.hour(), q.minute())


SESSION_ID = Qt.ItemDataRole.UserRole


class SessionCalendarDialog(QDialog):
    """The calendar of one round's sessions; ``sessionsChanged`` after every stored change."""

    sessionsChanged = Signal()

    def __init__(self, store, round_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.round_id = store, round_id
        self.round, self.teams, self.calendar_days = rq.session_calendar(store, round_id)
        self.setWindowTitle(self.tr("走访时段日历：") + self.round["name"])
        self.resize(1000, 640)
        self.cal = QCalendarWidget()
        self.cal.setGridVisible(True)
        self.cal.setFirstDayOfWeek(Qt.DayOfWeek.Monday)
        self.cal.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        if self.round["start"] and self.round["end"]:
            first = dt.date.fromisoformat(self.round["start"])
            last = dt.date.fromisoformat(self.round["end"])
            self.cal.setDateRange(QDate(first), QDate(last))
            self.cal.setSelectedDate(QDate(first))
        self.cal.selectionChanged.connect(self._date_changed)
        self.cal.currentPageChanged.connect(lambda *_: self._mark_days())
        self.day_label = QLabel()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            [self.tr("时间"), self.tr("类型"), self.tr("名称"), self.tr("小组")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._session_selected)

        # the editor: the selected session, or a new one
        box = QGroupBox(self.tr("时段"))
        form = QFormLayout(box)
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.start = QTimeEdit(QTime(19, 0))
        self.end = QTimeEdit(QTime(21, 0))
        for w in (self.start, self.end):
            w.setDisplayFormat("HH:mm")
        times = QHBoxLayout()
        times.addWidget(self.start)
        times.addWidget(QLabel("–"))
        times.addWidget(self.end)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("按日期自动"), None)
        for k in SESSION_KINDS:
            self.kind.addItem(self.tr(SESSION_KIND_ZH[k]), k)
        self.team_list = QListWidget()
        self.team_list.setMaximumHeight(120)
        for t in self.teams:
            item = QListWidgetItem(t["name"] + (f"（{'、'.join(t['members'])}）" if t["members"] else ""))
            item.setData(SESSION_ID, t["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.team_list.addItem(item)
        form.addRow(self.tr("日期"), self.date)
        form.addRow(self.tr("时间"), times)
        form.addRow(self.tr("类型"), self.kind)
        form.addRow(self.tr("只给这些小组\n（都不勾：所有小组）"), self.team_list)
        self.add_button = QPushButton(self.tr("添加时段"))
        self.save_button = QPushButton(self.tr("保存所选时段（移动/标记）"))
        self.remove_button = QPushButton(self.tr("删除所选时段"))
        self.generate_button = QPushButton(self.tr("按模板生成"))
        self.templates_button = QPushButton(self.tr("时段模板…"))
        self.add_button.clicked.connect(self.add_session)
        self.save_button.clicked.connect(self.save_session)
        self.remove_button.clicked.connect(self.remove_session)
        self.generate_button.clicked.connect(self.generate)
        self.templates_button.clicked.connect(self.edit_templates)
        # manual overrides of the holiday calendar for the chosen date
        self.day_off_button = QPushButton(self.tr("本日设为休息日"))
        self.work_day_button = QPushButton(self.tr("本日设为工作日"))
        self.official_button = QPushButton(self.tr("本日按官方日历"))
        self.day_off_button.clicked.connect(lambda: self.set_day(False))
        self.work_day_button.clicked.connect(lambda: self.set_day(True))
        self.official_button.clicked.connect(lambda: self.set_day(None))
        self.message = QLabel()
        self.message.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(self.cal, 3)
        self.summary = QLabel()
        left.addWidget(self.summary)
        gen = QHBoxLayout()
        gen.addWidget(self.generate_button)
        gen.addWidget(self.templates_button)
        left.addLayout(gen)
        days = QHBoxLayout()
        for b in (self.day_off_button, self.work_day_button, self.official_button):
            days.addWidget(b)
        left.addLayout(days)
        right = QVBoxLayout()
        right.addWidget(self.day_label)
        right.addWidget(self.table, 2)
        right.addWidget(box)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.save_button, self.remove_button):
            buttons.addWidget(b)
        right.addLayout(buttons)
        main = QHBoxLayout()
        main.addLayout(left, 5)
        main.addLayout(right, 4)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("关闭"))
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(main)
        lay.addWidget(self.message)
        lay.addWidget(close)
        self.reload()

    # -- reading ---------------------------------------------------------------------------------
    def selected_date(self) -> dt.date:
        return self.cal.selectedDate().toPython()

    def reload(self) -> None:
        self.sessions = rq.read_sessions(self.store, self.round_id)
        self._mark_days()
        self._date_changed()
        n = len(self.sessions)
        by_kind = {k: sum(1 for x in self.sessions if x["kind"] == k) for k in SESSION_KINDS}
        parts = "，".join(f"{self.tr(SESSION_KIND_ZH[k])} {by_kind[k]}" for k in SESSION_KINDS)
        self.summary.setText(
            self.tr("本轮共 {n} 个时段：").format(n=n) + parts if n else self.tr("本轮还没有走访时段")
        )

    def _mark_days(self) -> None:
        self.cal.setDateTextFormat(QDate(), QTextCharFormat())  # clear
        counts: dict[str, int] = {}
        for x in self.sessions:
            counts[x["date"]] = counts.get(x["date"], 0) + 1
        year, month = self.cal.yearShown(), self.cal.monthShown()
        day = dt.date(year, month, 1) - dt.timedelta(days=7)
        for _ in range(50):
            fmt = QTextCharFormat()
            what = self.calendar_days.describe(day)
            if self.calendar_days.is_holiday(day):
                fmt.setForeground(QBrush(QColor("#c0392b")))
            elif self.calendar_days.is_workday(day) and day.weekday() >= 5:
                fmt.setForeground(QBrush(QColor("#d35400")))
            if day.isoformat() in counts:
                fmt.setFontWeight(QFont.Weight.Bold)
                fmt.setBackground(QBrush(QColor("#deebf7")))
                fmt.setToolTip(f"{what}：{counts[day.isoformat()]} 个时段")
            else:
                fmt.setToolTip(what)
            self.cal.setDateTextFormat(QDate(day), fmt)
            day += dt.timedelta(days=1)

    def _date_changed(self) -> None:
        day = self.selected_date()
        self.date.setDate(QDate(day))
        self.day_label.setText(
            f"{day:%Y-%m-%d} {WEEKDAY_ZH[day.weekday()]}（{self.calendar_days.describe(day)}）"
        )
        names = {t["id"]: t["name"] for t in self.teams}
        rows = [x for x in self.sessions if x["date"] == day.isoformat()]
        self.table.setRowCount(len(rows))
        for r, x in enumerate(rows):
            teams = "、".join(names.get(t, str(t)) for t in x["teams"]) or self.tr("所有小组")
            cells = [f"{x['start']}–{x['end']}", self.tr(SESSION_KIND_ZH[x["kind"]]), x["label"] or "", teams]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(SESSION_ID, x["id"])
                self.table.setItem(r, c, item)

    def selected_session(self) -> dict | None:
        items = self.table.selectedItems()
        if not items:
            return None
        sid = items[0].data(SESSION_ID)
        return next((x for x in self.sessions if x["id"] == sid), None)

    def _session_selected(self) -> None:
        x = self.selected_session()
        if x is None:
            return
        self.date.setDate(QDate(dt.date.fromisoformat(x["date"])))
        self.start.setTime(QTime.fromString(x["start"], "HH:mm"))
        self.end.setTime(QTime.fromString(x["end"], "HH:mm"))
        self.kind.setCurrentIndex(max(0, self.kind.findData(x["kind"])))
        for i in range(self.team_list.count()):
            item = self.team_list.item(i)
            on = item.data(SESSION_ID) in x["teams"]
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _editor(self) -> tuple[dt.datetime, dt.datetime, str | None, list[int]]:
        day = self.date.date().toPython()
        start = dt.datetime.combine(day, _pytime(self.start.time()))
        end = dt.datetime.combine(day, _pytime(self.end.time()))
        teams = [
            self.team_list.item(i).data(SESSION_ID)
            for i in range(self.team_list.count())
            if self.team_list.item(i).checkState() == Qt.CheckState.Checked
        ]
        return start, end, self.kind.currentData(), teams

    # -- changing ------------------------------------------------------------------------------
    def _apply(self, change, done: str) -> bool:
        from gisplanner.ui import saving

        # the save path: scope and role checks, reconnects
        return self._save(lambda: (saving.run(self.store, change), True)[1], done)

    def _save(self, save, done: str) -> bool:
        """``save()`` → True when stored, False when the user took another official's version
        after a conflict (the calendar then shows that version)."""
        from gisplanner.store.database import StoreError

        try:
            saved = save()
        except (rounds.RoundError, StoreError) as e:
            self.message.setStyleSheet("color: #c0392b")
            self.message.setText(str(e))
            return False
        if not saved:
            self.message.setStyleSheet("color: #c0392b")
            self.message.setText(self.tr("未保存：时段已被其他人修改或删除，现在显示的是对方保存的版本"))
            self.reload()
            self.sessionsChanged.emit()
            return False
        self.message.setStyleSheet("color: #1e7b34")
        self.message.setText(done)
        self.reload()
        self.sessionsChanged.emit()
        return True

    def add_session(self) -> bool:
        start, end, kind, teams = self._editor()
        ok = self._apply(
            lambda s: rounds.add_session(s, self.round_id, start, end, kind, teams), self.tr("已添加时段")
        )
        if ok:
            self.cal.setSelectedDate(QDate(start.date()))
        return ok

    def save_session(self) -> bool:
        x = self.selected_session()
        if x is None:
            self.message.setText(self.tr("请先在列表中选择一个时段"))
            return False
        from gisplanner.store.model import VisitSession
        from gisplanner.ui import saving

        start, end, kind, teams = self._editor()
        seen = dict(x["seen"], teams=x["teams"])  # the version the user opened
        # kind None (按日期自动): the day decides
        changes = {
            k: v for k, v in (("start", start), ("end", end), ("kind", kind)) if v not in (None, seen[k])
        }
        if sorted(teams) != sorted(x["teams"]):
            changes["teams"] = sorted(teams)

        def apply(s, v, ch):
            return rounds.update_session(
                s, v.id, round_id=self.round_id, start=ch.get("start"), end=ch.get("end"),
                # a move keeps the session's kind (theirs, if they changed it), unless 按日期自动
                kind=ch.get("kind") or (None if kind is None else v.kind), team_ids=ch.get("teams"),
            )  # fmt: skip

        ok = self._save(
            lambda: saving.save_changes(
                self, self.store, VisitSession, x["id"], seen, changes, apply, label=self.tr("移动/标记时段")
            )[0],
            self.tr("已保存时段"),
        )
        if ok:
            self.cal.setSelectedDate(QDate(start.date()))
        return ok

    def remove_session(self) -> bool:
        x = self.selected_session()
        if x is None:
            self.message.setText(self.tr("请先在列表中选择一个时段"))
            return False
        routes = rq.count_routes_in_sessions(self.store, [x["id"]])
        done = self.tr("已删除时段") + (
            self.tr("，连同其中已规划的 {n} 条路线").format(n=routes) if routes else ""
        )
        from gisplanner.store.model import VisitSession
        from gisplanner.ui import saving

        # only the version the user sees is removed: a session moved meanwhile shows the conflict
        return self._save(
            lambda: saving.save_action(
                self, self.store, VisitSession, x["id"], x["seen"],
                lambda s, v: rounds.remove_sessions(s, self.round_id, [v.id]), label=self.tr("删除时段"),
            )[0],
            done,
        )  # fmt: skip

    def generate(self) -> bool:
        notes: list[str] = []

        def run(s):
            added, _, more = rounds.generate_sessions(s, self.round_id)
            notes.append(self.tr("按模板添加 {n} 个时段").format(n=added))
            notes.extend(more)

        ok = self._apply(run, "")
        if ok:
            self.message.setText("；".join(notes))
        return ok

    def set_day(self, workday: bool | None) -> None:
        """Override the holiday calendar for the chosen date (None: back to the official one).
        Sessions already made stay; "按模板生成" adds those the changed day now gets."""
        day = self.selected_date()
        self.calendar_days = rq.override_day(self.store, day, workday)
        self.message.setStyleSheet("color: #1e7b34")
        self.message.setText(
            f"{day}：{self.calendar_days.describe(day)}" + self.tr("（已有时段不变，可按模板生成补充）")
        )
        self._mark_days()
        self._date_changed()

    def edit_templates(self) -> None:
        dlg = TemplateDialog(self.store, self)
        dlg.exec()


class TemplateDialog(QDialog):
    """走访时段模板: the times of each template slot (stored as a setting in the database)."""

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(self.tr("走访时段模板"))
        self.templates = rq.read_templates(store)
        form = QFormLayout()
        self.rows: list[tuple[SessionTemplate, QTimeEdit, QTimeEdit]] = []
        for t in self.templates:
            a, b = QTimeEdit(QTime(t.start.hour, t.start.minute)), QTimeEdit(QTime(t.end.hour, t.end.minute))
            for w in (a, b):
                w.setDisplayFormat("HH:mm")
            row = QHBoxLayout()
            row.addWidget(a)
            row.addWidget(QLabel("–"))
            row.addWidget(b)
            form.addRow(f"{t.label}（{SESSION_KIND_ZH[t.kind]}）", row)
            self.rows.append((t, a, b))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def accept(self) -> None:  # noqa: D102 - Qt override
        new = [
            SessionTemplate(t.kind, _pytime(a.time()), _pytime(b.time()), t.label) for t, a, b in self.rows
        ]
        try:
            rq.write_templates(self.store, new)
        except rounds.RoundError as e:
            self.error.setText(str(e))
            return
        super().accept()
