"""Writes outside the user's area are refused in the unit of work, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gisplanner.access.concurrency import unit_of_work
from gisplanner.access.scope import ScopeError, UserScope
from gisplanner.store.model import Cadre, Household, Problem, ProblemEvent, Target, Visit


def test_town_user_edits_their_own_town(two_towns):
    store, ids = two_towns
    scope = UserScope.for_area(store, ids["A"])
    tid = ids["targets_A"][0]

    def edit(s):
        s.get(Target, tid).phone = "13911112222"
        s.add(Visit(target_id=tid, visited_at=dt.datetime(2026, 11, 2, 19, 30), outcome="met"))

    unit_of_work(store, edit, scope=scope)
    with store.session() as s:
        assert s.get(Target, tid).phone == "13911112222"
        assert s.scalar(select(func.count()).select_from(Visit).where(Visit.target_id == tid)) == 2


@pytest.mark.parametrize(
    "what",
    [
        "edit_target",
        "move_target_in",
        "add_visit",
        "add_household",
        "close_problem",
        "add_event",
        "add_cadre",
    ],
)
def test_writes_to_another_town_are_refused_and_roll_back(two_towns, what):
    store, ids = two_towns
    scope = UserScope.for_area(store, ids["A"])
    tb, ta = ids["targets_B"][0], ids["targets_A"][1]
    before = store.read_frame("SELECT id, area_id, phone, version FROM target ORDER BY id")
    n_visits = store.read_frame("SELECT COUNT(*) AS n FROM visit")["n"][0]

    def work(s):
        # a legitimate change in town A first: it must roll back with the refused one
        s.get(Target, ta).phone = "13999999999"
        if what == "edit_target":
            s.get(Target, tb).phone = "13800000000"
        elif what == "move_target_in":  # taking a household from town B into town A
            s.get(Target, tb).area_id = ids["A1"]
        elif what == "add_visit":
            s.add(Visit(target_id=tb, visited_at=dt.datetime(2026, 11, 2, 19), outcome="met"))
        elif what == "add_household":
            s.add(Household(name="外镇住户", area_id=ids["B1"], lon=120.1, lat=31.4))
        elif what == "close_problem":
            s.get(Problem, ids["problem_B"]).status = "resolved"
        elif what == "add_event":
            s.add(ProblemEvent(problem_id=ids["problem_B"], actor="雪堰镇", action="reply", note="越权答复"))
        elif what == "add_cadre":
            s.add(Cadre(name="李四", gender="M", birth_year=1980, area_id=ids["B"]))

    with pytest.raises(ScopeError, match="管辖范围"):
        unit_of_work(store, work, scope=scope)
    after = store.read_frame("SELECT id, area_id, phone, version FROM target ORDER BY id")
    assert after.equals(before)  # nothing written, not even the legitimate change
    assert store.read_frame("SELECT COUNT(*) AS n FROM visit")["n"][0] == n_visits
    with store.session() as s:
        assert s.get(Problem, ids["problem_B"]).status == "open"
        assert s.scalar(select(func.count()).select_from(Cadre)) == 0


def test_district_user_may_edit_every_town_below(two_towns):
    store, ids = two_towns
    scope = UserScope.for_area(store, ids["district"])
    tb = ids["targets_B"][0]
    unit_of_work(store, lambda s: setattr(s.get(Target, tb), "note", "区里核实"), scope=scope)
    with store.session() as s:
        assert s.get(Target, tb).note == "区里核实"
