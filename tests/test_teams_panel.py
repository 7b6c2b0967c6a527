"""The team dock: form teams, lasso targets on the map, assign them to a team, undo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import QPointF, Qt

pytest.importorskip("pytestqt")


def team_of(store, round_id, target_ids):
    rows = store.read_frame(
        f"SELECT target_id, team_id FROM assignment WHERE round_id = {int(round_id)} "
        f"AND target_id IN ({','.join(str(int(t)) for t in target_ids)})"
    )
    return {
        int(t): (None if pd.isna(team) else int(team))
        for t, team in zip(rows.target_id, rows.team_id, strict=True)
    }


def test_form_lasso_assign_and_undo(window, qtbot, monkeypatch, demo_facts):
    panel = window.panels.teams
    rid = window.current_round_id
    assert rid is not None
    # 组建队伍 from the round's cadres (runs in the background)
    panel.weight_boxes["w_leader"].setValue(1.0)  # the official's weights reach the formation
    assert panel.current_rules().w_leader == 1.0
    window.panels.teams_form_action.trigger()
    qtbot.waitUntil(lambda: panel.last_formation is not None, timeout=30_000)
    teams = panel.team_ids()
    # the report: ~10 leaders among ~80 cadres cannot lead ~40 teams, and it says so
    assert "组建" in panel.report_label.text() and "有带队干部" in panel.report_label.text()
    assert len(teams) >= 30  # ~80 cadres in pairs
    assert panel.table.rowCount() == len(teams) + 1  # + the unassigned row
    assert len(panel.unassigned_ids()) == demo_facts.planning_targets
    assert panel.overlay_count() == 0  # nothing assigned yet: no rings burying the whole map
    # teams you can read: numeric order, members' gender / age band / local, rules per team
    from gisplanner.teams.team_report import failing_teams

    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount() - 1)]
    assert names == sorted(names, key=lambda n: int(n[1:-1])) and names[1] == "第2组"
    header = [panel.table.horizontalHeaderItem(c).text() for c in range(panel.table.columnCount())]
    cell = {h: panel.table.item(0, c).text() for c, h in enumerate(header)}
    size = len(cell["性别"].split("、"))
    assert size >= 2 and set(cell["性别"].split("、")) <= {"男", "女"}
    assert len(cell["年龄段"].split("、")) == size and set(cell["本地"].split("、")) <= {"本地", "外地"}
    assert "（组长）" in cell["成员"] and int(cell["共同时段"]) > 0
    failing = failing_teams(panel.reports)
    for teams_failing in failing.values():
        rows = [r for r in range(panel.table.rowCount()) if panel.table.item(r, 0).text() in teams_failing]
        assert all("×" in panel.table.item(r, header.index("规则")).text() for r in rows)
    if "mixed_gender" in failing:  # the report names the teams that are not 男女搭配
        assert "、".join(failing["mixed_gender"]) in panel.report_label.text()

    # lasso around the middle of the town with the map's lasso tool
    mw = window.map_widget
    mw.set_tool("lasso")
    t = mw.data.targets
    cx, cy = float(np.median(t["x"])), float(np.median(t["y"]))
    r = 250.0
    ring = [QPointF(cx + r * np.cos(a), cy + r * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 24)]
    tool = mw.tool
    tool.drag(ring[0], ring[0], Qt.KeyboardModifier.NoModifier, "start")
    for p in ring[1:-1]:
        tool.drag(ring[0], p, Qt.KeyboardModifier.NoModifier, "move")
    tool.drag(ring[0], ring[-1], Qt.KeyboardModifier.NoModifier, "finish")
    selected = [int(i) for i in window.selection.ids]
    assert 5 < len(selected) < 2000
    inside = np.hypot(t.set_index("id").loc[selected, "x"] - cx, t.set_index("id").loc[selected, "y"] - cy)
    assert inside.max() <= r + 1

    # assign the selection to the second team: one undoable command
    team = teams[1]
    panel.select_team(team)
    depth = window.undo_stack.count()
    panel.assign_button.click()
    assert window.undo_stack.count() == depth + 1
    assert set(team_of(window.store, rid, selected).values()) == {team}
    row = next(w for w in panel.workloads if w.team_id == team)
    assert row.households + row.special + row.enterprises + row.notables == len(selected)
    assert row.hours > 0
    assert len(panel.unassigned_ids()) == demo_facts.planning_targets - len(selected)
    assert panel.overlay_count() == demo_facts.planning_targets - len(selected)
    assert len(panel.team_overlay.data) == len(selected)  # the chosen team's territory is drawn

    window.undo_stack.undo()
    assert set(team_of(window.store, rid, selected).values()) == {None}
    assert len(panel.unassigned_ids()) == demo_facts.planning_targets
    assert panel.overlay_count() == 0
    assert next(w for w in panel.workloads if w.team_id == team).hours == 0
    assert len(panel.team_overlay.data) == 0
    window.undo_stack.redo()
    assert set(team_of(window.store, rid, selected).values()) == {team}

    # 自动划分片区 for one village (the split scope lists the round's villages)
    names = [panel.area_combo.itemText(i) for i in range(panel.area_combo.count())]
    assert names[0] == "全部村/社区" and len(names) == 19
    panel.area_combo.setCurrentIndex(next(i for i, n in enumerate(names) if n.endswith("村")))
    code = panel.area_combo.currentData()
    monkeypatch.setattr("gisplanner.ui.panels.teams_panel.confirm_replace", lambda *_a: True)
    panel.split_button.click()
    qtbot.waitUntil(lambda: "已划分片区" in panel.report_label.text(), timeout=60_000)
    rows = window.store.read_frame(
        "SELECT a.target_id, a.team_id, ar.code FROM assignment a JOIN target t ON t.id = a.target_id "
        f"JOIN area ar ON ar.id = t.area_id WHERE a.round_id = {int(rid)}"
    )
    inside = rows[rows["code"] == code]
    assert len(inside) > 100 and inside["team_id"].notna().all()
    outside = rows[(rows["code"] != code) & rows["team_id"].notna()]
    assert set(outside["target_id"]) <= set(selected)  # elsewhere only the lasso's targets are assigned
    assert len(panel.unassigned_ids()) == rows["team_id"].isna().sum()
