"""The problems panel: filters, overdue highlighted, buttons through the workflow, history, conflicts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from gisplanner.campaign import problems as pw  # noqa: E402
from gisplanner.store.model import Problem  # noqa: E402

TODAY = dt.date(2026, 11, 25)


@pytest.fixture
def window(open_window, demo_store_copy):
    def today(w):
        w.panels.problems.today = TODAY

    return open_window(demo_store_copy, before=today, front=["problems"], loaded=["problems"])


def settle(qtbot, w) -> None:
    """Let the window's background tasks end inside the test (pytest-qt closes it before fixtures end)."""
    for _ in range(3):  # a finished task may have started another
        qtbot.waitUntil(lambda: not w._tasks and not w.panels.problems.busy, timeout=30_000)
        qtbot.wait(50)


def test_overdue_list_history_and_workflow_buttons(window, qtbot, monkeypatch):
    panel = window.panels.problems
    with window.store.session() as s:
        expected = {o.id for o in pw.overdue(s, TODAY)}
    assert expected
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("overdue"))
    shown = set(panel.model.frame["id"].astype(int))
    assert shown == expected
    idx = panel.model.index(0, 0)
    assert panel.model.data(idx, Qt.ItemDataRole.BackgroundRole) is not None
    panel.table.selectRow(0)
    pid = int(panel.current_row()["id"])
    with window.store.session() as s:
        n_events = len(pw.history(s, pid))
    assert panel.events.rowCount() == n_events
    assert panel.events.item(0, 2).text() == "登记"
    # the workflow buttons (same window: building one costs seconds)
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("assigned"))
    panel.table.selectRow(0)
    row = panel.current_row()
    pid = int(row["id"])
    assert panel.buttons["签收办理"].isEnabled() and not panel.buttons["已解决"].isEnabled()
    with qtbot.waitSignal(panel.loaded, timeout=30_000):
        qtbot.mouseClick(panel.buttons["签收办理"], Qt.MouseButton.LeftButton)
    with window.store.session() as s:
        p = s.get(Problem, pid)
        assert p.status == "in_progress"
        assert pw.history(s, pid)[-1].to_status == "in_progress"
    # the row left the "assigned" filter; find it under "all"
    panel.status_filter.setCurrentIndex(panel.status_filter.findData(None))
    assert panel.select_problem(pid)
    assert panel.buttons["已解决"].isEnabled()
    # someone else resolves it meanwhile: our click is refused with a message naming the change
    with window.store.session() as s:
        pw.change_status(s, pid, "resolved", actor="张伟")
    from gisplanner.ui.conflict_dialog import ConflictDialog

    shown = []

    def take_theirs(dlg):  # the conflict dialog: who saved, what; the user takes their version
        shown.append(dlg.text())
        dlg.take_button.click()

    monkeypatch.setattr(ConflictDialog, "exec", take_theirs)
    with qtbot.waitSignal(panel.loaded, timeout=30_000):
        qtbot.mouseClick(panel.buttons["已解决"], Qt.MouseButton.LeftButton)
    assert shown and "张伟" in shown[0] and "状态 | 办理中 | 已解决" in shown[0]
    with window.store.session() as s:
        assert [e.actor for e in pw.history(s, pid)][-1] == "张伟"
        assert s.scalar(select(Problem.status).where(Problem.id == pid)) == "resolved"
    settle(qtbot, window)


def test_problem_dialog_registers_and_delegates(qtbot, demo_store_copy):
    from gisplanner.ui.dialogs.problem_dialog import ProblemDialog

    with demo_store_copy.session() as s:
        tid = s.scalar(select(Problem.target_id).limit(1))
    dlg = ProblemDialog(demo_store_copy, actor="李敏", target_id=tid)
    qtbot.addWidget(dlg)
    dlg.category.setCurrentIndex(dlg.category.findData("transport"))
    dlg.handling.setCurrentIndex(dlg.handling.findData("delegate"))
    assert dlg.unit.count() > 0 and all(
        "区" in dlg.unit.itemText(i) or "市" in dlg.unit.itemText(i) for i in range(dlg.unit.count())
    )
    dlg.save()  # no description yet: refused in place
    assert "问题描述不能为空" in dlg.error.text() and dlg.result_id is None
    dlg.description.setPlainText("村里到镇上没有公交")
    dlg.save()
    assert dlg.result_id is not None
    with demo_store_copy.session() as s:
        p = s.get(Problem, dlg.result_id)
        assert (p.category, p.status, p.handling, p.level) == (
            "transport",
            "assigned",
            "delegate",
            p.unit.level,
        )
        assert p.unit.level in ("district", "city")
        assert [e.action for e in pw.history(s, p.id)] == ["create", "assign"]


def test_deadline_rules_dialog_saves_to_the_database(qtbot, empty_store):
    from gisplanner.ui.dialogs.problem_dialog import DeadlineRulesDialog

    dlg = DeadlineRulesDialog(empty_store)
    qtbot.addWidget(dlg)
    assert dlg.spins["public_safety"].text() == "即时办理"
    dlg.spins["transport"].setValue(10)
    dlg.holidays.setPlainText("2027-01-01\n明天")
    dlg.save()
    assert "第 2 行" in dlg.error.text()
    with empty_store.session() as s:
        assert pw.DeadlineRules.load(s).days_for("transport") == 15  # nothing saved
    dlg.holidays.setPlainText("2027-01-01")
    dlg.save()
    with empty_store.session() as s:
        rules = pw.DeadlineRules.load(s)
    assert rules.days_for("transport") == 10 and dt.date(2027, 1, 1) in rules.calendar.holidays
    assert rules.deadline("public_safety", dt.date(2027, 1, 1)) == dt.date(2027, 1, 4)  # Fri holiday -> Mon
