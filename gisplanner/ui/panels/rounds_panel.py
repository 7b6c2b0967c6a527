"""Menu entries of 走访轮次 and 工具: the round editor, the session calendar, the cadre roster.

Installed like every panel (``install(ctx)``); the dialogs live in gisplanner/ui/dialogs/.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction

from gisplanner.ui.context import PanelContext
from gisplanner.ui.dialogs.cadre_roster import CadreRosterDialog
from gisplanner.ui.dialogs.round_dialog import RoundDialog
from gisplanner.ui.dialogs.session_calendar import SessionCalendarDialog


def _tr(text: str) -> str:
    return QCoreApplication.translate("RoundsPanel", text)


class RoundsMenu:
    """The actions; kept as ``ctx.panels.rounds_menu`` (tests drive them)."""

    def __init__(self, ctx: PanelContext):
        self.ctx = ctx
        m = ctx.menus["走访轮次"]
        self.new_action = self._add(m, "新建轮次…", self.new_round)
        self.edit_action = self._add(m, "编辑当前轮次…", self.edit_round)
        self.calendar_action = self._add(m, "走访时段日历…", self.open_calendar)
        self.roster_action = self._add(ctx.menus["工具"], "干部名册与可走访时段…", self.open_roster)
        self.last_dialog = None

    def _add(self, menu, text, slot) -> QAction:
        act = QAction(_tr(text), self.ctx.window)
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _ready(self) -> bool:
        if self.ctx.store is None:
            self.ctx.show_status(_tr("请先打开数据库"), 5000)
            return False
        return True

    def new_round(self) -> None:
        if not self._ready():
            return
        dlg = RoundDialog(self.ctx.store, parent=self.ctx.window)
        self.last_dialog = dlg
        dlg.accepted.connect(lambda: self._round_saved(dlg))
        dlg.open()

    def edit_round(self) -> None:
        rid = self.ctx.current_round_id
        if not self._ready() or rid is None:
            return
        dlg = RoundDialog(self.ctx.store, rid, parent=self.ctx.window)
        self.last_dialog = dlg
        dlg.accepted.connect(lambda: self._round_saved(dlg))
        dlg.open()

    def _round_saved(self, dlg: RoundDialog) -> None:
        if dlg.created is not None:
            msg = _tr("已创建轮次：{t} 个对象，{n} 个走访时段").format(
                t=dlg.created.targets, n=dlg.created.sessions
            )
            self.ctx.show_status(msg, 8000)
        self.ctx.select_round(dlg.round_id)
        self.ctx.data_changed.emit()

    def open_calendar(self) -> None:
        rid = self.ctx.current_round_id
        if not self._ready() or rid is None:
            return
        dlg = SessionCalendarDialog(self.ctx.store, rid, parent=self.ctx.window)
        self.last_dialog = dlg
        dlg.sessionsChanged.connect(self.ctx.data_changed.emit)
        dlg.open()

    def open_roster(self) -> None:
        if not self._ready():
            return
        dlg = CadreRosterDialog(self.ctx.store, parent=self.ctx.window)
        self.last_dialog = dlg
        dlg.open()


def install(ctx: PanelContext) -> None:
    ctx.panels.rounds_menu = RoundsMenu(ctx)
