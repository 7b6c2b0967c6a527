"""The next-round dialog: preview counts per village, then create the round and make it current."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from gisplanner.campaign.targets import preview  # noqa: E402
from gisplanner.store.model import Assignment, Round  # noqa: E402

TOWN = "320412101000"


@pytest.fixture
def window(open_window, demo_store_copy):
    return open_window(demo_store_copy, front=["problems"], loaded=["problems"])


def settle(qtbot, w) -> None:
    """Let the window's background tasks end inside the test (pytest-qt closes it before fixtures end)."""
    for _ in range(3):  # a finished task may have started another
        qtbot.waitUntil(lambda: not w._tasks and not w.panels.problems.busy, timeout=30_000)
        qtbot.wait(50)


def test_preview_then_create(window, qtbot):
    window.panels.open_targets_dialog()
    dlg = window.panels.targets_dialog
    dlg.kind.setCurrentIndex(dlg.kind.findData("return"))
    dlg.area.setCurrentIndex(dlg.area.findData(TOWN))
    assert not dlg.create_button.isEnabled()
    with qtbot.waitSignal(dlg.previewed, timeout=30_000):
        qtbot.mouseClick(dlg.preview_button, Qt.MouseButton.LeftButton)
    expected = preview(window.store, "return", area_code=TOWN)
    shown = {
        dlg.table.item(r, 0).text(): int(dlg.table.item(r, 2).text()) for r in range(dlg.table.rowCount())
    }
    assert shown == expected.per_area_dict() and sum(shown.values()) == expected.total > 0
    assert f"共 {expected.total} 个对象" in dlg.total.text()
    with qtbot.waitSignal(dlg.created, timeout=30_000) as blocker:
        qtbot.mouseClick(dlg.create_button, Qt.MouseButton.LeftButton)
    made = blocker.args[0]
    qtbot.waitUntil(lambda: window.current_round_id == made.round_id, timeout=30_000)
    with window.store.session() as s:
        rnd = s.get(Round, made.round_id)
        assert rnd.kind == "return" and rnd.start_date == dt.date.today() + dt.timedelta(days=1)
        n = s.query(Assignment).filter(Assignment.round_id == rnd.id).count()
    assert n == made.targets == expected.total
    assert "回头访" in window.round_combo.currentText()
    dlg.close()
    settle(qtbot, window)
