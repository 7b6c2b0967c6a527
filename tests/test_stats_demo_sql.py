"""Every dashboard figure on the demo town equals a direct SQL count on the same database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics

import pytest
import stats_oracle as oracle

from gisplanner.progress import Cancelled
from gisplanner.reporting import dashboard as dash
from gisplanner.reporting import stats as st

TOWN = "320412101000"
VILLAGE = "320412101201"
SCOPES = {
    "all": st.Scope(as_of=dt.date(2026, 11, 25)),
    "town-october": st.Scope(area_code=TOWN, date_from=dt.date(2026, 10, 15), date_to=dt.date(2026, 10, 31)),
    "village": st.Scope(area_code=VILLAGE, as_of=dt.date(2026, 11, 1)),
}


@pytest.fixture(scope="module")
def sql(demo_db_path):
    con = sqlite3.connect(demo_db_path)
    yield con
    con.close()


def area_filter(con, scope: st.Scope, alias: str = "t") -> str:
    if not scope.area_code:
        return "1=1"
    (aid,) = con.execute("SELECT id FROM area WHERE code = ?", (scope.area_code,)).fetchone()
    ids = {aid}
    while True:
        more = {
            r[0] for r in con.execute(f"SELECT id FROM area WHERE parent_id IN ({','.join(map(str, ids))})")
        }
        if more <= ids:
            break
        ids |= more
    return f"{alias}.area_id IN ({','.join(map(str, sorted(ids)))})"


def time_filter(col: str, scope: st.Scope) -> str:
    out = []
    if scope.date_from:
        out.append(f"{col} >= '{scope.date_from.isoformat()}'")
    if scope.date_to:
        out.append(f"{col} < '{(scope.date_to + dt.timedelta(days=1)).isoformat()}'")
    return " AND ".join(out) or "1=1"


def end_of(scope: st.Scope) -> str:
    return (scope.date_to + dt.timedelta(days=1)).isoformat() if scope.date_to else "9999-12-31"


@pytest.mark.parametrize("name", list(SCOPES))
def test_households_and_cumulative_curves(demo_store, sql, name):
    scope = SCOPES[name]
    tot, cum = st.run_figures(demo_store, scope, [oracle.household_totals, oracle.cumulative_progress])
    af, tf = area_filter(sql, scope), time_filter("v.visited_at", scope)
    visited = sql.execute(
        "SELECT COUNT(DISTINCT v.target_id) FROM visit v JOIN target t ON t.id = v.target_id "
        f"WHERE t.kind = 'household' AND v.outcome IN ('met','phone') AND {af} AND {tf}"
    ).fetchone()[0]
    special_visited = sql.execute(
        "SELECT COUNT(DISTINCT v.target_id) FROM visit v JOIN target t ON t.id = v.target_id "
        "WHERE t.kind = 'household' AND (t.elderly_alone OR t.disabled OR t.hardship) "
        f"AND v.outcome IN ('met','phone') AND {af} AND {tf}"
    ).fetchone()[0]
    households, special = sql.execute(
        f"SELECT COUNT(*), SUM(elderly_alone OR disabled OR hardship) FROM target t WHERE kind='household' AND {af}"
    ).fetchone()
    assert tot == {
        "households": households, "special_households": special,
        "households_visited": visited, "special_visited": special_visited,
    }  # fmt: skip
    assert visited > 0
    collected = sql.execute(
        f"SELECT COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id WHERE {af} AND "
        + time_filter("p.created_at", scope)
    ).fetchone()[0]
    solved = sql.execute(
        f"SELECT COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id WHERE {af} AND "
        + time_filter("p.created_at", scope)
        + f" AND p.status = 'resolved' AND (p.closed_at IS NULL OR p.closed_at < '{end_of(scope)}')"
    ).fetchone()[0]
    last = cum.iloc[-1]
    assert (last["cum_households_visited"], last["cum_problems_collected"], last["cum_problems_solved"]) == (
        visited, collected, solved,
    )  # fmt: skip
    # one day in the middle: households whose first met/phone visit in the range was that day
    day = cum["day"].iloc[len(cum) // 2]
    first_that_day = sql.execute(
        "SELECT COUNT(*) FROM (SELECT v.target_id, MIN(v.visited_at) f FROM visit v JOIN target t ON t.id = v.target_id "
        f"WHERE t.kind='household' AND v.outcome IN ('met','phone') AND {af} AND {tf} GROUP BY v.target_id) "
        f"WHERE date(f) = '{day.isoformat()}'"
    ).fetchone()[0]
    assert cum.set_index("day").loc[day, "households_visited"] == first_that_day


@pytest.mark.parametrize("name", list(SCOPES))
def test_problems_by_category_and_status(demo_store, sql, name):
    scope = SCOPES[name]
    (table,) = st.run_figures(demo_store, scope, [oracle.problems_by_category_status])
    rows = sql.execute(
        "SELECT p.category, p.status, COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id "
        f"WHERE {area_filter(sql, scope)} AND {time_filter('p.created_at', scope)} GROUP BY 1, 2"
    ).fetchall()
    from gisplanner.store.model import PROBLEM_CATEGORIES, PROBLEM_STATUS_ZH

    assert rows
    for cat, status, n in rows:
        assert table.loc[PROBLEM_CATEGORIES[cat], PROBLEM_STATUS_ZH[status]] == n
    assert int(table.to_numpy().sum()) == sum(r[2] for r in rows)


@pytest.mark.parametrize("name", list(SCOPES))
def test_resolution_medians_per_category(demo_store, sql, name):
    scope = SCOPES[name]
    (times,) = st.run_figures(demo_store, scope, [oracle.resolution_times])
    med = st.resolution_medians(times).set_index("category")
    rows = sql.execute(
        "SELECT p.category, ROUND((julianday(p.closed_at) - julianday(p.created_at)) * 24) "
        "FROM problem p JOIN target t ON t.id = p.target_id "
        f"WHERE {area_filter(sql, scope)} AND {time_filter('p.created_at', scope)} AND p.status = 'resolved' "
        f"AND p.closed_at IS NOT NULL AND p.closed_at < '{end_of(scope)}'"
    ).fetchall()
    from gisplanner.store.model import PROBLEM_CATEGORIES

    by_cat: dict[str, list[float]] = {}
    for c, h in rows:
        by_cat.setdefault(PROBLEM_CATEGORIES[c], []).append(h)
    assert by_cat
    for cat, hours in by_cat.items():
        assert med.loc[cat, "count"] == len(hours)
        assert med.loc[cat, "median_days"] == pytest.approx(statistics.median(hours) / 24)


@pytest.mark.parametrize("name", list(SCOPES))
def test_overdue_by_unit(demo_store, sql, name):
    scope = SCOPES[name]
    (od,) = st.run_figures(demo_store, scope, [oracle.overdue_by_unit])
    day = scope.overdue_day
    nxt = (day + dt.timedelta(days=1)).isoformat()
    rows = sql.execute(
        "SELECT COALESCE(u.name, ?), COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id "
        "LEFT JOIN unit u ON u.id = p.unit_id "
        f"WHERE {area_filter(sql, scope)} AND p.deadline IS NOT NULL AND p.deadline < ? AND p.created_at < ? "
        "AND NOT (p.status IN ('resolved','explained','rectification') AND (p.closed_at IS NULL OR p.closed_at < ?)) "
        "GROUP BY u.id",
        (st.NO_UNIT, day.isoformat(), nxt, nxt),
    ).fetchall()
    assert rows
    assert dict(zip(od["unit"], od["overdue"], strict=True)) == dict(rows)


@pytest.mark.parametrize("name", list(SCOPES))
def test_visits_per_team_and_session(demo_store, sql, name):
    scope = SCOPES[name]
    teams, sessions = st.run_figures(demo_store, scope, [oracle.visits_by_team, oracle.visits_by_session])
    af, tf = area_filter(sql, scope), time_filter("v.visited_at", scope)
    rows = sql.execute(
        "SELECT tm.name, COUNT(*), SUM(v.outcome IN ('met','phone')) FROM visit v JOIN target t ON t.id = v.target_id "
        f"LEFT JOIN team tm ON tm.id = v.team_id WHERE {af} AND {tf} GROUP BY v.team_id"
    ).fetchall()
    assert {r.team: (r.visits, r.visited) for r in teams.itertuples()} == {n: (c, k) for n, c, k in rows}
    per_session = sql.execute(
        "SELECT s.id, (SELECT COUNT(*) FROM visit v JOIN target t ON t.id = v.target_id "
        f"WHERE v.round_id = s.round_id AND v.visited_at >= s.start AND v.visited_at <= s.end AND {af} AND {tf}) "
        "FROM visit_session s"
    ).fetchall()
    outside = sql.execute(
        f"SELECT COUNT(*) FROM visit v JOIN target t ON t.id = v.target_id WHERE {af} AND {tf} AND NOT EXISTS "
        "(SELECT 1 FROM visit_session s WHERE s.round_id = v.round_id AND v.visited_at >= s.start AND v.visited_at <= s.end)"
    ).fetchone()[0]
    got = dict(zip(sessions["session_id"], sessions["visits"], strict=True))
    assert got.pop(None, 0) == outside
    assert got == {sid: n for sid, n in per_session if n}


def test_kind_totals_and_per_area_counts(demo_store, sql):
    scope = SCOPES["town-october"]
    kinds, hh, probs = st.run_figures(
        demo_store, scope, [st.kind_totals, st.households_by_area, st.problems_by_area]
    )
    af, tf = area_filter(sql, scope), time_filter("v.visited_at", scope)
    for kind in ("household", "enterprise", "notable"):
        visited = sql.execute(
            "SELECT COUNT(DISTINCT v.target_id) FROM visit v JOIN target t ON t.id = v.target_id "
            f"WHERE t.kind = ? AND v.outcome IN ('met','phone') AND {af} AND {tf}",
            (kind,),
        ).fetchone()[0]
        on_spot = sql.execute(
            f"SELECT COUNT(*) FROM problem p JOIN target t ON t.id = p.target_id WHERE t.kind = ? AND {af} AND "
            + time_filter("p.created_at", scope)
            + f" AND p.status='resolved' AND p.solved_on_spot AND p.closed_at < '{end_of(scope)}'",
            (kind,),
        ).fetchone()[0]
        assert (kinds.loc[kind, "visited"], kinds.loc[kind, "solved_on_spot"]) == (visited, on_spot)
    # per village figures add up to the town's
    assert hh["visited"].sum() == kinds.loc["household", "visited"]
    assert probs["problems"].sum() == kinds["problems"].sum()
    village_rows = sql.execute(
        "SELECT t.area_id, COUNT(DISTINCT v.target_id) FROM visit v JOIN target t ON t.id = v.target_id "
        f"WHERE t.kind='household' AND v.outcome IN ('met','phone') AND {af} AND {tf} GROUP BY 1"
    ).fetchall()
    assert {a: n for a, n in village_rows} == {a: n for a, n in hh["visited"].items() if n}


def test_dashboard_figures_in_one_call(demo_store):
    calls = []
    figs = dash.dashboard_figures(demo_store, SCOPES["all"], progress=lambda f, m: calls.append(f) or True)
    assert figs.totals["households"] == 8000
    assert figs.cumulative["cum_households_visited"].iloc[-1] == figs.totals["households_visited"]
    assert len(figs.coverage) == 18  # the demo town's villages and communities
    assert calls[0] == 0.0 and calls[-1] == 1.0
    with pytest.raises(Cancelled):
        dash.dashboard_figures(demo_store, SCOPES["all"], progress=lambda f, m: f < 0.3)


@pytest.mark.parametrize("name", list(SCOPES))
def test_dashboard_fast_path_equals_the_sql_figures(demo_store, name):
    """The dashboard reads the visits once; its figures equal the SQL figures checked above."""
    from gisplanner.reporting.supervision import coverage_rows

    scope = SCOPES[name]
    figs = dash.dashboard_figures(demo_store, scope)
    tot, cum, teams, sessions, cats, res, od = st.run_figures(
        demo_store,
        scope,
        [oracle.household_totals, oracle.cumulative_progress, oracle.visits_by_team, oracle.visits_by_session,
         oracle.problems_by_category_status, oracle.resolution_times, oracle.overdue_by_unit],
    )  # fmt: skip
    assert figs.by_category_status.equals(cats)
    assert figs.resolution.equals(res)
    assert figs.overdue.equals(od)
    assert figs.totals == tot
    assert figs.cumulative.equals(cum)
    assert figs.teams.equals(teams)
    assert figs.sessions.equals(sessions)
    assert figs.coverage.equals(coverage_rows(demo_store, scope))
    # the summary report's problem figures: the same one read of the problems
    pf, solved = st.run_figures(demo_store, scope, [st.problem_figures, oracle.solved_by_category])
    assert pf["by_category_status"].equals(cats) and pf["resolution"].equals(res)
    assert pf["solved_by_category"] == solved and sum(solved.values()) > 0
    par = dash.dashboard_figures(demo_store, scope, workers=2)
    assert (
        par.totals == figs.totals
        and par.coverage.equals(figs.coverage)
        and par.sessions.equals(figs.sessions)
    )
