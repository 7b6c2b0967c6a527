"""`main.py --smoke`: open the real window, wait until the map is drawn, print one line, exit.

Used by CI under Xvfb on the xcb platform (and on the packaged bundle) so that a missing system
library, font or data file fails loudly. Any critical message box, a map that draws nothing, or
no map after the time limit is a failure with the message on stderr.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox

TIME_LIMIT_S = 180


class SmokeWatch(QObject):
    """Ends the application with 0 once the map shows something, 1 on any error."""

    def __init__(self, app: QApplication, window, seconds_since_start) -> None:
        super().__init__(app)
        self.app, self.window, self.elapsed = app, window, seconds_since_start
        self.window_s: float | None = None
        app.installEventFilter(self)
        window.mapLoaded.connect(lambda: QTimer.singleShot(300, self._check_map))
        QTimer.singleShot(0, self._shown)
        QTimer.singleShot(TIME_LIMIT_S * 1000, lambda: self.fail(f"no map drawn after {TIME_LIMIT_S} s"))

    def _shown(self) -> None:
        self.window_s = self.elapsed()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Show and isinstance(obj, QMessageBox):
            if obj.icon() in (QMessageBox.Icon.Critical, QMessageBox.Icon.Warning):
                self.fail(f"{obj.windowTitle()}: {obj.text()} {obj.informativeText()}".strip())
        return False

    def _check_map(self) -> None:
        image = self.window.map_widget.grab().toImage()
        if image.isNull() or image.width() < 50:
            self.fail("the map widget has no size")
            return
        # an empty map is one colour: count the colours on a coarse grid
        colours = {
            QColor(image.pixel(x, y)).rgb()
            for x in range(0, image.width(), max(1, image.width() // 40))
            for y in range(0, image.height(), max(1, image.height() // 40))
        }
        if len(colours) < 4:
            self.fail(f"the map is empty ({len(colours)} colours on screen)")
            return
        window_s = self.window_s if self.window_s is not None else self.elapsed()
        print(f"smoke ok: window {window_s:.1f}s, map {self.elapsed():.1f}s", flush=True)
        self.app.exit(0)

    def fail(self, why: str) -> None:
        print(f"smoke failed: {why}", file=sys.stderr, flush=True)
        self.app.exit(1)
