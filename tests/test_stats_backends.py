"""The same known numbers on SQLite and PostgreSQL (the hand-built database of test_stats_tinydb)."""

from __future__ import annotations

import datetime as dt

import pytest
import stats_oracle as oracle
from test_stats_tinydb import OCT, TODAY, build_tiny

from gisplanner.reporting import dashboard as dash
from gisplanner.reporting import stats as st
from gisplanner.reporting import supervision as sv
from gisplanner.reporting.printouts import summary as sm


def test_figures_summary_and_supervision_on_both_backends(backend_store):
    store = backend_store
    ids = build_tiny(store)
    figs = dash.dashboard_figures(store, OCT)
    assert figs.totals == {
        "households": 6,
        "special_households": 3,
        "households_visited": 3,
        "special_visited": 1,
    }
    last = figs.cumulative.iloc[-1]
    assert (last["cum_households_visited"], last["cum_problems_collected"], last["cum_problems_solved"]) == (
        3,
        6,
        2,
    )
    assert {r.team: (r.visits, r.visited) for r in figs.teams.itertuples()} == {
        "第一组": (5, 4),
        "第二组": (3, 2),
    }
    assert list(zip(figs.sessions["label"], figs.sessions["visits"], strict=True)) == [
        ("周末上午", 2), ("工作日晚上", 2), (st.OUTSIDE_SESSIONS, 4)
    ]  # fmt: skip
    assert dict(zip(figs.overdue["unit"], figs.overdue["overdue"], strict=True)) == {
        "镇城建办": 1,
        "区交通运输局": 1,
    }
    med = figs.resolution_median.set_index("category")["median_days"].to_dict()
    assert med == pytest.approx({"交通出行": 2.0, "环境卫生": 2 / 24})
    assert sorted(figs.coverage["name"]) == ["乙镇", "甲镇"]
    # the SQL figures agree with the dashboard's arrays on this backend too
    tot, teams, cats, res = st.run_figures(
        store,
        OCT,
        [
            oracle.household_totals,
            oracle.visits_by_team,
            oracle.problems_by_category_status,
            oracle.resolution_times,
        ],
    )
    assert tot == figs.totals and teams.equals(figs.teams)
    assert cats.equals(figs.by_category_status) and res.equals(figs.resolution)
    sel = st.Scope(target_ids=(ids["h1"], ids["h4"]), date_from=OCT.date_from, date_to=OCT.date_to)
    assert dash.dashboard_figures(store, sel).totals["households_visited"] == 2
    r = sm.build_summary(store, "320412101000", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert (
        "甲镇累计走访群众家庭3户，收集梳理各类问题4个，帮助解决具体问题2个（其中当场解决1个）" in r.paragraph
    )
    df = sv.compare_areas(store, st.Scope(area_code="320412101000", date_from=OCT.date_from, date_to=OCT.date_to),
                          thresholds=sv.Thresholds()).set_index("name")  # fmt: skip
    assert (df.loc["村一", "covered"], df.loc["村一", "problems"], df.loc["村一", "days_since_visit"]) == (
        2,
        4,
        21,
    )
    units = sv.compare_units(store, st.Scope(as_of=TODAY), thresholds=sv.Thresholds()).set_index("unit")
    assert units.loc["区交通运输局", "solved"] == 1
