"""区域编辑: the digitising toolbar (draw / edit vertices / split / merge areas, with snapping).

Installed after the layers panel (module order), so its tools join the same exclusive group
of map tools. Edits go on the window's undo stack (编辑 → 撤销) and reload the map.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QMessageBox

from gisplanner.ui.context import PanelContext
from gisplanner.ui.map.edit_tools import EDIT_TOOLS, EditTool, EditVerticesTool, install_edit_tools

LEVELS = (("town", "镇/街道"), ("village", "村/社区"))
SHORTCUTS = {"draw_area": "D", "edit_vertices": "E", "split_area": "X", "merge_area": "M"}
HELP = {
    "draw_area": "绘制区域：单击加顶点（自动吸附到相邻区域的顶点），右键/双击/回车或点首个顶点完成，Backspace 撤回顶点",
    "edit_vertices": "编辑顶点：单击区域显示顶点，拖动顶点移动（吸附），Ctrl+单击删除顶点",
    "split_area": "分割区域：从区域外画线穿过区域到另一侧，右键/双击/回车完成",
    "merge_area": "合并区域：先单击保留的区域，再单击要并入的相邻区域",
}


def install(ctx: PanelContext) -> None:
    mw = ctx.map_widget
    editor = install_edit_tools(mw, ctx.undo_stack, ctx.store)
    ctx.panels.area_editor = editor

    def ask_name(level: str, default: str):
        label = dict(LEVELS).get(level, level)
        name, ok = QInputDialog.getText(
            ctx.window, ctx.tr("新建区域"), ctx.tr(f"{label}名称："), text=default
        )
        return name.strip() if ok and name.strip() else None

    editor.ask_name = ask_name

    def failed(message: str) -> None:
        ctx.show_status(message, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, ctx.tr("区域编辑"), message, parent=ctx.window)
        box.open()

    editor.failed.connect(failed)
    keep_view: list = []

    def changed() -> None:
        keep_view[:] = [mw.view.viewRange()]  # an edit reloads the map but keeps the view
        ctx.refresh()

    editor.changed.connect(changed)

    def map_loaded() -> None:
        editor.store = ctx.store
        edited_here = bool(keep_view)
        if keep_view:
            (x0, x1), (y0, y1) = keep_view.pop()
            mw.view.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        tool = mw.tools.get("edit_vertices")
        if isinstance(tool, EditVerticesTool):
            tool.refresh()
        if mw.data is not None and not edited_here:
            towns = int((mw.data.all_areas["level"] == "town").sum())
            combo.setCurrentIndex(0 if towns == 0 else 1)  # a new district: towns first

    ctx.map_loaded.connect(map_loaded)

    tb = ctx.add_toolbar(ctx.tr("区域编辑"))
    tb.setObjectName("area-edit-tools")
    tb.addWidget(QLabel(ctx.tr(" 绘制级别：")))
    combo = QComboBox()
    for key, label in LEVELS:
        combo.addItem(ctx.tr(label), key)
    combo.setCurrentIndex(1)
    combo.currentIndexChanged.connect(lambda i: setattr(editor, "level", combo.itemData(i)))
    tb.addWidget(combo)
    ctx.panels.area_level_combo = combo
    group = None
    actions = getattr(ctx.panels, "map_tool_actions", None)
    if actions:
        group = next(iter(actions.values())).actionGroup()
    else:
        ctx.panels.map_tool_actions = actions = {}
    menu = ctx.menus["编辑"]
    menu.addSeparator()
    for cls in EDIT_TOOLS:
        act = QAction(ctx.tr(cls.title), ctx.window, checkable=True)
        act.setShortcut(QKeySequence(SHORTCUTS[cls.name]))
        act.setToolTip(ctx.tr(HELP[cls.name]) + f"（{SHORTCUTS[cls.name]}）")
        act.setStatusTip(ctx.tr(HELP[cls.name]))
        act.triggered.connect(lambda _=False, n=cls.name: _use(ctx, n))
        if group is not None:
            group.addAction(act)
        tb.addAction(act)
        menu.addAction(act)
        actions[cls.name] = act

    def finish() -> None:
        if isinstance(mw.tool, EditTool):
            mw.tool.finish()

    def undo_vertex() -> None:
        if isinstance(mw.tool, EditTool) and hasattr(mw.tool, "undo_vertex"):
            mw.tool.undo_vertex()

    for keys, slot in ((("Return", "Enter"), finish), (("Backspace",), undo_vertex)):
        act = QAction(mw)
        act.setShortcuts([QKeySequence(k) for k in keys])
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        act.triggered.connect(slot)
        mw.addAction(act)


def _use(ctx: PanelContext, name: str) -> None:
    ctx.map_widget.set_tool(name)
    ctx.show_status(ctx.tr(HELP[name]), 15000)
