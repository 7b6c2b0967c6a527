"""Starting the desktop app: fonts, language, error handling, the database, the main window."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from gisplanner import logs, paths
from gisplanner.store import Store, StoreError, backup_sqlite
from gisplanner.ui.printing.canvas import register_bundled_cjk_font

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


def open_user_store(db: str | None) -> tuple[Store | None, bool]:
    """Open the database (the user's own by default); returns (store, needs_demo).

    First start (no database of the user's own yet, or an empty one): (None, True) — the demo is
    then built into a temporary file and renamed into place (gisplanner.demo_file)."""
    if db is None:
        from gisplanner.demo_file import is_empty_database

        if is_empty_database(paths.default_database()):
            return None, True
    store = Store.open(db)
    try:
        backup_sqlite(store)  # officials' data must survive their mistakes: a checked copy at every open
    except StoreError:
        store.close()  # damaged: not copied over the good backups, and not opened
        raise
    needs_demo = db is None and store.is_empty()
    return store, needs_demo


def build_first_demo(progress=None) -> Store:
    """The first start's demo town in the user's default database (worker thread)."""
    from gisplanner.demo_file import build_demo_database

    build_demo_database(paths.default_database(), progress=progress)
    return Store.open(paths.default_database())


def open_or_offer_restore(db: str | None, parent=None) -> tuple[Store, bool] | None:
    """Open the database; when it cannot be opened, say why and offer a restore from its backups."""
    from gisplanner.ui.dialogs.restore import offer_restore

    while True:
        try:
            return open_user_store(db)
        except Exception as e:  # noqa: BLE001 - StoreError explains; anything else is logged too
            log.exception("cannot open database %s", db)
            message = e if isinstance(e, StoreError) else f"{db or paths.default_database()}\n{e}"
            if not offer_restore(parent, db, StoreError(str(message))):
                return None


def run_app(db: str | None = None, lang: str | None = None, smoke: Callable[[], float] | None = None) -> int:
    """The desktop app; with ``smoke`` (a clock since process start) a self-test that exits."""
    app = make_application(lang=lang)
    install_excepthook(smoke=smoke is not None)
    from gisplanner.ui.main_window import MainWindow, show_error

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
    del show_error
    return app.exec()
