"""The main window: map in the centre, docks around it, menus, round selector, status bar.

Feature panels live in gisplanner/ui/panels/: every module there with ``install(ctx)`` is
installed at start, so features add their docks and menu entries without editing this file.
They get a typed :class:`~gisplanner.ui.context.PanelContext` (``self.ctx``): the store, the
menus, ``add_dock``, the map widget, the selection, the undo stack, the current round,
``run_task``, ``refresh``, the window's signals, and ``ctx.panels`` (the window's ``panels``),
where each panel puts what it offers the others.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, QUrl, Signal, Slot
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFrame,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QWidget,
)

from gisplanner import logs
from gisplanner.store import database as store_mod
from gisplanner.store.database import Store
from gisplanner.store.model import ROUND_KIND_ZH, ROUND_STATUS_ZH
from gisplanner.store.vocab import RoundStatus
from gisplanner.ui import file_dialogs, live, signin, workers
from gisplanner.ui import panels as panel_package
from gisplanner.ui.context import PanelContext, Panels
from gisplanner.ui.map.canvas import MapWidget
from gisplanner.ui.map.data import load_map_data
from gisplanner.ui.messages import show_error
from gisplanner.ui.opening import open_or_offer_restore
from gisplanner.ui.selection import SelectionModel

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    dataChanged = Signal()  # the database content changed (reload what you show)
    mapLoaded = Signal()  # the map finished drawing fresh data
    roundChanged = Signal(object)  # current round id (int) or None

    def __init__(self, store: Store | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("大走访规划 GIS"))
        self.resize(1400, 900)
        self.store: Store | None = store
        self.undo_stack = QUndoStack(self)
        self.selection = SelectionModel(self.undo_stack, self)
        self.map_widget = MapWidget(self)
        self.setCentralWidget(self.map_widget)
        self._tasks: dict[object, workers.TaskWorker] = {}  # by their signals object
        self._current_round_id: int | None = None
        self.menus: dict[str, QMenu] = {}
        self._first_dock: dict[object, QDockWidget] = {}
        self._installing, self._to_tab = True, []
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self.map_widget.cursorMoved.connect(self._show_cursor)
        self.map_widget.targetClicked.connect(self._target_clicked)
        self.panel_errors: dict[str, str] = {}
        self.panels = Panels()
        self.ctx = PanelContext(
            window=self, map_widget=self.map_widget, selection=self.selection,
            undo_stack=self.undo_stack, menus=self.menus, panels=self.panels,
            data_changed=self.dataChanged, map_loaded=self.mapLoaded, round_changed=self.roundChanged,
            add_dock=self.add_dock, run_task=self.run_task, refresh=self.refresh,
            set_store=self.set_store, select_round=self.select_round,
            store_of=lambda: self.store, current_round_of=lambda: self._current_round_id,
        )  # fmt: skip
        self._install_panels()
        self._retranslate_chrome()
        self._tab_docks()
        self._arrange_docks()
        if store is not None:
            self.set_store(store)

    # -- API for panels ----------------------------------------------------------------------
    @property
    def current_round_id(self) -> int | None:
        return self._current_round_id

    def add_dock(
        self, widget: QWidget, title: str, area=Qt.DockWidgetArea.RightDockWidgetArea
    ) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        # a panel taller or wider than its dock scrolls instead of pushing the window off a
        # 1366×768 screen (widget.parentWidget() chain still leads to the dock)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(widget)
        dock.setWidget(scroll)
        first = self._first_dock.get(area)
        self.addDockWidget(area, dock)
        if first is None:
            self._first_dock[area] = dock
        elif self._installing:  # tabbed once all panels are in (see _tab_docks)
            self._to_tab.append((first, dock))
        else:  # docks of one side share tabs, so the map keeps its room on a laptop screen
            self.tabifyDockWidget(first, dock)
            first.raise_()
        self.menus["视图"].addAction(dock.toggleViewAction())
        return dock

    def run_task(
        self,
        fn: Callable,
        *args,
        title: str = "",
        on_result: Callable | None = None,
        on_error: Callable | None = None,
        **kwargs,
    ) -> workers.TaskWorker:
        """Run ``fn(*args, progress=..., **kwargs)`` off the UI thread with progress and cancel."""
        task = workers.TaskWorker(fn, *args, **kwargs)
        title = self.tr(title) if title else title  # panels pass their Chinese titles (context MainWindow)
        task.title, task.on_result, task.on_error = title, on_result, on_error
        self._tasks[task.signals] = task
        self._progress_label.setText(title)
        self._progress.setValue(0)
        for w in (self._progress, self._progress_label, self._cancel_button):
            w.show()
        # bound methods of the window: Qt drops these connections when the window is deleted,
        # so a task still running when its window closes never touches a deleted widget
        task.signals.progress.connect(self._task_progress)
        task.signals.result.connect(self._task_result)
        task.signals.error.connect(self._task_error)
        task.signals.finished.connect(self._task_finished)
        self._cancel_button.clicked.connect(task.cancel)
        return workers.start(task)

    def refresh(self) -> None:
        """Reload the map and counts from the database (after imports, plans, results …)."""
        if self.store is None:
            return
        self._update_counts()
        # the map first; the panels re-read once it is drawn, so they do not slow it down
        self.run_task(
            load_map_data, self.store, title=self.tr("加载地图"), on_result=self._map_loaded,
            on_error=self._map_failed,
        )  # fmt: skip

    def set_store(self, store: Store) -> None:
        self.store = store
        self._db_label.setText(self.tr("数据库：") + store.describe())
        signin.apply_role(self)  # who is signed in, and what the role may do (gisplanner.access.roles)
        live.attach(self, store)  # other offices' changes refresh what they affect (PostgreSQL)
        self.refresh()
        # the panels follow the round once the map is drawn: their reads do not slow the map
        self._round_held = True
        self._reload_rounds()

    # -- building ------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        for name in ("文件", "编辑", "视图", "走访轮次", "工具", "帮助"):
            self.menus[name] = bar.addMenu(self.tr(name))
        m = self.menus["文件"]
        self._action(m, "打开数据库…", self._open_database, QKeySequence.StandardKey.Open)
        self._action(m, "新建演示数据库…", self._new_demo)
        m.addSeparator()
        self._action(m, "立即备份", self._backup_now)
        self._action(m, "从备份恢复…", self._restore)
        self._action(
            m,
            "打开日志目录",
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(logs.log_file().parent))),
        )
        m.addSeparator()
        self._action(m, "退出", self.close, QKeySequence.StandardKey.Quit)
        e = self.menus["编辑"]
        undo = self.undo_stack.createUndoAction(self, self.tr("撤销"))
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_stack.createRedoAction(self, self.tr("重做"))
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        e.addActions([undo, redo])
        self._action(self.menus["视图"], "全图", self.map_widget.zoom_full, "Home")
        self.menus["视图"].addSeparator()
        self._action(self.menus["帮助"], "关于", self._about)
        lang = self.menus["帮助"].addMenu(self.tr("界面语言"))
        self._action(lang, "中文", lambda: self._set_language("zh_CN"))
        self._action(lang, "English", lambda: self._set_language("en"))

    def _action(self, menu, text: str, slot, shortcut=None) -> QAction:
        act = QAction(self.tr(text), self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        menu.addAction(act)
        return act

    def _build_toolbar(self) -> None:
        tb = self.addToolBar(self.tr("主工具栏"))
        tb.setObjectName("main-toolbar")
        tb.addWidget(QLabel(self.tr(" 走访轮次：")))
        self.round_combo = QComboBox()
        self.round_combo.setMinimumWidth(260)
        self.round_combo.currentIndexChanged.connect(self._round_selected)
        tb.addWidget(self.round_combo)
        tb.addSeparator()
        tb.addAction(self.tr("全图"), self.map_widget.zoom_full)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self._db_label = QLabel()
        self._counts_label = QLabel()
        self._coord_label = QLabel()
        self._coord_label.setMinimumWidth(230)
        self._progress_label = QLabel()
        self._progress = QProgressBar()
        self._progress.setMaximumWidth(160)
        self._cancel_button = QPushButton(self.tr("取消"))
        for w in (self._progress, self._progress_label, self._cancel_button):
            w.hide()
        sb.addWidget(self._db_label)
        sb.addWidget(self._counts_label)
        sb.addPermanentWidget(self._progress_label)
        sb.addPermanentWidget(self._progress)
        sb.addPermanentWidget(self._cancel_button)
        sb.addPermanentWidget(self._coord_label)

    def _install_panels(self) -> None:
        for mod in sorted(pkgutil.iter_modules(panel_package.__path__), key=lambda m: m.name):
            try:
                module = importlib.import_module(f"{panel_package.__name__}.{mod.name}")
                if hasattr(module, "install"):
                    module.install(self.ctx)
            except Exception as e:  # one broken panel must not stop the app; it is logged and shown
                log.exception("panel %s failed to install", mod.name)
                self.panel_errors[mod.name] = str(e)
        if self.panel_errors:
            self.statusBar().showMessage(
                self.tr("部分功能面板加载失败，详见日志：") + str(logs.log_file()), 15000
            )

    def _retranslate_chrome(self) -> None:
        """Menus, toolbars and dock titles the panels added with their Chinese texts go through
        the translator once (context MainWindow), so ``--lang en`` shows them in English."""
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QLineEdit, QToolBar

        def tr(text: str) -> str:
            return QCoreApplication.translate("MainWindow", text) if text else text

        def menu(m) -> None:
            m.setTitle(tr(m.title()))
            for act in m.actions():
                if act.menu() is not None:
                    menu(act.menu())
                elif not act.isSeparator():
                    act.setText(tr(act.text()))
                    if act.toolTip() and act.toolTip() != act.text():
                        act.setToolTip(tr(act.toolTip()))

        for act in self.menuBar().actions():
            if act.menu() is not None:
                menu(act.menu())
        for tb in self.findChildren(QToolBar):
            tb.setWindowTitle(tr(tb.windowTitle()))
            for act in tb.actions():
                text, tip = act.text(), act.toolTip()
                act.setText(tr(text))
                act.setToolTip(tr(tip) if tip != text else act.text())
            for label in tb.findChildren(QLabel):
                label.setText(tr(label.text()))
            for edit in tb.findChildren(QLineEdit):
                edit.setPlaceholderText(tr(edit.placeholderText()))
        for dock in self.findChildren(QDockWidget):
            dock.setWindowTitle(tr(dock.windowTitle()))

    def _tab_docks(self) -> None:
        """Tab each side's docks together in one pass: tabbing them one by one while panels
        install leaves stale tab bars that show through (a tab listed twice)."""
        self._installing = False
        for first, dock in self._to_tab:
            if dock not in self.tabifiedDockWidgets(first):
                self.tabifyDockWidget(first, dock)
        for first in self._first_dock.values():
            first.raise_()
        self._to_tab = []

    def _hide_stale_tab_bars(self) -> None:
        """QMainWindow can leave tab bars of an earlier layout visible (a dock's tab listed twice,
        half over a panel): keep only the bar sitting right under its dock group."""
        from PySide6.QtWidgets import QTabBar

        docks = [d for d in self.findChildren(QDockWidget) if d.isVisible() and not d.isFloating()]
        for bar in self.findChildren(QTabBar):
            if bar.parent() is not self or not bar.isVisible():
                continue
            g = bar.geometry()
            if not any(
                abs(d.geometry().bottom() + 1 - g.top()) <= 4 and abs(d.geometry().left() - g.left()) <= 4
                for d in docks
            ):
                bar.hide()

    def _arrange_docks(self) -> None:
        """The map keeps most of the window: slim side docks, a low bottom strip."""
        # sized to the screen: 1366×768 keeps a usable map, 1920×1080 gives the docks more room
        w, h = max(self.width(), 800), max(self.height(), 600)
        sizes = {
            Qt.DockWidgetArea.LeftDockWidgetArea: (
                int(min(max(0.2 * w, 270), 340)),
                Qt.Orientation.Horizontal,
            ),
            Qt.DockWidgetArea.RightDockWidgetArea: (
                int(min(max(0.3 * w, 380), 600)),
                Qt.Orientation.Horizontal,
            ),
            Qt.DockWidgetArea.BottomDockWidgetArea: (
                int(min(max(0.3 * h, 200), 320)),
                Qt.Orientation.Vertical,
            ),
        }
        for area, dock in self._first_dock.items():
            if area in sizes:
                size, orientation = sizes[area]
                self.resizeDocks([dock], [size], orientation)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not getattr(self, "_arranged", False):
            self._arranged = True
            QTimer.singleShot(0, self._arrange_docks)  # once the layout has its real size
            QTimer.singleShot(0, self._hide_stale_tab_bars)

    # -- behaviour -----------------------------------------------------------------------------
    def _update_counts(self) -> None:
        c = self.store.counts()
        self._counts_label.setText(
            self.tr("住户 {h} · 企业 {e} · 名士 {n} · 走访 {v} · 问题 {p}").format(
                h=c["households"], e=c["enterprises"], n=c["notable_persons"], v=c["visits"], p=c["problems"]
            )
        )

    def _reload_rounds(self) -> None:
        rounds = self.store.counts()["round_list"]
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for r in rounds:
            kind = self.tr(ROUND_KIND_ZH.get(r["kind"], r["kind"]))
            status = self.tr(ROUND_STATUS_ZH.get(r["status"], r["status"]))
            self.round_combo.addItem(f"{r['name']}（{kind}·{status}）", r["id"])
        # open on the round being planned, else the newest
        planning = [i for i, r in enumerate(rounds) if r["status"] != RoundStatus.CLOSED]
        idx = planning[0] if planning else len(rounds) - 1
        self.round_combo.setCurrentIndex(idx)
        self.round_combo.blockSignals(False)
        self._round_selected(idx)

    def select_round(self, round_id: int) -> None:
        """Make a round current (e.g. one just created); reloads the list first."""
        self._reload_rounds()
        i = self.round_combo.findData(round_id)
        if i >= 0:
            self.round_combo.setCurrentIndex(i)

    def _round_selected(self, index: int) -> None:
        rid = self.round_combo.itemData(index) if index >= 0 else None
        if getattr(self, "_round_held", False):
            self._current_round_id = rid  # announced by _release_round
            return
        if rid != self._current_round_id:
            self._current_round_id = rid
            self.roundChanged.emit(rid)

    def _release_round(self) -> None:
        if getattr(self, "_round_held", False):
            self._round_held = False
            self.roundChanged.emit(self._current_round_id)

    def _map_loaded(self, data) -> None:
        self.map_widget.set_data(data)
        self.mapLoaded.emit()
        self._release_round()
        self.dataChanged.emit()

    def _map_failed(self, message: str) -> None:
        if message != "已取消":
            show_error(self, self.tr("加载地图失败"), message)
        self._release_round()
        self.dataChanged.emit()  # the panels still show what they can

    def _show_cursor(self, lon: float, lat: float) -> None:
        self._coord_label.setText(
            self.tr("经度 {lon}  纬度 {lat}").format(lon=f"{lon:.6f}", lat=f"{lat:.6f}")
        )

    def _target_clicked(self, target_id: int, modifiers) -> None:
        mode = "add" if modifiers & Qt.KeyboardModifier.ShiftModifier else "replace"
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            mode = "remove"
        self.selection.select([target_id], mode)

    def _task_of_sender(self):
        return self._tasks.get(self.sender())

    @Slot(float, str)
    def _task_progress(self, fraction: float, message: str) -> None:
        task = self._task_of_sender()
        if task is not None:
            self._progress.setValue(int(fraction * 100))
            self._progress_label.setText(f"{task.title} {message}")

    @Slot(object)
    def _task_result(self, value) -> None:
        task = self._task_of_sender()
        if task is not None and task.on_result is not None:
            task.on_result(value)

    @Slot(str, str)
    def _task_error(self, message: str, tb: str) -> None:
        task = self._task_of_sender()
        if task is None:
            return
        if task.on_error is not None:
            task.on_error(message)
        elif message != "已取消":
            show_error(self, f"{task.title}失败", message)

    @Slot()
    def _task_finished(self) -> None:
        task = self._tasks.pop(self.sender(), None)
        if task is not None:
            try:
                self._cancel_button.clicked.disconnect(task.cancel)
            except (RuntimeError, TypeError):
                pass
        if not self._tasks:
            for w in (self._progress, self._progress_label, self._cancel_button):
                w.hide()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        for task in list(self._tasks.values()):
            task.cancel()  # long work stops at its next progress report
        live.detach(self)
        super().closeEvent(event)

    def _open_database(self) -> None:
        path, _ = file_dialogs.getOpenFileName(
            self, self.tr("打开数据库"), "", self.tr("SQLite 数据库 (*.sqlite *.db);;所有文件 (*)")
        )
        if path:
            self._switch_to(path)

    def _switch_to(self, db: str) -> None:
        opened = open_or_offer_restore(db, self)
        if opened is None:
            return
        store = opened[0]
        QSettings().setValue("database/last", db)
        self.set_store(store)

    def _new_demo(self) -> None:
        path, _ = file_dialogs.getSaveFileName(
            self, self.tr("新建演示数据库"), "demo.sqlite", self.tr("SQLite 数据库 (*.sqlite)")
        )
        if not path:
            return
        from gisplanner.demo_file import build_demo_database, is_empty_database

        try:
            empty = is_empty_database(Path(path).expanduser().resolve())
        except Exception as e:  # noqa: BLE001 - a foreign or damaged file: say so
            show_error(self, "无法生成演示数据", f"{path}\n{e}")
            return
        if not empty:
            show_error(self, "无法生成演示数据", f"{path} 已有数据，请选择新文件")
            return

        def build(progress=None):  # into a temporary file, renamed into place when complete
            build_demo_database(path, progress=progress)
            return Store.open(path)

        self.run_task(build, title=self.tr("生成演示镇"), on_result=self.set_store)

    def _backup_now(self) -> None:
        if self.store is None or self.store.sqlite_path is None:
            QMessageBox.information(self, self.tr("备份"), self.tr("共享数据库（PostgreSQL）由服务器备份。"))
            return
        dest = store_mod.backup_sqlite(self.store)
        self.statusBar().showMessage(self.tr("已备份到 ") + str(dest), 8000)

    def _restore(self) -> None:
        backups = store_mod.list_backups(self.store) if self.store else []
        if not backups:
            QMessageBox.information(self, self.tr("从备份恢复"), self.tr("还没有备份。"))
            return
        names = [p.name for p in backups]
        name, ok = QInputDialog.getItem(
            self, self.tr("从备份恢复"), self.tr("选择备份（当前数据会先自动备份）："), names, 0, False
        )
        if ok:
            store_mod.restore_sqlite(self.store, backups[names.index(name)])
            self.set_store(self.store)

    def _set_language(self, lang: str) -> None:
        QSettings().setValue("ui/lang", lang)
        QMessageBox.information(
            self, "gisplanner", "界面语言将在重新启动后生效。\nThe language changes at the next start."
        )

    def _about(self) -> None:
        from gisplanner import __version__

        QMessageBox.about(
            self,
            self.tr("关于"),
            self.tr(
                "大走访规划 GIS {v}\n走访对象上图、三搭配组队、错时路线、打印走访单、问题跟踪到底。\n日志：{log}"
            ).format(v=__version__, log=logs.log_file()),
        )
