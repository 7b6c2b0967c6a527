"""What a feature panel gets from the main window: one typed :class:`PanelContext` instead of
attributes read from and hung on the window.

Every module of :mod:`gisplanner.ui.panels` with ``install(ctx)`` receives the context; a panel
keeps it as ``self.ctx``. What a panel offers the others (and the tests) goes into
``ctx.panels`` (:class:`Panels`), a field each, never onto the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import QComboBox, QDialog, QDockWidget, QLabel, QLineEdit, QMainWindow, QMenu, QWidget

if TYPE_CHECKING:
    from gisplanner.store.database import Store
    from gisplanner.ui.map.canvas import MapWidget
    from gisplanner.ui.selection import SelectionModel
    from gisplanner.ui.workers import TaskWorker

T = TypeVar("T")


@dataclass(eq=False)
class Panels:
    """The installed panels and what they expose to each other, one field each (None until the
    panel that owns it is installed, or when it failed to install). :meth:`get` finds a panel by
    its class, typed, for the calls one panel makes on another."""

    # docked panels
    guide: QWidget | None = None  # panels.guide_panel.GuidePanel
    layers: QWidget | None = None  # panels.layers_panel.LayersPanel
    table: QWidget | None = None  # panels.table_panel.TablePanel
    teams: QWidget | None = None  # panels.teams_panel.TeamsPanel
    plan: QWidget | None = None  # panels.plan_panel.PlanPanel
    results: QWidget | None = None  # panels.results_panel.ResultsEntryPanel
    problems: QWidget | None = None  # panels.problems_panel.ProblemsPanel
    dashboard: QWidget | None = None  # panels.dashboard_panel.DashboardPanel
    supervision: QWidget | None = None  # panels.supervision_panel.SupervisionPanel
    guide_dock: QDockWidget | None = None
    # map helpers and status bar
    empty_state: QWidget | None = None  # start_panel.EmptyStateCard over the map
    coverage_sync: Any = None  # layers_panel.CoverageSync
    identify_dialog: QDialog | None = None
    selection_label: QLabel | None = None
    search_box: QLineEdit | None = None
    area_editor: Any = None  # map.edit_tools.AreaEditor
    area_level_combo: QComboBox | None = None
    map_tool_actions: dict[str, QAction] = field(default_factory=dict)
    # menus and actions
    rounds_menu: Any = None  # rounds_panel.RoundsMenu
    import_menu: QMenu | None = None
    export_menu: QMenu | None = None
    connect_action: QAction | None = None
    plan_action: QAction | None = None
    teams_form_action: QAction | None = None
    user_guide_action: QAction | None = None
    open_targets_dialog: Callable[[], Any] | None = None
    # dialogs last opened (tests and the guide reach them here)
    user_guide_dialog: QDialog | None = None
    basemap_dialog: QDialog | None = None
    new_district_dialog: QDialog | None = None
    targets_dialog: QDialog | None = None

    def get(self, cls: type[T]) -> T | None:
        """The installed panel of class ``cls`` (typed), or None."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, cls):
                return value
        return None


@dataclass(eq=False)
class PanelContext:
    """What the panels legitimately need of the main window (see MainWindow.__init__)."""

    window: QMainWindow  # parent of the panels' dialogs, docks and toolbars
    map_widget: MapWidget
    selection: SelectionModel
    undo_stack: QUndoStack
    menus: dict[str, QMenu]  # 文件, 编辑, 视图, 走访轮次, 工具, 帮助
    panels: Panels
    data_changed: SignalInstance  # the database content changed (reload what you show)
    map_loaded: SignalInstance  # the map finished drawing fresh data
    round_changed: SignalInstance  # current round id (int) or None
    add_dock: Callable[..., QDockWidget]  # (widget, title, area=right) -> dock
    run_task: Callable[..., TaskWorker]  # fn(*args, progress=..., **kw) off the UI thread
    refresh: Callable[[], None]  # reload the map and counts from the database
    set_store: Callable[[Store], None]  # switch the window to another database
    select_round: Callable[[int], None]  # make a round current
    store_of: Callable[[], Store | None]
    current_round_of: Callable[[], int | None]

    @property
    def store(self) -> Store | None:
        """The open database (None before one is opened)."""
        return self.store_of()

    @property
    def current_round_id(self) -> int | None:
        return self.current_round_of()

    def show_status(self, message: str, timeout_ms: int = 0) -> None:
        """A message in the window's status bar."""
        self.window.statusBar().showMessage(message, timeout_ms)

    def tr(self, text: str) -> str:
        """Translate in the window's context (MainWindow), as the panels' menu texts are."""
        return self.window.tr(text)

    def add_toolbar(self, title: str):
        return self.window.addToolBar(title)
