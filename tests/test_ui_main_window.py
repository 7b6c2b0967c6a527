"""The main window opens on a demo database and draws areas and households, without blocking."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def window(open_window, demo_store):
    return open_window(demo_store)


def test_window_draws_areas_and_households(window, demo_facts):
    counts = window.map_widget.counts()
    assert counts["areas"] == demo_facts.villages
    assert counts["points"] == demo_facts.located
    assert counts["roads_vertices"] > 100
    assert window.round_combo.count() == 2
    assert "冬季" in window.round_combo.currentText()  # opens on the round being planned
    assert f"住户 {demo_facts.households}" in window._counts_label.text()


def test_all_panels_install_cleanly(window):
    assert window.panel_errors == {}


def test_loading_runs_off_the_ui_thread(qtbot, demo_store):
    """While the map loads the event loop keeps running (a timer fires before the load ends)."""
    from PySide6.QtCore import QTimer

    from gisplanner.ui.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    with qtbot.waitSignal(w.mapLoaded, timeout=30_000):
        w.set_store(demo_store)
    timer.stop()
    assert ticks, "the UI thread was blocked while loading"


def test_click_selects_and_undo_restores(window, qtbot):
    sel = window.selection
    ids = window.map_widget.data.targets["id"].to_numpy()
    sel.select(ids[:3])
    sel.select(ids[3:5], "add")
    assert list(sel.ids) == list(ids[:5])
    window.undo_stack.undo()
    assert list(sel.ids) == list(ids[:3])


def test_english_is_switchable(qtbot):
    from gisplanner.ui.application import install_translations, make_application
    from gisplanner.ui.main_window import MainWindow

    app = make_application()
    install_translations(app, "en")
    try:
        w = MainWindow()
        qtbot.addWidget(w)
        titles = [a.text() for a in w.menuBar().actions()]
        assert titles[:2] == ["File", "Edit"]
    finally:
        install_translations(app, "zh_CN")
    w2 = MainWindow()
    qtbot.addWidget(w2)
    assert w2.menuBar().actions()[0].text() == "文件"


def test_first_start_builds_the_demo_in_the_user_directory(qtbot, gisplanner_home):
    """`make run` on a fresh machine: no database yet → the demo town is built, off the UI thread."""
    from gisplanner import paths
    from gisplanner.demo_file import build_demo_database
    from gisplanner.store.database import Store, list_backups
    from gisplanner.ui.application import open_user_store
    from gisplanner.ui.main_window import MainWindow

    store, needs_demo = open_user_store(None)
    assert needs_demo and store is None
    w = MainWindow()
    qtbot.addWidget(w)
    done = []

    def build(progress=None):
        counts = build_demo_database(paths.default_database(), households=600, progress=progress)
        return counts, Store.open(paths.default_database())

    with qtbot.waitSignal(w.mapLoaded, timeout=60_000):
        w.run_task(build, on_result=lambda r: (done.append(r[0]), w.set_store(r[1])))
    assert done[0]["households"] == 600
    assert w.map_widget.counts()["points"] == 600 + 150 + 30
    # the second start opens the same database at once; its checked backup follows off the UI
    # thread, and is not repeated while the database stays unchanged
    store2, needs_demo2 = open_user_store(None)
    assert not needs_demo2
    assert not list_backups(store2)
    from gisplanner.ui.application import startup_backup

    written, dest = startup_backup(store2.sqlite_path)
    assert written == "written" and list_backups(store2) == [Path(dest)]
    assert startup_backup(store2.sqlite_path) == ("skipped", dest)
    store2.close()
