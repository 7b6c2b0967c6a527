"""登记问题 / 交办·委托: a problem's category, description, handling and unit.

Every change goes through :mod:`gisplanner.campaign.problems` (one event per change); a refused change
keeps the dialog open with the reason shown under the fields.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gisplanner.campaign import problems as pw
from gisplanner.queries import problems as pq
from gisplanner.store.model import AREA_LEVEL_ZH, HANDLING_ZH, PROBLEM_CATEGORIES, Problem

UNIT_LEVELS = {"self": (), "assign": ("village", "town"), "delegate": ("district", "city")}


class ProblemDialog(QDialog):
    """``target_id`` given: register a new problem (and hand it down at once if chosen);
    ``problem_id`` given: hand an existing problem down / delegate it."""

    def __init__(
        self,
        store,
        *,
        actor: str,
        target_id: int | None = None,
        problem_id: int | None = None,
        visit_id: int | None = None,
        round_id: int | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.store, self.actor = store, actor
        self.target_id, self.problem_id = target_id, problem_id
        self.visit_id, self.round_id = visit_id, round_id
        self.result_id: int | None = None
        self.version: int | None = None
        form = pq.problem_form(store, target_id=target_id, problem_id=problem_id)
        self.units, self.rules, who = form.units, form.rules, form.who
        self.version, self.seen = form.version, form.seen
        cat, desc, handling, unit = form.category, form.description, form.handling, form.unit_id
        self.setWindowTitle(f"交办/委托问题 #{problem_id}" if problem_id else f"登记问题：{who}")

        self.category = QComboBox()
        for k, zh in PROBLEM_CATEGORIES.items():
            self.category.addItem(zh, k)
        self.category.setCurrentIndex(self.category.findData(cat))
        self.description = QPlainTextEdit(desc)
        self.description.setFixedHeight(70)
        self.handling = QComboBox()
        for k, zh in HANDLING_ZH.items():
            if problem_id is None or k != "self":
                self.handling.addItem(zh, k)
        self.unit = QComboBox()
        self.deadline = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("对象", QLabel(who))
        form.addRow("问题类别", self.category)
        form.addRow("问题描述", self.description)
        form.addRow("办理方式", self.handling)
        form.addRow("承办单位", self.unit)
        form.addRow("办理期限", self.deadline)
        if problem_id is not None:
            self.category.setEnabled(False)
            self.description.setReadOnly(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.handling.currentIndexChanged.connect(self._fill_units)
        self.category.currentIndexChanged.connect(self._show_deadline)
        i = self.handling.findData(handling)
        self.handling.setCurrentIndex(i if i >= 0 else 0)
        self._fill_units()
        if unit is not None:
            self.unit.setCurrentIndex(max(0, self.unit.findData(unit)))
        self._show_deadline()

    def _fill_units(self) -> None:
        levels = UNIT_LEVELS[self.handling.currentData()]
        self.unit.clear()
        if not levels:
            self.unit.addItem("（本级自行办理）", None)
        for uid, name, level in self.units:
            if level in levels:
                self.unit.addItem(f"{name}（{AREA_LEVEL_ZH.get(level, level)}）", uid)
        self.unit.setEnabled(bool(levels))

    def _show_deadline(self) -> None:
        cat = self.category.currentData()
        self.deadline.setText(
            f"{self.rules.label(cat)}，至 {self.rules.deadline(cat, dt.date.today()):%Y-%m-%d}"
        )

    def save(self) -> None:
        handling, unit_id = self.handling.currentData(), self.unit.currentData()
        if self.problem_id is not None:  # an edit of an existing problem: the one save path
            self._hand_down_existing(handling, unit_id)
            return
        try:
            self.result_id = pq.register_problem(
                self.store, target_id=self.target_id, category=self.category.currentData(),
                description=self.description.toPlainText(), actor=self.actor, handling=handling,
                unit_id=unit_id, visit_id=self.visit_id, round_id=self.round_id, rules=self.rules,
            )  # fmt: skip
        except pw.ProblemError as e:
            self.error.setText(str(e))
            return
        self.accept()

    def _hand_down_existing(self, handling: str, unit_id: int | None) -> None:
        from gisplanner.store.database import StoreError
        from gisplanner.ui import saving

        if handling == "self":
            self.accept()
            return

        def action(s, p):
            return pw.hand_down(s, p.id, handling=handling, unit_id=unit_id, actor=self.actor)

        label = f"{HANDLING_ZH.get(handling, handling)}：{self.unit.currentText()}"
        try:
            done, _ = saving.save_action(
                self, self.store, Problem, self.problem_id, self.seen, action, label=label
            )
        except (pw.ProblemError, StoreError) as e:
            self.error.setText(str(e))
            return
        self.result_id = self.problem_id
        if done:
            self.accept()
        else:
            self.reject()  # the user took the other official's version


class DeadlineRulesDialog(QDialog):
    """办理时限设置: working days per category (0 = 即时办理) and the holidays, stored in the database."""

    def __init__(self, store, parent: QWidget | None = None):
        from PySide6.QtWidgets import QSpinBox

        super().__init__(parent)
        self.store = store
        self.setWindowTitle("办理时限设置（工作日）")
        self.rules = pq.read_rules(store)
        form = QFormLayout()
        self.spins = {}
        for cat, zh in PROBLEM_CATEGORIES.items():
            sp = QSpinBox()
            sp.setRange(0, 60)
            sp.setSpecialValueText("即时办理")
            sp.setSuffix(" 个工作日")
            sp.setValue(self.rules.days_for(cat))
            self.spins[cat] = sp
            form.addRow(zh, sp)
        self.escalation = QSpinBox()
        self.escalation.setRange(1, 30)
        self.escalation.setSuffix(" 个工作日")
        self.escalation.setValue(self.rules.escalation_days)
        form.addRow("督办升级后的新期限", self.escalation)
        self.holidays = QPlainTextEdit("\n".join(d.isoformat() for d in sorted(self.rules.calendar.holidays)))
        self.holidays.setPlaceholderText("节假日，每行一个日期，如 2027-01-01")
        self.holidays.setFixedHeight(80)
        form.addRow("节假日", self.holidays)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def save(self) -> None:
        from gisplanner.campaign.workdays import WorkCalendar

        days = []
        for n, line in enumerate(self.holidays.toPlainText().splitlines(), start=1):
            if line.strip():
                try:
                    days.append(dt.date.fromisoformat(line.strip()))
                except ValueError:
                    self.error.setText(f"节假日第 {n} 行“{line.strip()}”不是日期（如 2027-01-01）")
                    return
        self.rules.days = {cat: sp.value() for cat, sp in self.spins.items()}
        self.rules.escalation_days = self.escalation.value()
        self.rules.calendar = WorkCalendar.of(days, self.rules.calendar.extra_workdays)
        pq.write_rules(self.store, self.rules)
        self.accept()
