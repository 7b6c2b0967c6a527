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

    from gisplanner.store.database import Store
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
    from gisplanner.reporting.printouts.catalog import PRINTOUTS

    assert set(actions(window).actions) == set(PRINTOUTS)
    titles = [a.text() for a in actions(window).actions.values()]
    assert "走访路线单…" in titles and "走访联系卡…" in titles


def test_dialog_exports_pdf_in_background_and_logs(window, qtbot, tmp_path):
    from gisplanner.store.model import PrintLog

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

    from gisplanner.reporting.printouts.contact import Contact, set_contact
    from gisplanner.ui.printing.preview import make_printer

    set_contact(window.store, Contact(name="雪堰镇大走访办公室", phone="0519-86541234"))
    dlg = actions(window).open_print_dialog("contact-cards")
    printer = make_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "preview.pdf"))
    pages = dlg.paint_on(printer)
    assert pages == 4  # 36 cards, ten to a page
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "preview.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert text.count("扫码存联系方式") == 36


def test_webmap_from_the_menu(window, qtbot, tmp_path):
    out = tmp_path / "map.html"
    task = actions(window).open_webmap(out, browser=False)
    qtbot.waitUntil(lambda: actions(window).last_webmap == out, timeout=60_000)
    page = out.read_text(encoding="utf-8")
    assert task is not None and json.dumps("走访路线")[1:-1] in page  # the round's routes layer


def test_dialog_prints_one_team_on_a3_and_asks_for_the_contact_first(window, qtbot, tmp_path, monkeypatch):
    from gisplanner.reporting.printouts.contact import get_contact
    from gisplanner.store.model import PrintLog

    dlg = actions(window).open_print_dialog("route-sheets")
    assert dlg.team_combo.count() == 1 + 3 and dlg.session_combo.count() >= 1 + 2
    dlg.team_combo.setCurrentIndex(2)
    dlg.paper_combo.setCurrentIndex(1)
    dlg.leader_copy.setChecked(True)
    out = tmp_path / "组2.pdf"
    with qtbot.waitSignal(dlg.pdfWritten, timeout=60_000) as sig:
        dlg.export_pdf(out)
    assert sig.args[0].items == 1 + 2  # the leader's call-ahead list, then the team's two sheets
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "(A3)" in info
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "电话预约联系单" in text and text.count("走访路线单") >= 2 and dlg.team_combo.currentText() in text
    with window.store.session() as s:
        log = s.scalars(select(PrintLog).order_by(PrintLog.id.desc())).first()
    assert log.unmasked and "完整电话" in log.what and f"小组 {dlg.team_combo.currentData()}" in log.what
    dlg.leader_copy.setChecked(False)  # the round's setting, kept for the next print
    # contact cards on a database without a contact: the form comes up first, then the cards
    from gisplanner.store.model import Setting

    with window.store.session() as s:
        s.query(Setting).filter(Setting.key.like("contact.%")).delete(synchronize_session=False)
    cards = actions(window).open_print_dialog("contact-cards")
    asked = []

    def fill(reason):
        asked.append(reason)
        from gisplanner.reporting.printouts.contact import Contact, set_contact

        set_contact(window.store, Contact(name="潘家村村委会", phone="0519-86540001"))
        return True

    monkeypatch.setattr(cards, "ask_contact", fill)
    with qtbot.waitSignal(cards.pdfWritten, timeout=60_000):
        cards.export_pdf(tmp_path / "cards.pdf")
    assert asked and "settings contact" in asked[0] and get_contact(window.store).name == "潘家村村委会"


def test_contact_form_checks_and_saves(window, qtbot):
    from gisplanner.reporting.printouts.contact import get_contact

    dlg = actions(window).edit_contact()
    dlg.name.setText("雪堰镇大走访办公室")
    dlg.phone.setText("电话号码")
    dlg.save()
    assert "--phone" in dlg.error.text() and dlg.isVisible()
    dlg.phone.setText("0519-86541234")
    dlg.url.setText("https://xy.example.cn")
    dlg.save()
    assert get_contact(window.store).url == "https://xy.example.cn"
