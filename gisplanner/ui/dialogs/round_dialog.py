"""新建/编辑走访轮次: a round's name, kind, area, dates and status (筹备中 → 进行中 → 已结束).

A new round can get its sessions from the templates at once (weekday evenings, weekends,
weekday working hours, on the holiday calendar). Every change goes through
:mod:`gisplanner.campaign.rounds`; a refused change keeps the dialog open with the reason shown.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gisplanner.campaign import rounds
from gisplanner.queries import rounds as rq
from gisplanner.store.database import StoreError
from gisplanner.store.model import (
    AREA_LEVEL_ZH,
    ROUND_KIND_ZH,
    ROUND_STATUS_ZH,
    SESSION_KIND_ZH,
    SESSION_KINDS,
    Round,
)
from gisplanner.ui import saving


class RoundDialog(QDialog):
    """``round_id`` None: a new round (created on accept, in :attr:`created`); else edit that round."""

    def __init__(self, store, round_id: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.round_id = store, round_id
        self.created: rounds.NewRound | None = None
        self.setWindowTitle(self.tr("新建走访轮次") if round_id is None else self.tr("编辑走访轮次"))
        self.setMinimumWidth(440)
        areas, cur = rq.round_editor(store, round_id)
        # what the form shows: a later save checks it is still this version (optimistic locking)
        self.seen = saving.snapshot(store, Round, round_id) if round_id is not None else None
        form = QFormLayout()
        self.name = QLineEdit(cur["name"] if cur else "")
        self.name.setPlaceholderText(self.tr("如：2027年春季大走访"))
        form.addRow(self.tr("名称"), self.name)
        self.kind = QComboBox()
        for key, zh in ROUND_KIND_ZH.items():
            self.kind.addItem(self.tr(zh), key)
        form.addRow(self.tr("类型"), self.kind)
        self.area = QComboBox()
        self.area.addItem(self.tr("全部区域"), None)
        for a in areas:
            if a["level"] in ("city", "district", "town", "village"):
                indent = "　" * a["depth"]
                self.area.addItem(
                    f"{indent}{a['name']}（{AREA_LEVEL_ZH.get(a['level'], a['level'])}）", a["code"]
                )
        form.addRow(self.tr("区域"), self.area)
        today = dt.date.today()
        self.start = QDateEdit(QDate(dt.date.fromisoformat(cur["start"]) if cur and cur["start"] else today))
        self.end = QDateEdit(
            QDate(dt.date.fromisoformat(cur["end"]) if cur and cur["end"] else today + dt.timedelta(days=27))
        )
        for w in (self.start, self.end):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel(self.tr("至")))
        dates.addWidget(self.end)
        form.addRow(self.tr("日期"), dates)
        self.status = QComboBox()
        for key, zh in ROUND_STATUS_ZH.items():
            self.status.addItem(self.tr(zh), key)
        form.addRow(self.tr("状态"), self.status)
        self.templates: dict[str, QCheckBox] = {}
        if cur is None:
            row = QHBoxLayout()
            for kind in SESSION_KINDS:
                box = QCheckBox(self.tr(SESSION_KIND_ZH[kind]))
                box.setChecked(True)
                self.templates[kind] = box
                row.addWidget(box)
            form.addRow(self.tr("按模板生成时段"), row)
            self.status.setEnabled(False)  # a new round starts 筹备中
        else:
            self.kind.setCurrentIndex(max(0, self.kind.findData(cur["kind"])))
            self.area.setCurrentIndex(max(0, self.area.findData(cur["area"])))
            self.status.setCurrentIndex(max(0, self.status.findData(cur["status"])))
        self.error = QLabel()
        self.error.setStyleSheet("color: #c0392b")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保存"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)

    def accept(self) -> None:  # noqa: D102 - Qt override
        try:
            self.save()
        except rounds.RoundError as e:
            self.error.setText(str(e))
            return
        super().accept()

    def save(self) -> None:
        """Create or update the round (RoundError: nothing written)."""
        start, end = self.start.date().toPython(), self.end.date().toPython()
        if self.round_id is None:
            kinds = [k for k, box in self.templates.items() if box.isChecked()]
            self.created = rounds.create_round(
                self.store,
                self.name.text(),
                self.kind.currentData(),
                start,
                end,
                self.area.currentData(),
                kinds,
            )
            self.round_id = self.created.round_id
            return
        name, kind, status, area = (self.name.text(), self.kind.currentData(), self.status.currentData(),
                                    self.area.currentData() or "")  # fmt: skip

        def action(s, _rnd):
            rounds.update_round(s, self.round_id, name=name, kind=kind, status=status, start=start, end=end,
                                area_code=area)  # fmt: skip

        changes = {"name": name, "kind": kind, "status": status, "start_date": start, "end_date": end}
        label = "；".join(f"{k} → {v}" for k, v in changes.items() if self.seen.get(k) != v) or "保存"
        try:
            saving.save_action(self, self.store, Round, self.round_id, self.seen, action, label=label)
        except StoreError as e:
            raise rounds.RoundError(str(e)) from e
