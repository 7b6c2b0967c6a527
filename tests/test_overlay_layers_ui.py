"""Overlays are layers: the teams/plan panels register with the map's overlay registry, the layer
panel shows, hides and fades them; the selection stays on top and is counted; 识别 shows attributes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

pytest.importorskip("pytestqt")


@pytest.fixture
def window(open_window, demo_store_copy):
    return open_window(demo_store_copy, size=(1366, 768), lang="zh_CN")


def _two_teams_some_assigned(window, n=300):
    from gisplanner.store.model import Team
    from gisplanner.teams.territory import assign_targets

    store, rid = window.store, window.current_round_id
    with store.session() as s:
        teams = [Team(round_id=rid, name=f"第{k}组") for k in (1, 2)]
        s.add_all(teams)
        s.flush()
        team_ids = [t.id for t in teams]
    ids = store.read_frame(f"SELECT target_id FROM assignment WHERE round_id = {int(rid)} ORDER BY target_id")
    ids = ids["target_id"].astype(int).tolist()
    assign_targets(store, rid, ids[:n], team_ids[0])
    window.panels.teams.reload()
    return ids, team_ids


def test_unassigned_rings_are_a_layer_the_panel_toggles_and_fades(window, qtbot):
    ids, _teams = _two_teams_some_assigned(window)
    mw, panel = window.map_widget, window.panels.layers
    layer = mw.layers["unassigned"]
    assert layer.overlay and len(mw.layer_items("unassigned")) == 1
    ring = mw.layer_items("unassigned")[0]
    assert len(ring.data) == len(ids) - 300 and ring.isVisible()
    qtbot.waitUntil(lambda: getattr(panel.item_of("unassigned"), "childCount", int)() == 1, timeout=2000)
    item = panel.item_of("unassigned")
    legend = [item.child(i).text(0) for i in range(item.childCount())]
    assert legend == [f"未分配对象（{len(ids) - 300}）"]
    # untick in the layer panel: the rings go; tick: they come back
    item.setCheckState(0, Qt.CheckState.Unchecked)
    assert not mw.layers["unassigned"].visible and not ring.isVisible()
    qtbot.wait(10)
    panel.item_of("unassigned").setCheckState(0, Qt.CheckState.Checked)
    assert ring.isVisible()
    # opacity of the current layer from the slider
    qtbot.wait(10)
    panel.tree.setCurrentItem(panel.item_of("unassigned"))
    panel.opacity.setValue(40)
    assert mw.layers["unassigned"].opacity == pytest.approx(0.4) and ring.opacity() == pytest.approx(0.4)
    # the selection is drawn above every overlay, and the status bar counts it
    window.selection.select(ids[:5])
    assert mw.layers["selection"].z > mw.layers["unassigned"].z
    assert mw.selection_item.zValue() > ring.zValue()
    assert window.panels.selection_label.text() == "已选 5 个对象"
    window.selection.clear()
    assert window.panels.selection_label.text() == ""


def test_chosen_team_territory_is_its_own_layer(window, qtbot):
    _ids, teams = _two_teams_some_assigned(window)
    tp, mw = window.panels.teams, window.map_widget
    tp.select_team(teams[0])
    layer = mw.layers["team_territory"]
    assert len(mw.layer_items("team_territory")[0].data) == 300
    assert layer.legend[0][3] == "第1组（300）"
    mw.set_layer_visible("team_territory", False)
    tp.select_team(teams[1])
    tp.select_team(teams[0])  # redrawn while hidden: stays hidden
    assert not mw.layer_items("team_territory")[0].isVisible()


def test_identify_tool_shows_a_targets_attributes(window, qtbot):
    mw = window.map_widget
    t = mw.data.targets
    row = t[t["kind"] == "household"].iloc[0]
    x, y = float(row["x"]), float(row["y"])
    mw.zoom_to(x - 100, y - 100, x + 100, y + 100, pad=0)
    mw.set_tool("identify")
    assert window.panels.map_tool_actions["identify"].isChecked()
    mw.tool.click(QPointF(x, y), Qt.KeyboardModifier.NoModifier)
    dlg = window.panels.identify_dialog
    assert dlg.isVisible() and dlg.heading.text() == str(row["name"])
    fields = {dlg.table.item(r, 0).text(): dlg.table.item(r, 1).text() for r in range(dlg.table.rowCount())}
    assert fields["类型"] == "群众家庭" and fields["地址"] == str(row["address"])
    assert "****" in fields.get("电话", "****")  # phones masked
    # far from every point: the village there
    area = mw.data.areas.iloc[0]
    c = area.geometry.representative_point()
    far = mw.identify(c.x, c.y)
    assert far is not None and far["kind"] in ("target", "area")
    none = mw.identify(float(np.max(t["x"])) + 1e6, float(np.max(t["y"])) + 1e6)
    assert none is None
