"""Starting the desktop app: fonts, language, error handling, the database, the main window."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QSettings, QTimer, QTranslator, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from gisplanner import logs, paths
from gisplanner.printing.canvas import register_bundled_cjk_font
from gisplanner.store.database import Store, StoreError
from gisplanner.ui.opening import open_or_offer_restore, open_user_store

log = logging.getLogger(__name__)
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
CJK_FAMILIES = (
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "WenQuanYi Micro Hei",
    "Source Han Sans SC",
)


def make_application(argv: list[str] | None = None, lang: str | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName("gisplanner")
    app.setApplicationName("gisplanner")
    app.setApplicationDisplayName("大走访规划 GIS")
    set_cjk_font(app)
    install_translations(app, lang or QSettings().value("ui/lang", "zh_CN"))
    return app


def set_cjk_font(app: QApplication) -> str | None:
    """Use a font with Chinese glyphs when the default has none (boxes instead of characters)."""
    families = set(QFontDatabase.families())
    fam = next((f for f in CJK_FAMILIES if f in families), None) or register_bundled_cjk_font()
    if fam is None:
        log.warning("no CJK font found and the bundled one did not load; Chinese may show as boxes")
        return None
    app.setFont(QFont(fam, app.font().pointSize()))
    return fam


def install_translations(app: QApplication, lang: str) -> None:
    """The UI is written in Chinese; English comes from translations/gisplanner_en.qm."""
    for old in getattr(app, "_translators", []):
        app.removeTranslator(old)
    app._translators = []  # keep references alive
    if lang == "en":
        tr = QTranslator(app)
        if tr.load(str(TRANSLATIONS / "gisplanner_en.qm")):
            app.installTranslator(tr)
            app._translators.append(tr)
        QLocale.setDefault(QLocale(QLocale.Language.English))
    else:
        qt = QTranslator(app)  # Qt's own dialogs (OK/Cancel …) in Chinese
        if qt.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_",
                   QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):  # fmt: skip
            app.installTranslator(qt)
            app._translators.append(qt)
        else:
            log.warning("qtbase_zh_CN.qm not found: Qt's own dialogs stay in English")
        gaps = QTranslator(app)  # Qt 6 strings qtbase_zh_CN.qm lacks ("&Look in:" …); searched first
        if gaps.load(str(TRANSLATIONS / "qt_gaps_zh_CN.qm")):
            app.installTranslator(gaps)
            app._translators.append(gaps)
        QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))


def install_excepthook(smoke: bool = False) -> None:
    """Unexpected errors: logged, and a dialog that names the log file instead of a silent crash
    (in a smoke test: printed, and the app exits with 1)."""

    def hook(exc_type, exc, tb):
        log.error("unhandled error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if smoke:
            traceback.print_exception(exc_type, exc, tb)
            print(f"smoke failed: {exc_type.__name__}: {exc}", file=sys.stderr, flush=True)
            if QApplication.instance() is not None:
                QApplication.instance().exit(1)
            return
        if QApplication.instance() is not None:
            QMessageBox.critical(None, "出错了", f"{exc}\n\n操作未完成，已记录到日志：\n{logs.log_file()}")

    sys.excepthook = hook


def startup_backup(path: Path, progress=None) -> tuple[str, str]:  # noqa: ARG001 - worker API
    """Officials' data must survive their mistakes: a checked copy at every start, unless the
    database did not change since its last good backup. ("written"|"skipped", backup path);
    raises BackupError when the database is damaged (then nothing is copied over good backups)."""
    from gisplanner.store import backup

    dest, written = backup.backup_if_changed(path)
    return ("written" if written else "skipped"), str(dest)


class StartupBackup(QObject):
    """Runs :func:`startup_backup` in its own (non-daemon: an exit waits for the copy) Python
    thread once the map is drawn, so start-up never waits for it; a damaged database is reported
    with the offer to restore its newest good backup. A QObject with slots, so the result is
    delivered on the UI thread (a plain callable would run in the backup thread)."""

    def __init__(self, window, store: Store) -> None:
        super().__init__()
        self.window, self.path = window, store.sqlite_path
        self.done = self.path is None  # PostgreSQL: the server's backups
        self.outcome = "n/a" if self.done else "waiting"
        self._started = False

    def start(self) -> None:
        if self._started or self.done:
            return
        import threading

        from gisplanner.ui import workers

        self._started = True
        self.outcome = "running"
        task = workers.TaskWorker(startup_backup, self.path)
        task.signals.result.connect(self._finished)
        task.signals.error.connect(self._failed)
        # freed on this (the UI) thread after its last signal, as workers.start does
        task.signals.finished.connect(task.signals.deleteLater)
        threading.Thread(target=task.run, name="gisplanner-backup", daemon=False).start()

    @Slot(object)
    def _finished(self, result) -> None:
        self.outcome, dest = result
        self.done = True
        log.info("start-up backup %s: %s", self.outcome, dest)

    @Slot(str, str)
    def _failed(self, message: str, _tb: str) -> None:
        self.outcome, self.done = "failed", True
        log.error("start-up backup of %s failed: %s", self.path, message)
        from gisplanner.ui.dialogs.restore import offer_restore

        if getattr(self.window, "_smoke", None) is not None:  # a self-test: reported, exits 1
            self.window._smoke.fail(f"backup failed: {message}")
            return
        store = self.window.store
        if store is not None and store.sqlite_path == self.path:
            store.close()  # a restore replaces the file: no connection may hold it
        if offer_restore(self.window, str(self.path), StoreError(message)):
            self.window._switch_to(str(self.path))


def build_first_demo(progress=None) -> Store:
    """The first start's demo town in the user's default database (worker thread)."""
    from gisplanner.demo_file import build_demo_database

    build_demo_database(paths.default_database(), progress=progress)
    return Store.open(paths.default_database())


def run_app(db: str | None = None, lang: str | None = None, smoke: Callable[[], float] | None = None) -> int:
    """The desktop app; with ``smoke`` (a clock since process start) a self-test that exits."""
    app = make_application(lang=lang)
    install_excepthook(smoke=smoke is not None)
    from gisplanner.ui.main_window import MainWindow

    if db is None:
        db = QSettings().value("database/last", None) or None
    if smoke is not None:  # no dialogs in a self-test: the reason on stderr, exit non-zero
        try:
            opened = open_user_store(db)
        except Exception as e:  # noqa: BLE001 - reported, then exit
            print(f"smoke failed: cannot open {db or paths.default_database()}: {e}", file=sys.stderr)
            return 2
    else:
        opened = open_or_offer_restore(db)
    if opened is None:
        return 2
    store, needs_demo = opened
    window = MainWindow()
    if smoke is not None:
        from gisplanner.ui.smoke import SmokeWatch

        window._smoke = SmokeWatch(app, window, smoke)
    screen = app.primaryScreen()
    if screen is not None:  # without a window manager showMaximized alone does nothing
        window.setGeometry(screen.availableGeometry())
    window.showMaximized()
    if needs_demo:
        # first start: build the demo town off the UI thread (into a temporary file renamed into
        # place, so an interrupted first start is simply redone), then show it
        QTimer.singleShot(
            0,
            lambda: window.run_task(
                build_first_demo, title="首次启动：生成演示镇", on_result=window.set_store
            ),
        )
    else:
        QTimer.singleShot(0, lambda: window.set_store(store))
        # the backup waits until the map is drawn (or 20 s), off the UI thread
        window.startup_backup = StartupBackup(window, store)
        window.mapLoaded.connect(window.startup_backup.start)
        QTimer.singleShot(20_000, window.startup_backup.start)
    return app.exec()
