"""工作向导: the loop's steps follow the database, each button opens its step; F1 opens the user guide."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


def _window(open_window, store):
    w = open_window(store, size=(1366, 768), lang="zh_CN")
    w.panels.guide.refresh()
    return w


def test_empty_database_says_to_import_boundaries_first(qtbot, empty_store, open_window):
    w = _window(open_window, empty_store)
    g = w.panels.guide
    assert [s.state for s in g.state.steps] == ["next"] + ["todo"] * 6
    assert "导入" in g.headline.text() and "边界" in g.headline.text()
    assert g.marks["areas"].text().count("→") == 1 and g.buttons["areas"].isDefault()
    wizard = g.open_step("areas")
    qtbot.addWidget(wizard)
    assert wizard.kind_combo.currentData() == "areas"


def test_steps_follow_the_database_and_buttons_open_their_step(
    qtbot, demo_store_copy, demo_facts, open_window
):
    from gisplanner.printing.batch import describe
    from gisplanner.reporting.printouts.common import PrintContext, log_print
    from gisplanner.store.model import Team

    store = demo_store_copy
    w = _window(open_window, store)
    g = w.panels.guide
    st = g.state
    assert [s.state for s in st.steps[:4]] == ["done", "done", "done", "next"]
    assert st.round_id == w.current_round_id
    assert str(demo_facts.planning_targets) in g.details["targets"].text()
    assert g.headline.text().endswith("组队")
    # teams formed (as the teams panel stores them) -> 组队 done, 规划 next
    with store.session() as s:
        s.add(Team(round_id=st.round_id, name="第1组"))
    w.dataChanged.emit()
    qtbot.waitUntil(lambda: g.state.step("teams").state == "done", timeout=5000)
    assert g.state.step("plan").state == "next" and "1 个队伍" in g.details["teams"].text()
    # a batch print of this round is found in the print log
    log_print(store, PrintContext(user="测试"), describe(store, "route-sheets", st.round_id, 3), 3)
    g.refresh()
    assert g.state.step("print").done and g.state.step("plan").state == "next"
    # the buttons open the step's panel or dialog
    dock = g.open_step("teams")
    assert dock is not None and dock.widget().widget() is w.panels.teams and dock.isVisible()
    assert g.open_step("plan").widget().widget() is w.panels.plan
    assert g.open_step("results").widget().widget() is w.panels.results
    dlg = g.open_step("round")
    assert dlg is not None and dlg.isVisible()
    dlg.reject()


def test_f1_opens_the_chinese_user_guide(qtbot, empty_store, open_window):
    from PySide6.QtWidgets import QTextBrowser

    w = _window(open_window, empty_store)
    assert w.panels.user_guide_action.shortcut().toString() == "F1"
    assert w.menus["帮助"].actions()[0] is w.panels.user_guide_action
    w.panels.user_guide_action.trigger()
    text = w.panels.user_guide_dialog.findChild(QTextBrowser).toPlainText()
    for step in ("导入边界", "导入名册", "新建轮次", "组队", "规划", "打印", "录入"):
        assert step in text
    w.panels.user_guide_dialog.close()
