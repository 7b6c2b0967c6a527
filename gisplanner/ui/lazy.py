"""Panels that load when first shown: a dock tabbed behind another costs nothing at start-up.

``window.dataChanged.connect(when_shown(panel, panel.reload))``: the slot runs at once while
the panel is visible; otherwise the call is remembered (the latest arguments) and made once,
right after the panel is next shown (its tab raised, its dock opened).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class _ShowWatch(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.widget = widget
        self.pending: dict[Callable, tuple] = {}  # slot -> its latest arguments
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if obj is self.widget and event.type() == QEvent.Type.Show and self.pending:
            QTimer.singleShot(0, self.flush)  # after the show: the tab paints first
        return False

    def flush(self) -> None:
        if not self.widget.isVisible():
            return
        pending, self.pending = self.pending, {}
        for slot, args in pending.items():
            slot(*args)


def when_shown(widget: QWidget, slot: Callable) -> Callable:
    """``slot`` now if ``widget`` is visible, else once when it is next shown."""
    watch = widget.findChild(_ShowWatch) or _ShowWatch(widget)

    def call(*args) -> None:
        if widget.isVisible():
            watch.pending.pop(slot, None)
            slot(*args)
        else:
            watch.pending[slot] = args

    return call


def is_pending(widget: QWidget) -> bool:
    """Whether the panel still owes a load (benchmarks, tests)."""
    watch = widget.findChild(_ShowWatch)
    return watch is not None and bool(watch.pending)
