"""Coverage per area against hand counts (a tiny database) and brute force (the demo town)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from gisplanner.campaign import coverage as C
from gisplanner.store.model import CLOSED_STATUSES, SPECIAL_GROUP_TAGS, Area, Problem, Round, Target, Visit

TODAY = dt.date(2026, 11, 25)
T0 = dt.datetime(2026, 10, 12, 19, 0)


def _area(s, code, name, level, parent=None):
    a = Area(code=code, name=name, level=level, parent_id=parent, boundary=shapely.to_wkb(box(0, 0, 1, 1)))
    s.add(a)
    s.flush()
    return a.id


@pytest.fixture
def tiny(empty_store):
    """city > district > town > villages A (4 targets), B (2 targets), C (none)."""
    with empty_store.session() as s:
        city = _area(s, "320400000000", "市", "city")
        dist = _area(s, "320412000000", "区", "district", city)
        town = _area(s, "320412100000", "镇", "town", dist)
        va = _area(s, "320412100201", "甲村", "village", town)
        vb = _area(s, "320412100202", "乙村", "village", town)
        vc = _area(s, "320412100203", "丙村", "village", town)
        r1 = Round(name="秋季", kind="regular", status="closed", scope_area_id=town,
                   start_date=dt.date(2026, 10, 10), end_date=dt.date(2026, 11, 8))  # fmt: skip
        r2 = Round(name="补课", kind="makeup", status="planning", start_date=dt.date(2026, 12, 1))
        s.add_all([r1, r2])
        s.flush()

        def tgt(name, area, kind="household", **tags):
            t = Target(kind=kind, name=name, lon=120.0, lat=31.5, area_id=area, **tags)
            s.add(t)
            s.flush()
            return t.id

        a1 = tgt("a1", va)  # met at the second attempt, 2 problems (both solved)
        a2 = tgt("a2", va, elderly_alone=True)  # special, not home twice
        a3 = tgt("a3", va, disabled=True)  # special, met, one open overdue problem
        a4 = tgt("a4", va, kind="enterprise")  # never visited
        b1 = tgt("b1", vb)  # refused after not home
        b2 = tgt("b2", vb, hardship=True)  # moved away
        ids = dict(a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2)

        def visit(t, outcome, days=0, rid=r1.id):
            s.add(Visit(round_id=rid, target_id=t, visited_at=T0 + dt.timedelta(days=days), outcome=outcome))

        visit(a1, "not_home")
        visit(a1, "met", 3)
        visit(a2, "not_home")
        visit(a2, "not_home", 2)
        visit(a3, "met")
        visit(b1, "not_home")
        visit(b1, "refused", 4)
        visit(b2, "moved")
        s.flush()

        def problem(t, status, deadline):
            s.add(Problem(target_id=t, round_id=r1.id, category="other", description="x", status=status,
                          deadline=deadline))  # fmt: skip

        problem(a1, "resolved", dt.date(2026, 10, 20))
        problem(a1, "explained", dt.date(2026, 10, 20))
        problem(a3, "assigned", dt.date(2026, 11, 1))  # open and overdue on TODAY
        problem(a3, "in_progress", dt.date(2026, 12, 31))  # open, not yet due
        s.flush()
        from gisplanner.store.model import Assignment

        s.add_all([Assignment(round_id=r2.id, target_id=t) for t in (a2, a4)])
    return empty_store, dict(city=city, dist=dist, town=town, va=va, vb=vb, vc=vc, r1=r1.id, r2=r2.id, **ids)


def test_tiny_village_counts_by_hand(tiny):
    store, ids = tiny
    cov = C.coverage(store, ids["r1"], today=TODAY)
    a = cov.areas.loc[ids["va"]]
    assert (a.targets, a.households, a.enterprises) == (4, 3, 1)
    assert (a.visited, a.met, a.unmet_visited, a.not_home) == (3, 2, 1, 1)
    assert (a.never_met, a.special_targets, a.special_met, a.special_not_met) == (2, 2, 1, 1)
    assert (a.problems, a.open_problems, a.overdue_problems) == (4, 2, 1)
    # a1 has two (solved) problems, a3 two unresolved ones: both need a return visit
    assert (a.many_problem_targets, a.unresolved_targets, a.return_targets) == (2, 1, 2)
    assert a.status == "partial"
    b = cov.areas.loc[ids["vb"]]
    assert (b.targets, b.visited, b.met, b.refused, b.moved, b.never_met) == (2, 2, 0, 1, 1, 1)
    assert b.status == "complete"  # every target visited, though nobody was met
    assert (b.special_targets, b.special_not_met) == (1, 0)  # the moved household is settled
    c = cov.areas.loc[ids["vc"]]
    assert c.targets == 0 and c.status == "empty"


def test_tiny_roll_up_and_flags(tiny):
    store, ids = tiny
    cov = C.coverage(store, ids["r1"], today=TODAY)
    for level in ("town", "dist", "city"):
        r = cov.areas.loc[ids[level]]
        assert (r.targets, r.visited, r.met, r.never_met, r.problems, r.overdue_problems) == (
            6,
            5,
            2,
            3,
            4,
            1,
        )
        assert r.status == "partial"
    a = cov.areas.loc[ids["va"]]
    assert a.need_makeup and a.need_priority and a.need_return
    strict = C.NeedThresholds(makeup=0.6, priority=0.6, ret=0.6)
    cov2 = C.coverage(store, ids["r1"], today=TODAY, thresholds=strict)
    a2 = cov2.areas.loc[ids["va"]]
    assert not a2.need_makeup and not a2.need_priority and not a2.need_return  # 2/4, 1/2, 2/4
    assert set(cov.never_met_ids()) == {ids["a2"], ids["a4"], ids["b1"]}
    assert set(cov.special_not_met_ids()) == {ids["a2"]}
    assert set(cov.return_ids()) == {ids["a1"], ids["a3"]}


def test_non_regular_round_covers_its_assignments(tiny):
    store, ids = tiny
    cov = C.coverage(store, ids["r2"], today=TODAY)
    assert set(cov.targets["id"]) == {ids["a2"], ids["a4"]}
    town = cov.areas.loc[ids["town"]]
    assert (town.targets, town.visited, town.status) == (2, 0, "not_started")


def test_date_range_picks_overlapping_rounds(tiny):
    store, ids = tiny
    assert C.rounds_in_range(store, dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == [ids["r1"]]
    assert C.rounds_in_range(store, dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [ids["r1"], ids["r2"]]
    cov = C.coverage(store, date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 10, 31), today=TODAY)
    assert cov.round_ids == (ids["r1"],)
    assert cov.areas.loc[ids["town"]].met == 2


# -- the demo town against brute force ----------------------------------------------------------
def _brute_force(db_path, round_id: int, today: dt.date, th: C.NeedThresholds) -> dict[int, dict]:
    """Plain SQL rows and Python loops, following the rules in coverage's docstring."""
    con = sqlite3.connect(db_path)
    areas = {r[0]: r[1] for r in con.execute("SELECT id, parent_id FROM area")}
    kind, scope = con.execute("SELECT kind, scope_area_id FROM round WHERE id=?", (round_id,)).fetchone()
    special_sql = " OR ".join(SPECIAL_GROUP_TAGS)
    targets = {
        r[0]: (r[1], r[2], bool(r[3]))
        for r in con.execute(f"SELECT id, area_id, kind, ({special_sql}) FROM target")
    }

    def in_scope(area):
        while area is not None:
            if area == scope:
                return True
            area = areas[area]
        return False

    assert kind == "regular" and scope is not None
    members = {t for t, (a, _, _) in targets.items() if in_scope(a)}
    outcomes: dict[int, set] = {}
    for t, o in con.execute("SELECT target_id, outcome FROM visit WHERE round_id=?", (round_id,)):
        outcomes.setdefault(t, set()).add(o)
        members.add(t)
    problems: dict[int, list] = {}
    for t, st, dl in con.execute(
        "SELECT target_id, status, deadline FROM problem WHERE round_id=?", (round_id,)
    ):
        problems.setdefault(t, []).append((st, dl))
    totals: dict[int, dict] = {a: {} for a in areas}
    for t in members:
        area, k, special = targets[t]
        outs = outcomes.get(t, set())
        met = "met" in outs
        moved = not met and "moved" in outs
        never_met = not met and not moved
        ps = problems.get(t, [])
        n_open = sum(st not in CLOSED_STATUSES for st, _ in ps)
        n_over = sum(
            st not in CLOSED_STATUSES and dl is not None and dt.date.fromisoformat(dl) < today
            for st, dl in ps
        )
        row = {
            "targets": 1, "households": k == "household", "enterprises": k == "enterprise",
            "visited": bool(outs), "met": met, "unmet_visited": bool(outs) and not met,
            "refused": bool(outs) and not met and not moved and "refused" in outs,
            "never_met": never_met, "special_targets": special, "special_met": special and met,
            "special_not_met": special and never_met, "problems": len(ps), "open_problems": n_open,
            "overdue_problems": n_over,
            "return_targets": len(ps) >= th.min_problems or n_open > 0,
        }  # fmt: skip
        a = area
        while a is not None:
            for key, val in row.items():
                totals[a][key] = totals[a].get(key, 0) + int(val)
            a = areas[a]
    con.close()
    return totals


def test_demo_counts_match_brute_force(demo_store, demo_db_path, demo_facts):
    th = C.NeedThresholds()
    cov = C.coverage(demo_store, 1, today=TODAY, thresholds=th)
    expected = _brute_force(demo_db_path, 1, TODAY, th)
    assert len(cov.areas) == len(expected)
    for area_id, exp in expected.items():
        got = cov.areas.loc[area_id]
        for key, val in exp.items():
            assert got[key] == val, (area_id, key)
        n = exp.get("targets", 0)
        want = (
            "empty"
            if n == 0
            else "not_started"
            if exp["visited"] == 0
            else "complete"
            if exp["visited"] == n
            else "partial"
        )
        assert got.status == want
        if n:
            assert got.need_makeup == (exp["never_met"] > 0 and exp["never_met"] >= th.makeup * n)
            assert got.need_return == (exp["return_targets"] > 0 and exp["return_targets"] >= th.ret * n)
    village = cov.level("village")
    assert set(village["status"]) >= {"not_started", "partial"}  # the demo has untouched villages
    assert cov.areas.loc[cov.level("city").index[0], "targets"] == demo_facts.targets


def test_reusing_the_targets_frame_gives_the_same_result(demo_store):
    a = C.coverage(demo_store, 1, today=TODAY)
    b = C.coverage(demo_store, 1, today=TODAY, targets=demo_store.targets_frame())
    cols = list(C.COUNT_COLUMNS) + ["status", "need_makeup", "need_priority", "need_return"]
    pd.testing.assert_frame_equal(a.areas[cols], b.areas[cols])


def test_per_target_frame_is_consistent(demo_store):
    cov = C.coverage(demo_store, 1, today=TODAY)
    t = cov.targets
    assert not (t["met"] & t["never_met"]).any()
    assert (t["special_not_met"] <= t["special"]).all()
    assert ((t["result"] == "met") == t["met"]).all()
    assert (t["visited"] == (t["visits"] > 0)).all()
    assert set(cov.return_ids()) == set(t.loc[(t["problems"] >= 2) | (t["open_problems"] > 0), "id"])


def test_cycle_in_area_parents_is_reported():
    areas = pd.DataFrame({"id": [1, 2], "code": ["a", "b"], "name": ["甲", "乙"], "level": ["town", "village"],
                          "parent_id": pd.array([2, 1], dtype="Int64")})  # fmt: skip
    inp = C.CoverageInputs(
        areas=areas,
        targets=pd.DataFrame({"id": [1], "area_id": [2], "kind": ["household"], "special": [False]}),
        visits=pd.DataFrame({"target_id": [1], "outcome": ["met"]}),
        problems=pd.DataFrame({"target_id": pd.Series([], dtype="int64"), "status": [], "deadline": []}),
    )
    with pytest.raises(ValueError, match="parent_id"):
        C.compute(inp, today=TODAY)
