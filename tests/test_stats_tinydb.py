"""A tiny hand-built database with known numbers, and the stats figures checked against them.

Layout: 常州市 > 武进区 > 甲镇 (村一, 村二) and 乙镇 (村三).
村一: h1 (独居老人), h2, h3 (残疾), enterprise e1;  村二: h4, h5 (困难家庭), notable n1;  村三: h6.
Other test files import ``build_tiny`` from here.
"""

from __future__ import annotations

import datetime as dt

import pytest
import stats_oracle as oracle

from gisplanner.reporting import dashboard as dash
from gisplanner.reporting import stats as st
from gisplanner.store.model import (
    Area,
    Enterprise,
    Household,
    NotablePerson,
    Problem,
    Round,
    Team,
    Unit,
    Visit,
    VisitSession,
)

D = dt.datetime
OCT = st.Scope(date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31))
TODAY = dt.date(2026, 11, 25)


def build_tiny(store) -> dict:
    """Fill an empty store; returns the ids by name (h1…h6, e1, n1, units, teams, areas)."""
    ids = {}
    with store.session() as s:
        city = Area(code="320400000000", name="常州市", level="city")
        dist = Area(code="320412000000", name="武进区", level="district", parent=city)
        t1 = Area(code="320412101000", name="甲镇", level="town", parent=dist)
        t2 = Area(code="320412102000", name="乙镇", level="town", parent=dist)
        v1 = Area(code="320412101201", name="村一", level="village", parent=t1)
        v2 = Area(code="320412101202", name="村二", level="village", parent=t1)
        v3 = Area(code="320412102201", name="村三", level="village", parent=t2)
        s.add_all([city, dist, t1, t2, v1, v2, v3])
        s.flush()

        def hh(name, area, **tags):
            return Household(name=name, lon=120.0, lat=31.5, area_id=area.id, **tags)

        targets = {
            "h1": hh("一号", v1, elderly_alone=True),
            "h2": hh("二号", v1),
            "h3": hh("三号", v1, disabled=True),
            "h4": hh("四号", v2),
            "h5": hh("五号", v2, hardship=True),
            "h6": hh("六号", v3),
            "e1": Enterprise(name="某公司", lon=120.0, lat=31.5, area_id=v1.id),
            "n1": NotablePerson(name="某名士", lon=120.0, lat=31.5, area_id=v2.id),
        }
        s.add_all(targets.values())
        u1 = Unit(name="镇城建办", level="town")
        u2 = Unit(name="区交通运输局", level="district")
        s.add_all([u1, u2])
        r = Round(name="十月走访", kind="regular", status="closed", scope_area_id=city.id,
                  start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 10, 31))  # fmt: skip
        s.add(r)
        s.flush()
        s.add_all(
            [
                VisitSession(
                    round_id=r.id, label="周末上午", start=D(2026, 10, 3, 9), end=D(2026, 10, 3, 11, 30)
                ),
                VisitSession(
                    round_id=r.id, label="工作日晚上", start=D(2026, 10, 4, 19), end=D(2026, 10, 4, 21)
                ),
            ]
        )
        ta = Team(round_id=r.id, name="第一组")
        tb = Team(round_id=r.id, name="第二组")
        s.add_all([ta, tb])
        s.flush()
        t = {k: v.id for k, v in targets.items()}

        def visit(k, when, outcome, team):
            s.add(Visit(round_id=r.id, target_id=t[k], team_id=team.id, visited_at=when, outcome=outcome))

        visit("h1", D(2026, 10, 3, 10), "met", ta)  # session 1
        visit("h2", D(2026, 10, 3, 10, 30), "not_home", ta)  # session 1
        visit("h2", D(2026, 10, 10, 20), "met", tb)
        visit("h3", D(2026, 10, 4, 19, 30), "refused", tb)  # session 2
        visit("h4", D(2026, 10, 4, 20), "phone", tb)  # session 2
        visit("h4", D(2026, 10, 20, 15), "met", ta)
        visit("e1", D(2026, 10, 5, 10), "met", ta)
        visit("n1", D(2026, 10, 6, 10), "met", ta)
        visit("h6", D(2026, 11, 5, 10), "met", tb)  # after October

        def problem(k, cat, created, status, *, closed=None, deadline=None, unit=None, on_spot=False):
            s.add(
                Problem(
                    target_id=t[k],
                    round_id=r.id,
                    category=cat,
                    description="…",
                    status=status,
                    created_at=created,
                    closed_at=closed,
                    deadline=deadline,
                    unit_id=unit.id if unit else None,
                    solved_on_spot=on_spot,
                )  # fmt: skip
            )

        problem("h1", "transport", D(2026, 10, 3, 10), "resolved", closed=D(2026, 10, 5, 10),
                deadline=dt.date(2026, 10, 10), unit=u1)  # fmt: skip
        problem("h1", "environment", D(2026, 10, 3, 10), "resolved", closed=D(2026, 10, 3, 12), on_spot=True)
        problem("h2", "housing", D(2026, 10, 10, 20), "in_progress", deadline=dt.date(2026, 10, 15), unit=u1)
        problem("h4", "housing", D(2026, 10, 20, 15), "explained", closed=D(2026, 10, 25, 9),
                deadline=dt.date(2026, 10, 22))  # fmt: skip
        problem("e1", "transport", D(2026, 10, 5, 10), "resolved", closed=D(2026, 11, 2, 10),
                deadline=dt.date(2026, 10, 12), unit=u2)  # fmt: skip
        problem("n1", "other", D(2026, 10, 6, 10), "open")
        problem("h6", "health", D(2026, 11, 5, 10), "assigned", deadline=dt.date(2026, 11, 8), unit=u2)
        s.flush()
        ids.update(t)
        ids.update(u1=u1.id, u2=u2.id, ta=ta.id, tb=tb.id, round=r.id)
        ids.update(v1=v1.id, v2=v2.id, v3=v3.id, t1=t1.id, t2=t2.id)
    return ids


@pytest.fixture
def tiny(empty_store):
    ids = build_tiny(empty_store)
    return empty_store, ids


def figures(store, scope, *fns):
    return st.run_figures(store, scope, fns)


def test_households_visited_count_met_or_phone_once_per_household(tiny):
    store, _ = tiny
    (tot,) = figures(store, OCT, oracle.household_totals)
    # h1 met, h2 met on the second try, h4 phone then met (once); h3 refused, h5 never, h6 in November
    assert tot == {"households": 6, "special_households": 3, "households_visited": 3, "special_visited": 1}
    (all_time,) = figures(store, st.Scope(), oracle.household_totals)
    assert all_time["households_visited"] == 4


def test_cumulative_curves_step_on_first_visits_and_problem_days(tiny):
    store, _ = tiny
    (cum,) = figures(store, OCT, oracle.cumulative_progress)
    by_day = cum.set_index("day")
    assert by_day.loc[dt.date(2026, 10, 3), "households_visited"] == 1  # h1
    assert by_day.loc[dt.date(2026, 10, 4), "households_visited"] == 1  # h4 by phone
    assert by_day.loc[dt.date(2026, 10, 10), "households_visited"] == 1  # h2
    assert by_day.loc[dt.date(2026, 10, 20), "households_visited"] == 0  # h4 again: not new
    last = cum.iloc[-1]
    assert (last["cum_households_visited"], last["cum_problems_collected"], last["cum_problems_solved"]) == (
        3,
        6,
        2,
    )
    assert list(cum["cum_problems_collected"]) == sorted(cum["cum_problems_collected"])


def test_solved_means_resolved_by_the_end_of_the_range(tiny):
    store, _ = tiny
    (k,) = figures(store, OCT, st.kind_totals)
    assert k.loc["household"].to_dict() == {
        "targets": 6, "visited": 3, "problems": 4, "solved": 2, "solved_on_spot": 1,
        "explained": 1, "rectification": 0, "open": 1,
    }  # fmt: skip
    # the enterprise's problem was resolved on 2 November: open at the end of October
    assert k.loc["enterprise", "solved"] == 0 and k.loc["enterprise", "open"] == 1
    (k_all,) = figures(store, st.Scope(as_of=TODAY), st.kind_totals)
    assert k_all.loc["enterprise", "solved"] == 1


def test_overdue_is_judged_on_the_day(tiny):
    store, ids = tiny
    (od,) = figures(store, OCT, oracle.overdue_by_unit)
    assert dict(zip(od["unit"], od["overdue"], strict=True)) == {"镇城建办": 1, "区交通运输局": 1}
    (od_now,) = figures(store, st.Scope(as_of=TODAY), oracle.overdue_by_unit)
    # on 25 November: h2's housing problem and h6's health problem; e1's was closed on 2 November
    assert dict(zip(od_now["unit"], od_now["overdue"], strict=True)) == {"镇城建办": 1, "区交通运输局": 1}
    (od_town2,) = figures(store, st.Scope(area_code="320412102000", as_of=TODAY), oracle.overdue_by_unit)
    assert od_town2.to_dict("records") == [{"unit": "区交通运输局", "level": "district", "overdue": 1}]


def test_visits_per_team_and_session(tiny):
    store, _ = tiny
    teams, sessions = figures(store, OCT, oracle.visits_by_team, oracle.visits_by_session)
    assert {r.team: (r.visits, r.visited) for r in teams.itertuples()} == {"第一组": (5, 4), "第二组": (3, 2)}
    assert list(zip(sessions["label"], sessions["visits"], strict=True)) == [
        ("周末上午", 2), ("工作日晚上", 2), (st.OUTSIDE_SESSIONS, 4)
    ]  # fmt: skip
    (village2,) = figures(store, st.Scope(area_code="320412101202"), oracle.visits_by_session)
    assert list(zip(village2["label"], village2["visits"], strict=True)) == [
        ("工作日晚上", 1), (st.OUTSIDE_SESSIONS, 2)
    ]  # fmt: skip


def test_categories_statuses_and_resolution_times(tiny):
    store, _ = tiny
    table, times = figures(store, OCT, oracle.problems_by_category_status, oracle.resolution_times)
    assert table.loc["住房与基础设施", "办理中"] == 1 and table.loc["住房与基础设施", "已解释说明"] == 1
    assert table.loc["交通出行", "已解决"] == 2  # both transport problems are resolved today …
    assert int(table.to_numpy().sum()) == 6
    med = st.resolution_medians(times).set_index("category")["median_days"].to_dict()
    assert med == {"交通出行": 2.0, "环境卫生": 2 / 24}  # … but only h1's counts as solved in October
    hist = st.resolution_histogram(times).set_index("label")["count"].to_dict()
    assert hist["≤1天"] == 1 and hist["1–3天"] == 1 and sum(hist.values()) == 2


def test_a_map_selection_scopes_every_figure(tiny):
    store, ids = tiny
    sel = st.Scope(target_ids=(ids["h1"], ids["h4"], ids["e1"]), date_from=OCT.date_from, date_to=OCT.date_to)
    tot, teams, k = figures(store, sel, oracle.household_totals, oracle.visits_by_team, st.kind_totals)
    assert tot["households"] == 2 and tot["households_visited"] == 2
    assert teams["visits"].sum() == 4  # h1, h4 twice, e1
    assert k["problems"].sum() == 4  # h1 ×2, h4, e1


def test_unknown_area_code_is_named(tiny):
    store, _ = tiny
    with pytest.raises(ValueError, match="找不到行政区划代码 999"):
        figures(store, st.Scope(area_code="999"), oracle.household_totals)


def test_compared_areas_skip_single_child_levels(tiny):
    store, ids = tiny
    tree = st.AreaTree.load(store)
    assert tree.compared_areas(None) == [ids["t1"], ids["t2"]]  # city → one district → its towns
    assert tree.compared_areas(ids["t1"]) == [ids["v1"], ids["v2"]]
    assert tree.compared_areas(ids["v1"]) == [ids["v1"]]


@pytest.mark.parametrize(
    "scope",
    [
        OCT,
        st.Scope(as_of=TODAY),
        st.Scope(area_code="320412101202", date_from=dt.date(2026, 10, 4), date_to=dt.date(2026, 10, 4)),
    ],
    ids=["october", "all", "village-one-day"],
)
def test_dashboard_fast_path_equals_the_sql_figures(tiny, scope):
    from gisplanner.reporting.supervision import coverage_rows

    store, ids = tiny
    for sc in (
        scope,
        st.Scope(
            target_ids=(ids["h2"], ids["h4"], ids["n1"]), date_from=scope.date_from, date_to=scope.date_to
        ),
    ):
        figs = dash.dashboard_figures(store, sc)
        tot, cum, teams, sessions, cats, res, od = figures(
            store, sc, oracle.household_totals, oracle.cumulative_progress, oracle.visits_by_team, oracle.visits_by_session,
            oracle.problems_by_category_status, oracle.resolution_times, oracle.overdue_by_unit,
        )  # fmt: skip
        assert figs.by_category_status.equals(cats)
        assert figs.resolution.equals(res)
        assert figs.overdue.equals(od)
        assert figs.totals == tot
        assert figs.cumulative.equals(cum)
        assert figs.teams.equals(teams)
        assert figs.sessions.equals(sessions)
        assert figs.coverage.equals(coverage_rows(store, sc))
