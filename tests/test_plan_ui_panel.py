"""The 规划路线 action plans in the background and shows the plan in the table and on the map."""

from __future__ import annotations

import pytest

pytest.importorskip("pytestqt")

from test_plan_round import small_round  # noqa: E402


@pytest.fixture
def window(open_window, demo_store_copy):
    rid = small_round(demo_store_copy, n_targets=40, teams=2)
    w = open_window(demo_store_copy)
    w.select_round(rid)
    assert w.current_round_id == rid
    return w


def test_menu_action_plans_and_shows_table_and_numbered_stops(window, qtbot):
    panel = window.panels.plan
    assert "plan_panel" not in window.panel_errors
    assert panel.table.rowCount() == 0
    panel.time_limit.setValue(2)
    window.panels.plan_action.trigger()
    # the plan, then its table and lines, read off the UI thread
    qtbot.waitUntil(lambda: panel.last_result is not None and not panel.loading, timeout=60_000)
    res = panel.last_result
    assert res.saved and res.violations == []
    # one team shown: its stops in the table, numbered 1.. per route on the map
    team = panel.team_combo.currentText()
    team_stops = [s for r in res.routes if r.team == team for s in r.stops]
    assert panel.table.rowCount() == len(team_stops) > 0
    assert panel.table.item(0, 2).text() == "1"
    counts = panel.overlay_counts()
    assert counts["lines"] == counts["office_legs"] == len([r for r in res.routes if r.team == team])
    assert sorted(counts["labels"], key=int) == sorted((str(s.seq) for s in team_stops), key=int)
    assert "已排" in panel.summary.text()
    # all teams: every stop in the table, lines only
    panel.team_combo.setCurrentIndex(0)
    assert panel.table.rowCount() == res.scheduled
    assert panel.overlay_counts()["labels"] == []
    # replacing a plan is undoable: undo puts back the (empty) plan before, redo the new one
    from gisplanner.planning import snapshots as snap

    planned = snap.plan_snapshot(window.store, res.round_id)
    assert window.undo_stack.undoText() == "规划路线" and planned.routes
    window.undo_stack.undo()
    assert snap.plan_snapshot(window.store, res.round_id).routes == []
    window.undo_stack.redo()
    assert snap.plan_snapshot(window.store, res.round_id) == planned


def test_round_without_teams_reports_instead_of_crashing(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    # the demo's next round (冬季) has no teams yet
    combo = window.round_combo
    demo_next = next(combo.itemData(i) for i in range(combo.count()) if "冬季" in combo.itemText(i))
    window.select_round(demo_next)
    window.panels.plan_action.trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert "组队" in shown[0]


def test_capacity_bars_before_planning(window, qtbot):
    """Before anyone presses 规划: one bar per team, work against session time, computed off the UI thread."""
    panel = window.panels.plan
    qtbot.waitUntil(lambda: panel.capacity is not None, timeout=60_000)
    cap = panel.capacity
    assert cap.round_id == window.current_round_id
    bars = panel.capacity_bars.bar_lengths()
    assert [b[0] for b in bars] == [t.name for t in cap.teams if t.targets] and len(bars) == 2
    for (_, work, avail, fits), t in zip(bars, [t for t in cap.teams if t.targets], strict=True):
        assert 0 < work <= 1 and 0 < avail <= 1
        assert fits == t.fits
        assert work / avail == pytest.approx(t.workload_minutes / t.available_minutes)
    assert "容量测算" in panel.capacity_label.text() and "小时" in panel.capacity_label.text()
    assert panel.table.rowCount() == 0  # nothing planned yet
    panel.capacity_area.grab()  # paints without error


def test_replanning_over_printed_sheets_asks_first(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox
    from sqlalchemy import select

    from gisplanner.store.model import PrintLog, Round

    panel = window.panels.plan
    panel.time_limit.setValue(2)
    panel.start_planning()
    qtbot.waitUntil(lambda: panel.last_result is not None, timeout=60_000)
    first = panel.last_result
    with window.store.session() as s:
        name = s.scalar(select(Round.name).where(Round.id == window.current_round_id))
        s.add(PrintLog(user="测试", what=f"走访路线单（{name}，{len(first.routes)} 份）", pages=2))
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No
    )
    panel.start_planning()
    assert asked and "打印" in asked[0]
    assert panel.last_result is first and panel.plan_button.isEnabled()  # nothing re-planned


def test_stored_plan_is_read_off_the_ui_thread_and_stale_reads_are_dropped(window, qtbot, monkeypatch):
    """A data change reads the plan and its road lines in a worker; of two reads in flight
    only the newer one is shown."""
    import threading

    from gisplanner.planning.plan import PlanConfig, plan_round
    from gisplanner.ui.panels import plan_panel as pp

    panel = window.panels.plan
    rid = window.current_round_id
    assert plan_round(window.store, rid, PlanConfig(time_limit=2, workers=1)).saved
    threads, read = [], pp._read_plan  # noqa: SLF001
    monkeypatch.setattr(
        pp, "_read_plan", lambda *a, **k: threads.append(threading.current_thread()) or read(*a, **k)
    )
    window.dataChanged.emit()
    assert panel.loading and panel.table.rowCount() == 0  # nothing read on the UI thread yet
    qtbot.waitUntil(lambda: not panel.loading, timeout=60_000)
    assert threads and threads[-1] is not threading.main_thread()
    assert panel.rows and panel.paths and panel.table.rowCount() > 0
    shown = list(panel.rows)

    # an older read answering after a newer one was asked for changes nothing
    stale = {"rid": rid, "rows": [], "paths": {}}
    panel._show_plan(stale, panel._plan_generation - 1)  # noqa: SLF001
    assert panel.rows == shown and panel.table.rowCount() > 0
