"""保存冲突: another official saved the same row first. Shows who, when and what they changed
next to what this user typed, and lets the user keep theirs, take the other version, or merge
field by field (for a field both changed, the user picks). Nothing is lost silently: the
dialog closes only on a choice, and a cancel means "take theirs" with the user's input still
shown in the form that asked.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisplanner.access.concurrency import (
    FIELD_ZH,
    KEEP_MINE,
    MERGE,
    TABLE_ZH,
    TAKE_THEIRS,
    Conflict,
    show_value,
)


class ConflictDialog(QDialog):
    """``choice`` after exec: KEEP_MINE, TAKE_THEIRS or MERGE; ``picks``: field -> whose value."""

    def __init__(self, conflict: Conflict, *, action: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.conflict, self.choice, self.picks = conflict, TAKE_THEIRS, {}
        self.setWindowTitle(self.tr("保存冲突"))
        self.setObjectName("conflictDialog")
        what = f"{TABLE_ZH.get(conflict.table, conflict.table)}{conflict.label}"
        if conflict.their_version is None:
            head = self.tr("{what}已被其他人删除，您的修改无法保存。").format(what=what)
        elif conflict.your_version is None:
            head = self.tr("{who}在您打开之后修改了{what}。").format(
                who=conflict.who or self.tr("其他人"), what=what
            )
        else:
            who = conflict.who or self.tr("其他人")
            when = f"{conflict.when:%Y-%m-%d %H:%M}（UTC）" if conflict.when else ""
            head = self.tr("{who} 于 {when}保存了{what}（第 {v} 版；您打开的是第 {mine} 版）。").format(
                who=who, when=when, what=what, v=conflict.their_version, mine=conflict.your_version
            )
        self.header = QLabel(head)
        self.header.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.header)
        if action:
            self.action_label = QLabel(self.tr("您的操作：") + action)
            lay.addWidget(self.action_label)
        fields = list(dict.fromkeys([*conflict.theirs, *conflict.mine]))
        self.table = QTableWidget(len(fields), 5)
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("字段"),
                self.tr("您打开时"),
                self.tr("对方改为"),
                self.tr("您改为"),
                self.tr("合并时保留"),
            ]
        )
        self.pick_boxes: dict[str, QComboBox] = {}
        for r, k in enumerate(fields):
            seen = conflict.theirs.get(k, conflict.mine.get(k))[0]
            theirs = conflict.theirs[k][1] if k in conflict.theirs else None
            mine = conflict.mine[k][1] if k in conflict.mine else None
            cells = [FIELD_ZH.get(k, k), show_value(k, seen),
                     show_value(k, theirs) if k in conflict.theirs else self.tr("（未改）"),
                     show_value(k, mine) if k in conflict.mine else self.tr("（未改）")]  # fmt: skip
            for c, v in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(v))
            if k in conflict.both:
                box = QComboBox()
                box.addItem(self.tr("我的"), KEEP_MINE)
                box.addItem(self.tr("对方的"), TAKE_THEIRS)
                self.table.setCellWidget(r, 4, box)
                self.pick_boxes[k] = box
            else:
                self.table.setItem(
                    r, 4, QTableWidgetItem(self.tr("对方的") if k in conflict.theirs else self.tr("我的"))
                )
        self.table.resizeColumnsToContents()
        lay.addWidget(self.table)
        buttons = QHBoxLayout()
        self.keep_button = QPushButton(self.tr("保留我的") if not action else self.tr("仍执行我的操作"))
        self.take_button = QPushButton(self.tr("采用对方的"))
        self.merge_button = QPushButton(self.tr("合并"))
        self.keep_button.setEnabled(conflict.their_version is not None)
        # merging needs field edits on both sides; an action (a status change …) is kept or dropped
        self.merge_button.setVisible(bool(conflict.mine) and conflict.their_version is not None)
        self.keep_button.clicked.connect(lambda: self._done(KEEP_MINE))
        self.take_button.clicked.connect(lambda: self._done(TAKE_THEIRS))
        self.merge_button.clicked.connect(lambda: self._done(MERGE))
        for b in (self.keep_button, self.take_button, self.merge_button):
            buttons.addWidget(b)
        lay.addLayout(buttons)

    def text(self) -> str:
        """Everything the dialog shows, as plain text (for tests and the log)."""
        rows = [
            " | ".join((self.table.item(r, c).text() if self.table.item(r, c) else "") for c in range(4))
            for r in range(self.table.rowCount())
        ]
        extra = self.action_label.text() if hasattr(self, "action_label") else ""
        return "\n".join([self.header.text(), extra, *rows])

    def _done(self, choice: str) -> None:
        self.choice = choice
        self.picks = {k: box.currentData() for k, box in self.pick_boxes.items()}
        self.accept()
