"""工作向导: where the office stands in the loop, with a button per step; 帮助 → 使用说明 (F1).

The steps (导入边界 → 导入名册 → 新建轮次 → 组队 → 规划 → 打印 → 录入) and their state come from
:func:`gisplanner.campaign.workflow.loop_state`; each row shows ✓ (done), ➜ (the next thing to do) or ○,
the counts the database shows, and a button that opens the dialog or panel of that step.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QGridLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gisplanner.campaign.workflow import STEPS, loop_state
from gisplanner.ui.context import PanelContext

GUIDE_DIR = Path(__file__).resolve().parents[2] / "resources" / "guide"
MARK = {"done": "√", "next": "→", "todo": "○"}  # in every CJK font (GB2312), unlike ✓ ➜
COLOUR = {"done": "#1a9850", "next": "#d95f02", "todo": "#888888"}


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("GuidePanel", text)


# the steps' titles, buttons and details (Chinese sources; translated with _tr when shown)
TITLES = {
    "areas": ("导入边界"),
    "targets": ("导入名册"),
    "round": ("新建轮次"),
    "teams": ("组队"),
    "plan": ("规划"),
    "print": ("打印"),
    "results": ("录入"),
}
BUTTONS = {
    "areas": ("导入边界…"),
    "targets": ("导入名册…"),
    "round": ("新建轮次…"),
    "teams": ("走访小组"),
    "plan": ("路线规划"),
    "print": ("打印走访单…"),
    "results": ("录入结果"),
}


DETAILS = {  # (done, not yet): what the database shows, with the count (and the round's name)
    "areas": (("{n} 个镇/村/社区"), ("还没有镇/村/社区边界")),
    "targets": (("{n} 个走访对象"), ("还没有走访对象名册")),
    "round": (("当前轮次「{r}」"), ("没有筹备中或进行中的轮次")),
    "teams": (("{n} 个队伍"), ("尚未组队")),
    "plan": (("{n} 条路线"), ("尚未规划路线")),
    "print": (("已打印 {n} 次"), ("尚未打印走访单")),
    "results": (("已录入 {n} 条走访结果"), ("尚未录入走访结果")),
}


def raise_dock_of(widget: QWidget | None) -> QDockWidget | None:
    """Show and raise the dock a panel lives in."""
    w = widget
    while w is not None and not isinstance(w, QDockWidget):
        w = w.parentWidget()
    if w is not None:
        w.show()
        w.raise_()
    return w


class GuidePanel(QWidget):
    """Seven rows, one per step of the loop: mark, title, what the database shows, a button."""

    def __init__(self, ctx: PanelContext):
        super().__init__(ctx.window)
        self.ctx = ctx
        self.state = None
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        f = QFont(self.headline.font())
        f.setBold(True)
        self.headline.setFont(f)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(2)
        self.marks: dict[str, QLabel] = {}
        self.details: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        for row, (key, _zh) in enumerate(STEPS):
            mark = QLabel()
            title = QLabel(f"{row + 1}. {_tr(TITLES[key])}")
            detail = QLabel()
            detail.setWordWrap(True)
            detail.setStyleSheet("color:#555")
            button = QPushButton(_tr(BUTTONS[key]))
            button.clicked.connect(lambda _=False, k=key: self.open_step(k))
            # title and button on one line, what the database shows on the next (full width)
            grid.addWidget(mark, 2 * row, 0)
            grid.addWidget(title, 2 * row, 1)
            grid.addWidget(button, 2 * row, 2)
            grid.addWidget(detail, 2 * row + 1, 1, 1, 2)
            self.marks[key], self.details[key], self.buttons[key] = mark, detail, button
        help_button = QPushButton(self.tr("使用说明（F1）"))
        help_button.clicked.connect(lambda: show_user_guide(ctx))
        lay = QVBoxLayout(self)
        lay.addWidget(self.headline)
        lay.addLayout(grid)
        lay.addWidget(help_button)
        lay.addStretch(1)
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self.refresh)
        for signal in (ctx.data_changed, ctx.map_loaded):
            signal.connect(self._timer.start)
        ctx.round_changed.connect(lambda _rid: self._timer.start())

    def refresh(self) -> None:
        store = self.ctx.store
        if store is None:
            self.headline.setText(self.tr("请先打开或新建数据库（文件菜单）。"))
            return
        self.state = st = loop_state(store, self.ctx.current_round_id)
        for step in st.steps:
            self.marks[step.key].setText(
                f"<b style='color:{COLOUR[step.state]};font-size:13pt'>{MARK[step.state]}</b>"
            )
            done, todo = (_tr(x) for x in DETAILS[step.key])
            self.details[step.key].setText(
                done.format(n=step.count, r=st.round_name or "") if step.done else todo
            )
            b = self.buttons[step.key]
            b.setDefault(step.state == "next")
            f = QFont(b.font())
            f.setBold(step.state == "next")
            b.setFont(f)
        nxt = st.next_step
        if nxt is None:
            self.headline.setText(self.tr("这一轮的每一步都有了结果：看看统计与督查，或新建下一轮。"))
        elif nxt.key == "areas":
            self.headline.setText(
                self.tr(
                    "数据库还是空的：第一步导入镇/村/社区边界（或在地图中间的卡片上选择区县、生成演示镇）。"
                )
            )
        else:
            self.headline.setText(self.tr("下一步：{step}").format(step=_tr(TITLES[nxt.key])))

    def open_step(self, key: str):
        """Open the dialog or panel of one step (returns it, for tests)."""
        w = self.ctx
        if key in ("areas", "targets"):
            from gisplanner.ui.panels.io_panel import open_import_wizard

            return open_import_wizard(w, "areas" if key == "areas" else "households")
        if key == "round":
            w.panels.rounds_menu.new_round()
            return w.panels.rounds_menu.last_dialog
        if key == "teams":
            return raise_dock_of(w.panels.teams)
        if key == "plan":
            return raise_dock_of(w.panels.plan)
        if key == "print":
            from gisplanner.ui.panels.print_panel import PrintActions

            actions = w.window.findChild(PrintActions)
            return actions.open_print_dialog("route-sheets") if actions is not None else None
        if key == "results":
            return raise_dock_of(w.panels.results)
        raise KeyError(key)


def user_guide_text() -> str:
    return (GUIDE_DIR / "使用说明.md").read_text(encoding="utf-8")


def show_user_guide(ctx: PanelContext) -> QDialog:
    dlg = QDialog(ctx.window)
    dlg.setWindowTitle(_tr("使用说明"))
    view = QTextBrowser(dlg)
    view.setOpenExternalLinks(True)
    view.setMarkdown(user_guide_text())
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dlg)
    buttons.rejected.connect(dlg.reject)
    lay = QVBoxLayout(dlg)
    lay.addWidget(view)
    lay.addWidget(buttons)
    dlg.resize(720, 640)
    dlg.show()
    ctx.panels.user_guide_dialog = dlg
    return dlg


def install(ctx: PanelContext) -> None:
    panel = GuidePanel(ctx)
    ctx.panels.guide = panel
    ctx.panels.guide_dock = ctx.add_dock(panel, ctx.tr("工作向导"), Qt.DockWidgetArea.LeftDockWidgetArea)
    help_menu = ctx.menus["帮助"]
    act = QAction(ctx.tr("使用说明"), ctx.window)
    act.setShortcut(QKeySequence("F1"))
    act.triggered.connect(lambda: show_user_guide(ctx))
    first = help_menu.actions()[0] if help_menu.actions() else None
    help_menu.insertAction(first, act) if first is not None else help_menu.addAction(act)
    ctx.panels.user_guide_action = act
