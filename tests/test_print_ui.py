"""The print menu and dialog in the main window: PDF export off the UI thread, preview painting,
and the web map exported from the menu."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from sqlalchemy import func, select
from test_reports_fixture import planned_db  # noqa: F401 - a fixture

pytest.importorskip("pytestqt")


@pytest.fixture(scope="module")
def window(qapp, planned_db):  # noqa: F811 - the imported fixture
    """One main window for the module (opening it draws 8,000 households: done once)."""
    import time

    from gisplanner.store import Store
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    path, plan = planned_db
    store = Store.open(path)
    make_application()
    w = MainWindow()
    loaded = []
    w.mapLoaded.connect(lambda: loaded.append(True))
    w.set_store(store)
    deadline = time.monotonic() + 30
    while not loaded and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    assert loaded, "the map did not load"
    w.select_round(plan["round"])
    yield w
    # let background tasks of the window (panels reloading after the round change …) end before
    # the window goes, so none reports progress to a deleted status bar in a later test
    deadline = time.monotonic() + 60
    while w._tasks and time.monotonic() < deadline:  # noqa: SLF001 - test teardown
        qapp.processEvents()
        time.sleep(0.01)
    w.close()
    w.deleteLater()
    qapp.processEvents()
    store.close()


def actions(window):
    from gisplanner.ui.panels.print_panel import PrintActions

    return window.findChild(PrintActions)


def test_print_menu_offers_every_printout(window):
    from gisplanner.reports.catalog import PRINTOUTS

    assert set(actions(window).actions) == set(PRINTOUTS)
    titles = [a.text() for a in actions(window).actions.values()]
    assert "走访路线单…" in titles and "走访联系卡…" in titles


def test_dialog_exports_pdf_in_background_and_logs(window, qtbot, tmp_path):
    from gisplanner.model import PrintLog

    dlg = actions(window).open_print_dialog("route-sheets")
    out = tmp_path / "路线单.pdf"
    with window.store.session() as s:
        before = s.scalar(select(func.count()).select_from(PrintLog))
    with qtbot.waitSignal(dlg.pdfWritten, timeout=60_000) as sig:
        dlg.export_pdf(out)
    result = sig.args[0]
    assert out.exists() and result.items == 6
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert re.search(rf"Pages:\s+{result.pages}\n", info)
    with window.store.session() as s:
        assert s.scalar(select(func.count()).select_from(PrintLog)) == before + 1
    assert dlg.pdf_button.isEnabled()


def test_preview_paints_on_a_printer(window, tmp_path):
    """What the preview dialog shows is painted by paint_on(QPrinter); paint to a PDF printer."""
    from PySide6.QtPrintSupport import QPrinter

    from gisplanner.ui.printing.preview import make_printer

    dlg = actions(window).open_print_dialog("contact-cards")
    printer = make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "preview.pdf"))
    pages = dlg.paint_on(printer)
    assert pages == 4  # 36 cards, ten to a page
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "preview.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert text.count("扫码进入服务小程序") == 36


def test_webmap_from_the_menu(window, qtbot, tmp_path):
    out = tmp_path / "map.html"
    task = actions(window).open_webmap(out, browser=False)
    qtbot.waitUntil(lambda: actions(window).last_webmap == out, timeout=60_000)
    page = out.read_text(encoding="utf-8")
    assert task is not None and json.dumps("走访路线")[1:-1] in page  # the round's routes layer
