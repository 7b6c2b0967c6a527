"""--lang en: the window's menus, toolbars, dock titles, status bar, the start card and the guide
speak English — no Han characters left in widget texts except data values (round, area and
team names; file paths) and the language picker's own "中文"."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("pytestqt")

HAN = re.compile(r"[\u3400-\u9fff]")


def _english_window(qtbot, store):
    from gisplanner.ui.application import install_translations, make_application
    from gisplanner.ui.main_window import MainWindow

    app = make_application(lang="en")
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    with qtbot.waitSignal(w.mapLoaded, timeout=30_000):
        w.set_store(store)
    qtbot.waitUntil(lambda: not w._tasks, timeout=60_000)  # noqa: SLF001 - background reads done
    w.panels.guide.refresh()
    yield w
    install_translations(app, "zh_CN")


@pytest.fixture
def english_window(qtbot, demo_store_copy):
    yield from _english_window(qtbot, demo_store_copy)


@pytest.fixture
def english_empty_window(qtbot, empty_store):
    yield from _english_window(qtbot, empty_store)


def _data_values(w) -> list[str]:
    """Names that are data, not UI: rounds, areas, teams; longest first."""
    store = w.store
    names = []
    for sql in ("SELECT name FROM round", "SELECT name FROM area", "SELECT name FROM team"):
        names += [str(n) for n in store.read_frame(sql)["name"]]
    return sorted(set(names), key=len, reverse=True)


def chrome_texts(w) -> list[tuple[str, str]]:
    from PySide6.QtWidgets import QAbstractButton, QDockWidget, QLabel, QLineEdit, QToolBar

    out = []

    def menu(m, path):
        out.append((path, m.title()))
        for a in m.actions():
            if a.menu() is not None:
                menu(a.menu(), f"{path} > {a.menu().title()}")
            elif not a.isSeparator() and a is not getattr(w, "_zh_action", None):
                out.append((path, a.text()))
                out.append((path + " (tooltip)", a.toolTip()))

    for a in w.menuBar().actions():
        if a.menu() is not None:
            lang = a.menu()
            menu(lang, a.text())
    for tb in w.findChildren(QToolBar):
        out.append(("toolbar", tb.windowTitle()))
        for a in tb.actions():
            out += [("toolbar", a.text()), ("toolbar tooltip", a.toolTip())]
        out += [("toolbar", x.text()) for x in tb.findChildren(QLabel)]
        out += [("toolbar", x.placeholderText()) for x in tb.findChildren(QLineEdit)]
    out += [("dock", d.windowTitle()) for d in w.findChildren(QDockWidget)]
    sb = w.statusBar()
    out += [
        ("status", x.text())
        for x in sb.findChildren(QLabel) + sb.findChildren(QAbstractButton)
        if x.isVisible()
    ]
    return out


def widget_texts(widget, where: str) -> list[tuple[str, str]]:
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel

    out = [(where, x.text()) for x in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton)]
    out += [(where, x.title()) for x in widget.findChildren(QGroupBox)]
    out += [(where, x.toolTip()) for x in widget.findChildren(QAbstractButton)]
    return out


def han_left(w, texts) -> list[tuple[str, str]]:
    data = _data_values(w) + [w.store.describe()]
    bad = []
    for where, text in texts:
        rest = text or ""
        for value in data:
            rest = rest.replace(value, "")
        if "中文" == rest.replace("&", "").strip() and "Language" in where:
            continue  # the language picker names Chinese in Chinese
        if HAN.search(rest):
            bad.append((where, text))
    return bad


def test_window_chrome_and_guide_in_english(english_window):
    from PySide6.QtWidgets import QPushButton

    w = english_window
    texts = chrome_texts(w)
    texts += widget_texts(w.panels.guide, "guide")
    texts += [("layers", b.text()) for b in w.panels.layers.findChildren(QPushButton)]
    texts += [("layers", w.panels.layers.opacity_label.text())]
    plan = w.panels.plan
    texts += widget_texts(plan, "route planning")
    texts += [
        ("route planning header", plan.table.horizontalHeaderItem(c).text())
        for c in range(plan.table.columnCount())
    ]
    texts += [("round picker", w.round_combo.itemText(i)) for i in range(w.round_combo.count())]
    teams = w.panels.teams
    texts += widget_texts(teams, "teams")
    texts += [
        ("teams header", teams.table.horizontalHeaderItem(c).text()) for c in range(teams.table.columnCount())
    ]
    for combo in (teams.size_combo, teams.previous_combo):
        texts += [("teams", combo.itemText(i)) for i in range(combo.count())]
    texts += [("teams", teams.area_combo.itemText(0))]
    w.selection.select([int(w.map_widget.data.targets["id"].iloc[0])])
    texts += [("status", w.panels.selection_label.text())]
    assert not han_left(w, texts), han_left(w, texts)
    # and they are really English, not empty
    assert w.menus["帮助"].title() == "Help" and w.panels.user_guide_action.text() == "User guide"
    assert w.panels.guide.headline.text() == "Next: Teams"
    assert w.panels.selection_label.text() == "1 selected"
    assert (
        teams.form_button.text() == "Form teams"
        and plan.plan_button.text() == "Plan routes"
        and "regular" in w.round_combo.itemText(0)
    )


def test_empty_database_card_in_english(english_empty_window):
    w = english_empty_window
    texts = widget_texts(w.panels.empty_state, "start card") + widget_texts(w.panels.guide, "guide")
    assert w.panels.empty_state.isVisible()
    assert not han_left(w, texts), han_left(w, texts)
    assert "empty" in w.panels.empty_state.title.text()


def test_every_dock_panel_speaks_english(english_window, qtbot):
    """Each dock raised as a user would (its tab clicked): labels, buttons, tips, placeholders,
    list items, tabs and table headers carry no Chinese but the data's names."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QAbstractItemView, QComboBox, QDockWidget, QLineEdit, QTabWidget

    from gisplanner.ui import workers

    w = english_window
    docks = w.findChildren(QDockWidget)
    assert len(docks) >= 8
    for dock in docks:
        dock.show()
        dock.raise_()
    qtbot.waitUntil(lambda: workers.active() == 0, timeout=60_000)  # lazily loaded panels read their data
    texts = []
    for dock in docks:
        where = dock.windowTitle()
        texts += widget_texts(dock, where)
        texts += [(where, x.placeholderText()) for x in dock.findChildren(QLineEdit)]
        for combo in dock.findChildren(QComboBox):
            texts += [(where, combo.itemText(i)) for i in range(min(combo.count(), 40))]
        for tabs in dock.findChildren(QTabWidget):
            texts += [(where, tabs.tabText(i)) for i in range(tabs.count())]
        for view in dock.findChildren(QAbstractItemView):
            model = view.model()
            if model is None:
                continue
            for c in range(model.columnCount()):
                texts.append((f"{where} header", str(model.headerData(c, Qt.Orientation.Horizontal) or "")))
    level_suffixes = [" (City)", " (District)", " (Town/subdistrict)", " (Village/community)"]
    texts = [(where, text.strip("\u3000")) for where, text in texts]
    for suffix in level_suffixes:  # an area's name (data) with its level (translated)
        texts = [(where, text.removesuffix(suffix)) for where, text in texts]
    assert not han_left(w, texts), han_left(w, texts)
    titles = {d.windowTitle() for d in docks}
    assert {"Attribute table", "Problems", "Statistics", "Supervision"} <= titles
