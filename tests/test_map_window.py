"""The map workspace inside the main window: tools toolbar, coverage per round, table, search."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def window(open_window, demo_store):
    return open_window(demo_store, size=(1400, 900))


def test_tools_toolbar_switches_the_map_tool(window):
    assert set(window.panels.map_tool_actions) == {"pan", "click", "rectangle", "lasso", "area",
                                            "draw_area", "edit_vertices", "split_area", "merge_area", "identify"}  # fmt: skip
    window.panels.map_tool_actions["split_area"].trigger()  # the digitising tools share the exclusive group
    assert (
        window.map_widget.tool.name == "split_area"
        and not window.panels.map_tool_actions["lasso"].isChecked()
    )
    window.panels.map_tool_actions["lasso"].trigger()
    assert window.map_widget.tool.name == "lasso"
    window.map_widget.set_tool("area")
    assert window.panels.map_tool_actions["area"].isChecked()
    assert any("导出地图图片" in a.text() for a in window.menus["文件"].actions())


def test_planning_round_shows_the_last_rounds_coverage(window, qtbot):
    mw = window.map_widget
    assert "秋季" in mw.coverage_title  # the round being planned has no visits yet
    assert set(mw.counts()["area_classes"]) >= {"not_started", "partial"}
    window.select_round(1)
    qtbot.wait(200)
    assert "秋季" in mw.coverage_title


def test_selection_reaches_table_and_highlight_and_undoes(window, qtbot, demo_facts):
    mw = window.map_widget
    table = window.panels.table
    assert table.model.rowCount() == demo_facts.targets
    aid = int(mw.data.areas["id"].iloc[0])
    ids = mw.data.targets.loc[mw.data.targets["area_id"] == aid, "id"].to_numpy()
    window.selection.select(ids, "replace")
    assert mw.counts()["selected"] == len(ids)
    rows = {i.row() for i in table.view.selectionModel().selectedRows()}
    assert len(rows) == len(ids)
    window.undo_stack.undo()
    assert mw.counts()["selected"] == 0 and not table.view.selectionModel().selectedRows()


def test_search_box_zooms_to_a_village(window):
    box = window.panels.search_box
    box.setText("雪堰社区")
    hits = box.run()  # the community and the households whose address names it: a list
    assert hits and hits[0].kind == "area" and len(hits) > 1
    assert box.popup.isVisible()
    box.run()  # Enter again takes the highlighted first hit
    assert not box.popup.isVisible()
    (x0, x1), _ = window.map_widget.view.viewRange()
    full = window.map_widget.data.extent
    assert (x1 - x0) < (full[2] - full[0]) / 2  # zoomed in on the community
