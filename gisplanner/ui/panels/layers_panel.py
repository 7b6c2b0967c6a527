"""Layers and legend dock, the map tools toolbar, coverage colours per round, map export.

``install(ctx)`` wires the map to the window: the selection model (highlight overlay),
the map tools (平移/点选/框选/套索/按村选择 — Shift adds, Ctrl removes), zoom to selection,
the base map's status messages (the base map itself: basemap_panel), recolouring the areas when the current round changes
(coverage runs off the UI thread), and 文件 → 导出地图图片.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gisplanner.ui import file_dialogs
from gisplanner.ui.context import PanelContext
from gisplanner.ui.map import style as S
from gisplanner.ui.map.data import compute_coverage, coverage_round_for

ICON = QSize(18, 14)


def legend_icon(kind: str, color: str, extra) -> QIcon:
    """A small swatch for a legend row: fill, hatch, outline, line, symbol or ring."""
    pm = QPixmap(ICON)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    r = QRectF(1, 1, ICON.width() - 2, ICON.height() - 2)
    if kind == "fill":
        p.setPen(S.pen("#555555", 1.0))
        p.setBrush(S.brush(color, 200))
        p.drawRect(r)
    elif kind == "hatch":
        p.setPen(S.pen("#777777", 1.0))
        p.setBrush(S.brush(color, 255, extra))
        p.drawRect(r)
    elif kind == "outline":
        p.setPen(S.pen(color, 2.0, style=Qt.PenStyle.DashLine))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(r)
    elif kind == "line":
        p.setPen(S.pen(color, 2.5))
        p.drawLine(QPointF(1, ICON.height() / 2), QPointF(ICON.width() - 1, ICON.height() / 2))
    else:  # symbol / ring: draw the pyqtgraph symbol path
        import pyqtgraph as pg
        from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols

        path = Symbols.get(extra or "o", Symbols["o"])
        p.translate(ICON.width() / 2, ICON.height() / 2)
        p.scale(11, 11)
        if kind == "ring":
            p.setPen(pg.mkPen(QColor(color), width=0.18))
            p.setBrush(Qt.BrushStyle.NoBrush)
        else:
            p.setPen(pg.mkPen(QColor("#333333"), width=0.06))
            p.setBrush(S.brush(color))
        p.drawPath(path)
    p.end()
    return QIcon(pm)


class LayersPanel(QWidget):
    """Layer list (tick to show, buttons to reorder) with each layer's legend under it.

    It edits the map's layer model (``gisplanner.ui.map.layers.LayerList``: a layer's
    ``visible``, ``opacity``, the list's order) and redraws on the model's ``changed`` event;
    the map widget follows the same model. Give it the model, or a map widget (its ``layers``).
    """

    def __init__(self, layers, parent=None):
        super().__init__(parent)
        self.layers = getattr(layers, "layers", layers)  # a MapWidget: its layer model
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(ICON)
        # whole legend texts: a horizontal scroll bar rather than "…"
        self.tree.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(False)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(lambda *_: self._show_opacity())
        self.opacity_label = QLabel(self.tr("不透明度"))
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip(self.tr("所选图层的不透明度（0 = 透明，100 = 不透明）"))
        self.opacity.valueChanged.connect(self._opacity_changed)
        up, down = QPushButton(self.tr("上移")), QPushButton(self.tr("下移"))
        up.clicked.connect(lambda: self._move(-1))
        down.clicked.connect(lambda: self._move(+1))
        buttons = QHBoxLayout()
        buttons.addWidget(up)
        buttons.addWidget(down)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.tree)
        opacity = QHBoxLayout()
        opacity.addWidget(self.opacity_label)
        opacity.addWidget(self.opacity, 1)
        lay.addLayout(opacity)
        lay.addLayout(buttons)
        self._building = False
        # rebuild later, never inside the tree's own itemChanged (that would delete the item
        # Qt is still using)
        self._rebuild_timer = QTimer(self, singleShot=True, interval=0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        model, timer = self.layers, self._rebuild_timer

        def changed(_event) -> None:
            timer.start()

        model.events.changed.connect(changed)
        self.destroyed.connect(lambda *_: model.events.changed.disconnect(changed))
        self.rebuild()

    def rebuild(self) -> None:
        self._building = True
        expanded = {self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
                    for i in range(self.tree.topLevelItemCount()) if self.tree.topLevelItem(i).isExpanded()}  # fmt: skip
        current = (
            self.tree.currentItem().data(0, Qt.ItemDataRole.UserRole) if self.tree.currentItem() else None
        )
        self.tree.clear()
        for key, title, legend in self.layers.legend_entries():
            layer = self.layers[key]
            item = QTreeWidgetItem([title])
            item.setData(0, Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Checked if layer.visible else Qt.CheckState.Unchecked)
            for kind, color, extra, label in legend:
                child = QTreeWidgetItem([label])
                child.setIcon(0, legend_icon(kind, color, extra))
                child.setFlags(Qt.ItemFlag.ItemIsEnabled)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(key in expanded or (not expanded and key in ("areas", "needs", "households")))
            if key == current:
                self.tree.setCurrentItem(item)
        self._building = False
        self._show_opacity()

    def current_key(self) -> str | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        if item.parent() is not None:
            item = item.parent()
        return item.data(0, Qt.ItemDataRole.UserRole)

    def item_of(self, key: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole) == key:
                return self.tree.topLevelItem(i)
        return None

    def _show_opacity(self) -> None:
        key = self.current_key()
        on = key in self.layers
        self.opacity.setEnabled(on)
        self.opacity.blockSignals(True)
        self.opacity.setValue(int(round(self.layers[key].opacity * 100)) if on else 100)
        self.opacity.blockSignals(False)

    def _opacity_changed(self, value: int) -> None:
        key = self.current_key()
        if key in self.layers:
            self.layers[key].opacity = value / 100

    def keys_top_first(self) -> list[str]:
        return [
            self.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole)
            for i in range(self.tree.topLevelItemCount())
        ]

    def _item_changed(self, item, _col) -> None:
        if self._building or item.parent() is not None:
            return
        key = item.data(0, Qt.ItemDataRole.UserRole)
        self.layers[key].visible = item.checkState(0) == Qt.CheckState.Checked

    def _move(self, step: int) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        if item.parent() is not None:
            item = item.parent()
        keys = self.keys_top_first()
        i = keys.index(item.data(0, Qt.ItemDataRole.UserRole))
        j = min(max(i + step, 0), len(keys) - 1)
        keys.insert(j, keys.pop(i))
        self.layers.set_order(list(reversed(keys)))  # the model wants bottom first


def install_tools(ctx: PanelContext) -> QActionGroup:
    """The 地图工具 toolbar: one checked tool at a time."""
    mw = ctx.map_widget
    tb = ctx.add_toolbar("地图工具")
    tb.setObjectName("map-tools")
    group = QActionGroup(ctx.window)
    group.setExclusive(True)
    ctx.panels.map_tool_actions = {}
    shortcuts = {"pan": "P", "click": "S", "rectangle": "R", "lasso": "L", "area": "V", "identify": "I"}
    for name, tool in mw.tools.items():
        act = QAction(tool.title, ctx.window, checkable=True)
        act.setShortcut(QKeySequence(shortcuts[name]))
        act.setToolTip(
            f"{tool.title}（{shortcuts[name]}）：单击查看对象属性"
            if name == "identify"
            else f"{tool.title}（{shortcuts[name]}）：Shift 加选，Ctrl 减选"
        )
        act.triggered.connect(lambda _=False, n=name: mw.set_tool(n))
        group.addAction(act)
        tb.addAction(act)
        ctx.panels.map_tool_actions[name] = act
    ctx.panels.map_tool_actions["pan"].setChecked(True)
    mw.toolChanged.connect(lambda n: ctx.panels.map_tool_actions[n].setChecked(True))
    tb.addSeparator()
    tb.addAction("缩放到选中", mw.zoom_to_selection)
    clear = tb.addAction("取消选择", ctx.selection.clear)
    clear.setShortcut(QKeySequence("Esc"))
    ctx.menus["视图"].addAction("缩放到选中", mw.zoom_to_selection)
    return group


class CoverageSync:
    """Recolours the areas for the current round (or the last round with visits before it)."""

    def __init__(self, ctx: PanelContext):
        self.ctx = ctx
        self.shown: tuple[int, str] | None = None
        ctx.round_changed.connect(lambda _rid: self.update())
        ctx.map_loaded.connect(self._map_loaded)

    def _map_loaded(self) -> None:
        data = self.ctx.map_widget.data
        self.shown = getattr(data, "coverage_round", None)
        self.update()

    def update(self) -> None:
        w = self.ctx
        data = w.map_widget.data
        if w.store is None or data is None:
            return
        which = coverage_round_for(w.store, w.current_round_id)
        if which is None or which == self.shown:
            return
        self.shown = which
        w.run_task(compute_coverage, w.store, data.targets, w.current_round_id, title="统计覆盖情况",
                   on_result=self._done)  # fmt: skip

    def _done(self, result) -> None:
        cov, which = result
        if cov is not None and which == self.shown:
            self.ctx.map_widget.set_coverage(cov, which[1])


def _export_dialog(ctx: PanelContext) -> None:
    path, _ = file_dialogs.getSaveFileName(
        ctx.window, "导出地图图片", "地图.png", "PNG 图片 (*.png);;PDF 文件 (*.pdf)"
    )
    if not path:
        return
    out = ctx.map_widget.export_image(path, dpi=300)
    ctx.show_status(f"地图已导出到 {out}", 8000)


def _zoom_to_area_dialog(ctx: PanelContext) -> None:
    d = ctx.map_widget.data
    if d is None:
        return
    names = [f"{r.name}（{r.code}）" for r in d.areas.itertuples()]
    name, ok = QInputDialog.getItem(ctx.window, "缩放到村/社区", "村/社区：", names, 0, False)
    if ok and name in names:
        ctx.map_widget.zoom_to_area(int(d.areas["id"].iloc[names.index(name)]))


class IdentifyDialog(QDialog):
    """识别结果: the clicked feature's fields, one row each; reused for every click."""

    def __init__(self, parent):
        super().__init__(parent)
        self.setWindowTitle(self.tr("识别结果"))
        self.heading = QLabel()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("字段"), self.tr("值")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.table)
        self.resize(380, 420)

    def show_result(self, result: dict | None) -> None:
        if not result:
            self.heading.setText(self.tr("此处没有对象"))
            self.table.setRowCount(0)
        else:
            self.heading.setText(result["title"])
            self.table.setRowCount(len(result["rows"]))
            for r, (name, value) in enumerate(result["rows"]):
                self.table.setItem(r, 0, QTableWidgetItem(name))
                self.table.setItem(r, 1, QTableWidgetItem(value))
        self.show()
        self.raise_()


def _selection_count(ctx: PanelContext) -> None:
    n = len(ctx.selection)
    ctx.panels.selection_label.setText(ctx.tr("已选 {n} 个对象").format(n=n) if n else "")


def install(ctx: PanelContext) -> None:
    mw = ctx.map_widget
    mw.set_selection_model(ctx.selection)
    ctx.panels.selection_label = QLabel()
    ctx.window.statusBar().addWidget(ctx.panels.selection_label)
    ctx.selection.changed.connect(lambda *_: _selection_count(ctx))
    ctx.panels.identify_dialog = IdentifyDialog(ctx.window)
    mw.identified.connect(ctx.panels.identify_dialog.show_result)
    mw.message.connect(lambda m: ctx.show_status(m, 10000))
    ctx.panels.layers = LayersPanel(mw)
    ctx.add_dock(ctx.panels.layers, "图层与图例", Qt.DockWidgetArea.LeftDockWidgetArea)
    install_tools(ctx)
    ctx.panels.coverage_sync = CoverageSync(ctx)
    act = QAction("导出地图图片…", ctx.window)
    act.triggered.connect(lambda: _export_dialog(ctx))
    view_menu = ctx.menus["视图"]
    view_menu.addAction("缩放到村/社区…", lambda: _zoom_to_area_dialog(ctx))
    menu = ctx.menus["文件"]
    first = menu.actions()[2] if len(menu.actions()) > 2 else None
    menu.insertAction(first, act) if first else menu.addAction(act)
