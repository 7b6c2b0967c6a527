"""Panels that load when first shown: a dock tabbed behind another costs nothing at start-up.

``ctx.data_changed.connect(when_shown(panel, panel.reload))``: the slot runs at once while
the panel is on screen; otherwise the call is remembered (the latest arguments) and made once,
right after the panel comes on screen (its tab raised, its dock opened).

A dock tabbed behind another stays ``isVisible()`` in Qt (only its tab is not current), so "on
screen" is a visible widget with a non-empty visible region, and the trigger is the dock's
``visibilityChanged(True)`` (emitted when its tab is selected) or the widget's Show event.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QDockWidget, QWidget


def on_screen(widget: QWidget) -> bool:
    """Visible and not hidden behind another dock's tab."""
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


class _ShowWatch(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget
        self.pending: dict[Callable, tuple] = {}  # slot -> its latest arguments
        self.dock: QDockWidget | None = None
        widget.installEventFilter(self)

    def attach_dock(self) -> None:
        if self.dock is not None:
            return
        p = self.widget.parentWidget()
        while p is not None and not isinstance(p, QDockWidget):
            p = p.parentWidget()
        if p is not None:
            self.dock = p
            p.visibilityChanged.connect(self._visibility)

    def _visibility(self, visible: bool) -> None:
        if visible and self.pending:
            QTimer.singleShot(0, self.flush)  # after the tab switch: the tab paints first

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if obj is self.widget and event.type() == QEvent.Type.Show and self.pending:
            QTimer.singleShot(0, self.flush)
        return False

    def flush(self) -> None:
        if not self.pending or not on_screen(self.widget):
            return
        pending, self.pending = self.pending, {}
        for slot, args in pending.items():
            slot(*args)


def when_shown(widget: QWidget, slot: Callable) -> Callable:
    """``slot`` now if ``widget`` is on screen, else once when it next comes on screen."""
    watch = widget.findChild(_ShowWatch) or _ShowWatch(widget)

    def call(*args) -> None:
        watch.attach_dock()
        if on_screen(widget):
            watch.pending.pop(slot, None)
            slot(*args)
        else:
            watch.pending[slot] = args

    return call


def is_pending(widget: QWidget) -> bool:
    """Whether the panel still owes a load (benchmarks, tests)."""
    watch = widget.findChild(_ShowWatch)
    return watch is not None and bool(watch.pending)
