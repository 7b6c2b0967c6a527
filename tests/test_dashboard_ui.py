"""The dashboard dock: charts show the figures, follow the map selection, and render in Chinese."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from gisplanner.reporting import dashboard as dash  # noqa: E402
from gisplanner.reporting import stats as st  # noqa: E402


def bars(plot):
    import pyqtgraph as pg

    return [i for i in plot.getPlotItem().items if isinstance(i, pg.BarGraphItem)]


def left_labels(plot) -> list[str]:
    ticks = plot.getPlotItem().getAxis("left")._tickLevels
    return [s for _, s in ticks[0]] if ticks else []


def settle(qtbot, w) -> None:
    for _ in range(3):
        qtbot.waitUntil(lambda: not w._tasks, timeout=60_000)
        qtbot.wait(50)


def test_charts_show_the_figures(qtbot, demo_store, tmp_path):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.panels.dashboard_panel import DashboardCharts

    make_application()
    charts = DashboardCharts()
    qtbot.addWidget(charts)
    charts.resize(1300, 1800)
    figs = dash.dashboard_figures(demo_store, st.Scope())
    charts.show_figures(figs)
    # cumulative: the households curve ends at the number of households visited
    curves = charts.cumulative.getPlotItem().listDataItems()
    assert [c.name() for c in curves] == ["走访群众家庭（户）", "收集问题（个）", "解决问题（个）"]
    assert curves[0].getData()[1][-1] == figs.totals["households_visited"]
    # coverage: two bars per area, areas sorted from the lowest coverage
    overall, special = bars(charts.coverage)
    expected = figs.coverage.sort_values(["coverage", "code"])
    assert left_labels(charts.coverage) == expected["name"].tolist()
    assert np.allclose(overall.opts["width"], expected["coverage"].fillna(0) * 100)
    assert np.allclose(special.opts["width"], expected["special_coverage"].fillna(0) * 100)
    charts.set_sort("按区划代码")
    assert left_labels(charts.coverage) == figs.coverage.sort_values("code")["name"].tolist()
    # overdue by unit: the worst unit on top with its count
    (od,) = bars(charts.overdue)
    assert left_labels(charts.overdue)[0] == figs.overdue["unit"].iloc[0]
    assert od.opts["width"][0] == figs.overdue["overdue"].iloc[0]
    # categories × statuses: the stacked segments add up to all problems collected
    total = sum(np.sum(b.opts["width"]) for b in bars(charts.categories))
    assert total == figs.cumulative["cum_problems_collected"].iloc[-1]
    charts.show()
    qtbot.wait(50)
    img = charts.grab().toImage()
    path = tmp_path / "dashboard.png"
    assert img.save(str(path))
    # a real picture: many distinct colours, not a blank widget
    colours = {img.pixel(x, y) for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert len(colours) > 20


def test_empty_database_shows_empty_charts(qtbot, empty_store):
    from gisplanner.ui.panels.dashboard_panel import DashboardCharts

    charts = DashboardCharts()
    qtbot.addWidget(charts)
    charts.show_figures(dash.dashboard_figures(empty_store, st.Scope()))
    assert bars(charts.coverage) == [] and bars(charts.overdue) == []


def test_panel_follows_the_map_selection(qtbot, demo_store, demo_facts):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    panel = w.panels.dashboard
    with qtbot.waitSignal(panel.refreshed, timeout=60_000) as first:
        w.set_store(demo_store)
    assert first.args[0].scope.target_ids is None
    assert first.args[0].totals["households"] == demo_facts.households
    assert f"群众家庭 {demo_facts.households} 户" in panel.headline.text()
    ids = demo_store.read_frame("SELECT id FROM target WHERE area_id = 8 ORDER BY id")["id"].tolist()
    with qtbot.waitSignal(panel.refreshed, timeout=60_000) as sel:
        w.selection.select(ids)
    figs = sel.args[0]
    assert figs.scope.target_ids == tuple(ids)
    hh = demo_store.read_frame("SELECT COUNT(*) n FROM target WHERE kind='household' AND area_id = 8")["n"][0]
    assert figs.totals["households"] == hh
    assert f"所选 {len(ids)} 个对象" in panel.headline.text()
    # choosing an area while nothing is selected: the area's figures
    with qtbot.waitSignal(panel.refreshed, timeout=60_000):
        w.selection.clear()
    with qtbot.waitSignal(panel.refreshed, timeout=60_000) as town:
        panel.scope_bar.set_area("320412101201")
    assert town.args[0].scope.area_code == "320412101201"
    assert town.args[0].totals["households"] == hh
    # a closed dock does not compute; it catches up when opened again
    dock = panel.parentWidget()
    dock.hide()
    panel.scope_bar.set_area(None)
    qtbot.wait(600)
    assert not panel._running and panel._stale
    with qtbot.waitSignal(panel.refreshed, timeout=60_000) as back:
        dock.show()
    assert back.args[0].scope.area_code is None
    settle(qtbot, w)
