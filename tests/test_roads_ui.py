"""Routes on the map follow the roads: the plan panel's lines carry the road vertices."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from test_plan_round import small_round  # noqa: E402


def test_plan_panel_draws_legs_along_the_roads(qtbot, open_window, demo_store_copy):

    from gisplanner.planning.plan import PlanConfig, plan_round

    rid = small_round(demo_store_copy, n_targets=40, teams=2)
    res = plan_round(demo_store_copy, rid, PlanConfig(time_limit=2, workers=1))
    assert res.saved
    w = open_window(demo_store_copy)
    w.select_round(rid)
    panel = w.panels.plan
    panel.reload()
    team = panel.team_combo.currentText()
    routes = [r for r in res.routes if r.team == team]
    lines = [i for i in panel.overlay if panel._kinds.get(id(i)) == "line"]  # noqa: SLF001
    assert len(lines) == len(routes)
    by_stops = sorted(len(r.stops) for r in routes)
    vertices = sorted(len(i.getData()[0]) for i in lines)
    # a straight stop-to-stop line has one vertex per stop; along the roads there are more
    assert sum(vertices) > sum(by_stops)
    # and each line passes through its stops, in the panel's route order
    mw = w.map_widget
    by_route: dict[int, list[dict]] = {}
    for row in panel._visible_rows():
        by_route.setdefault(row["route_id"], []).append(row)
    for stops, item in zip(by_route.values(), lines, strict=True):
        x, y = item.getData()
        sx, sy = mw.data.projection.forward(
            np.array([s["lon"] for s in stops]), np.array([s["lat"] for s in stops])
        )
        gap = np.hypot(np.atleast_1d(sx)[:, None] - x[None, :], np.atleast_1d(sy)[:, None] - y[None, :]).min(
            axis=1
        )
        assert gap.max() < 0.5
