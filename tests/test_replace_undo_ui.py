"""Replacing actions ask first (with counts) and are undoable: 自动划分片区 over manual work,
re-forming teams, re-planning; gisplanner.planning.snapshots puts rows back with their ids."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")


@pytest.fixture
def window(open_window, demo_store_copy):
    return open_window(demo_store_copy, lang="zh_CN")


def _teams(store, rid, n=2):
    from gisplanner.store.model import Cadre, Team, TeamMember

    with store.session() as s:
        cadres = s.query(Cadre.id).order_by(Cadre.id).limit(2 * n).all()
        teams = []
        for k in range(n):
            t = Team(round_id=rid, name=f"第{k + 1}组")
            t.members = [TeamMember(cadre_id=cadres[2 * k][0], role="leader"),
                         TeamMember(cadre_id=cadres[2 * k + 1][0])]  # fmt: skip
            s.add(t)
            teams.append(t)
        s.flush()
        return [t.id for t in teams]


def test_auto_split_asks_with_counts_and_undo_restores_manual_work(window, qtbot, monkeypatch):
    from gisplanner.planning import snapshots as snap
    from gisplanner.teams.territory import assign_targets
    from gisplanner.ui.panels import teams_panel as tp_mod

    store, rid, panel = window.store, window.current_round_id, window.panels.teams
    team_ids = _teams(store, rid)
    panel.reload()
    code = panel.area_combo.itemData(1)
    village = store.read_frame(
        "SELECT a.target_id FROM assignment a JOIN target t ON t.id = a.target_id JOIN area ar "
        f"ON ar.id = t.area_id WHERE a.round_id = {int(rid)} AND ar.code = '{code}' ORDER BY a.target_id"
    )["target_id"].tolist()
    manual = village[:50]
    assign_targets(store, rid, manual, team_ids[1])  # the official's own work on the map
    panel.reload()
    before = snap.assignment_snapshot(store, rid)
    asked = []
    monkeypatch.setattr(tp_mod, "confirm_replace", lambda _p, title, text: asked.append(text) or False)
    panel.area_combo.setCurrentIndex(1)
    panel.split_button.click()
    # declined: nothing ran, nothing changed; the question said how many would be replaced
    assert len(asked) == 1 and "50 个对象" in asked[0] and "撤销" in asked[0]
    assert snap.assignment_snapshot(store, rid) == before
    monkeypatch.setattr(tp_mod, "confirm_replace", lambda *_a: True)
    depth = window.undo_stack.count()
    panel.split_button.click()
    qtbot.waitUntil(lambda: "已划分片区" in panel.report_label.text(), timeout=60_000)
    after = snap.assignment_snapshot(store, rid)
    assert after != before and all(after[t] is not None for t in village)
    assert window.undo_stack.count() == depth + 1 and window.undo_stack.undoText() == "自动划分片区"
    window.undo_stack.undo()
    assert snap.assignment_snapshot(store, rid) == before  # the manual assignments are back
    assert len(panel.unassigned_ids()) == sum(v is None for v in before.values())
    window.undo_stack.redo()
    assert snap.assignment_snapshot(store, rid) == after


def test_reforming_teams_asks_and_undo_brings_back_the_old_teams(window, qtbot, monkeypatch):
    from gisplanner.planning import snapshots as snap
    from gisplanner.teams.territory import assign_targets
    from gisplanner.ui.panels import teams_panel as tp_mod

    store, rid, panel = window.store, window.current_round_id, window.panels.teams
    team_ids = _teams(store, rid)
    ids = sorted(snap.assignment_snapshot(store, rid))[:20]
    assign_targets(store, rid, ids, team_ids[0])
    panel.reload()
    old = snap.team_snapshot(store, rid)
    asked = []
    monkeypatch.setattr(tp_mod, "confirm_replace", lambda _p, _t, text: asked.append(text) or True)
    panel.previous_combo.setCurrentIndex(panel.previous_combo.findData("rotate"))
    panel.start_forming()
    assert "2 个队伍" in asked[0] and "20 个对象已分配" in asked[0]
    qtbot.waitUntil(lambda: panel.last_formation is not None, timeout=60_000)
    # 轮换 says which round it rotated against
    prev = panel.last_formation.previous_round_id
    text = panel.report_label.text()
    if prev is not None:
        name = store.read_frame(f"SELECT name FROM round WHERE id = {int(prev)}")["name"][0]
        assert f"轮换搭档对照的上一轮：{name}" in text
    else:
        assert "没有上一轮的队伍可轮换" in text
    assert set(panel.team_ids()).isdisjoint(team_ids) or len(panel.team_ids()) > 2
    window.undo_stack.undo()
    back = snap.team_snapshot(store, rid)
    assert back.teams == old.teams and back.members == old.members and back.assignments == old.assignments
    assert sorted(panel.team_ids()) == sorted(team_ids)
