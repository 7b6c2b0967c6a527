"""Start-up time of the desktop app on the demo town: process start → window shown → map drawn.

QT_QPA_PLATFORM=offscreen python bench/startup_bench.py [--db demo.sqlite]
"""

from __future__ import annotations

import time

T0 = time.perf_counter()

import argparse  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", default=None, help="an existing demo database (default: build one first)")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    db = args.db
    if db is None:
        from gisplanner.demo import build_demo
        from gisplanner.store import Store

        db = str(Path(tempfile.mkdtemp()) / "demo.sqlite")
        build_demo(Store.open(db))
        global T0
        T0 = time.perf_counter()  # do not count building the demo
    from PySide6.QtCore import QTimer

    from gisplanner.store import Store
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    app = make_application()
    t_import = time.perf_counter() - T0
    window = MainWindow()
    window.show()
    t_shown = time.perf_counter() - T0
    marks = {}

    def loaded():
        marks["map"] = time.perf_counter() - T0
        QTimer.singleShot(0, app.quit)

    window.mapLoaded.connect(loaded)
    QTimer.singleShot(0, lambda: window.set_store(Store.open(db)))
    QTimer.singleShot(60_000, app.quit)
    app.exec()
    print(f"imports+QApplication {t_import:6.2f} s")
    print(f"window shown         {t_shown:6.2f} s")
    print(f"map drawn            {marks.get('map', float('nan')):6.2f} s   (goal ≤ 3 s)")


if __name__ == "__main__":
    main()
