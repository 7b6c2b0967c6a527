"""Panels talk to the window through one typed PanelContext: what they offer each other lives in
``window.panels``, never as attributes hung on the window."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")


def test_panels_register_in_the_context_not_on_the_window(qtbot, monkeypatch):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow
    from gisplanner.ui.panels.plan_panel import PlanPanel
    from gisplanner.ui.panels.teams_panel import TeamsPanel

    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    with monkeypatch.context() as m:  # the same window without its panels
        m.setattr(MainWindow, "_install_panels", lambda self: None)
        bare = MainWindow()
        qtbot.addWidget(bare)

    assert w.panel_errors == {}
    assert {"store", "ctx", "panels"} <= set(vars(w))
    assert set(vars(w)) == set(vars(bare))  # installing the panels added nothing to the window
    assert bare.panels.plan is None and bare.panels.teams is None
    assert isinstance(w.panels.plan, PlanPanel) and w.panels.get(PlanPanel) is w.panels.plan
    assert w.panels.get(TeamsPanel) is w.panels.teams
    assert w.panels.plan.ctx is w.ctx and w.ctx.panels is w.panels
    assert w.ctx.store is None and w.ctx.current_round_id is None  # no database open yet
