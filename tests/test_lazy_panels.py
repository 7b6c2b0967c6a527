"""Start-up does not wait for what the user does not see yet: a panel tabbed behind another loads
its data only when its tab is raised; the round's panels follow once the map is drawn (issue 21)."""

from __future__ import annotations

import pytest
from conftest import raise_panel

pytest.importorskip("pytestqt")


def test_a_tabbed_problem_list_loads_when_raised(qtbot, demo_store):
    from gisplanner.ui import workers
    from gisplanner.ui.application import make_application
    from gisplanner.ui.lazy import is_pending, on_screen
    from gisplanner.ui.main_window import MainWindow

    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    rounds = []
    w.roundChanged.connect(lambda rid: rounds.append((rid, w.map_widget.data is not None)))
    with qtbot.waitSignal(w.mapLoaded, timeout=60_000):
        w.set_store(demo_store)
    panel = w.panels.problems
    qtbot.waitUntil(lambda: workers.active() == 0, timeout=60_000)
    # the map was there before any panel heard of the round
    assert rounds and all(drawn for _rid, drawn in rounds)
    assert not on_screen(panel)  # its tab is behind another
    assert is_pending(panel) and panel.model.rowCount() == 0
    raise_panel(panel)
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=60_000)
    assert not is_pending(panel)
    assert "共" in panel.count_label.text()
