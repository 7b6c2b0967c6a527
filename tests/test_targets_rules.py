"""The three next-round rules on a hand-built database, with the expected sets written out."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from gisplanner.campaign.targets import TargetRules, TargetsError, create_round, preview
from gisplanner.store.model import (
    Area,
    Assignment,
    Enterprise,
    Household,
    Problem,
    Round,
    Visit,
    VisitSession,
)

TODAY = dt.date(2026, 11, 25)  # "30 days" reaches back to 2026-10-26
V1, V2, V3 = "320412100201", "320412100202", "320412101201"
TOWN = "320412100000"


def d(m, day, h=10):
    return dt.datetime(2026, m, day, h)


@pytest.fixture
def hand(backend_store):
    """17 targets numbered 1..17 by name (T1..T17); what each one is for is written beside it."""
    s_ = backend_store
    with s_.session() as s:
        city = Area(code="320400000000", name="常州市", level="city")
        s.add(city)
        s.flush()
        dist = Area(code="320412000000", name="武进区", level="district", parent_id=city.id)
        s.add(dist)
        s.flush()
        t1 = Area(code=TOWN, name="雪堰镇", level="town", parent_id=dist.id)
        t2 = Area(code="320412101000", name="前黄镇", level="town", parent_id=dist.id)
        s.add_all([t1, t2])
        s.flush()
        v1 = Area(code=V1, name="潘家村", level="village", parent_id=t1.id)
        v2 = Area(code=V2, name="城湾村", level="village", parent_id=t1.id)
        v3 = Area(code=V3, name="前黄村", level="village", parent_id=t2.id)
        s.add_all([v1, v2, v3])
        s.flush()
        r = Round(name="秋季大走访", status="closed")
        s.add(r)
        s.flush()
        ids = {}

        def hh(n, area, cls=Household, **tags):
            t = cls(name=f"T{n}", lon=120.0, lat=31.5, area_id=area.id, **tags)
            s.add(t)
            s.flush()
            ids[n] = t.id
            return t.id

        def visit(n, when, outcome):
            s.add(Visit(round_id=r.id, target_id=ids[n], visited_at=when, outcome=outcome))

        def problem(n, status, callback=False):
            s.add(
                Problem(target_id=ids[n], round_id=r.id, category="transport", description="出行不便", status=status,
                        callback_at=d(11, 20) if callback else None)
            )  # fmt: skip

        # village 1
        hh(1, v1), visit(1, d(11, 10), "met")  # met: no gap
        hh(2, v1), visit(2, d(10, 15), "not_home"), visit(2, d(10, 20), "not_home")  # makeup
        hh(3, v1), visit(3, d(10, 15), "refused")  # makeup
        hh(4, v1)  # never visited: makeup
        hh(5, v1), visit(5, d(10, 15), "phone")  # phone only: makeup
        hh(6, v1, elderly_alone=True), visit(6, d(10, 12), "met")  # met before the 30 days: priority
        hh(7, v1, disabled=True), visit(7, d(11, 5), "met")  # met recently: nothing
        hh(8, v1, hardship=True), visit(8, d(11, 1), "not_home")  # makeup and priority
        hh(9, v1, elderly_alone=True), visit(9, d(10, 15), "not_home"), visit(9, d(10, 25), "moved")
        problem(9, "in_progress")  # moved away: left out of every rule
        hh(10, v1), visit(10, d(10, 15), "not_home"), visit(10, d(11, 20), "met")  # met at last
        # village 2
        hh(11, v2), visit(11, d(10, 18), "met"), problem(11, "resolved", True), problem(11, "resolved", True)
        hh(12, v2), visit(12, d(10, 18), "met"), problem(12, "in_progress")  # unresolved
        hh(13, v2), visit(13, d(10, 18), "met"), problem(13, "resolved")  # not called back
        hh(14, v2), visit(14, d(10, 18), "met"), problem(14, "resolved", True)  # done: nothing
        hh(15, v2), visit(15, d(10, 18), "met"), problem(15, "explained")  # explained: nothing
        hh(16, v2, cls=Enterprise)  # enterprise never visited: makeup
        # village 3, another town
        hh(17, v3, elderly_alone=True)  # never visited: makeup and priority
    s_.ids = ids
    return s_


def names(store, pv) -> set[int]:
    back = {v: k for k, v in store.ids.items()}
    return {back[int(t)] for t in pv.targets["target_id"]}


def test_makeup_rule(hand):
    assert names(hand, preview(hand, "makeup", today=TODAY)) == {2, 3, 4, 5, 8, 16, 17}
    pv = preview(hand, "makeup", area_code=TOWN, today=TODAY)
    assert names(hand, pv) == {2, 3, 4, 5, 8, 16}
    assert pv.per_area_dict() == {V1: 5, V2: 1}
    assert names(hand, preview(hand, "makeup", area_code=V2, today=TODAY)) == {16}
    why = dict(zip(pv.targets["target_id"], pv.targets["reason"], strict=True))
    assert why[hand.ids[4]] == "从未走访" and why[hand.ids[2]] == "未见面：不在家"
    assert why[hand.ids[8]] == "未见面：不在家（特殊群体）"


def test_priority_rule(hand):
    assert names(hand, preview(hand, "priority", today=TODAY)) == {6, 8, 17}
    assert names(hand, preview(hand, "priority", today=TODAY, rules=TargetRules(days=60))) == {8, 17}
    pv = preview(hand, "priority", area_code="320412000000", today=TODAY)
    assert pv.per_area_dict() == {V1: 2, V3: 1}
    back = {v: k for k, v in hand.ids.items()}
    got = {
        back[t]: (p, r)
        for t, p, r in zip(pv.targets["target_id"], pv.targets["priority"], pv.targets["reason"], strict=True)
    }
    assert got == {
        6: (3, "独居老人：30天内未见面"),
        8: (3, "困难家庭：从未见面"),
        17: (4, "独居老人：从未见面"),
    }


def test_return_rule(hand):
    assert names(hand, preview(hand, "return", today=TODAY)) == {11, 12, 13}
    assert names(hand, preview(hand, "return", today=TODAY, rules=TargetRules(min_problems=1))) == {
        11, 12, 13, 14, 15,
    }  # fmt: skip


def test_explicit_selection_and_unknown_area(hand):
    pick = [hand.ids[n] for n in (1, 2, 4, 17)]
    pv = preview(hand, "makeup", target_ids=pick, today=TODAY)
    assert names(hand, pv) == {2, 4, 17}
    assert pv.scope_name == "武进区"  # the lowest area holding the whole selection
    with pytest.raises(TargetsError, match="找不到区划代码 999"):
        preview(hand, "makeup", area_code="999", today=TODAY)


def test_create_round_writes_assignments_and_sessions(hand):
    made = create_round(hand, "makeup", area_code=TOWN, today=TODAY)
    assert (made.targets, made.per_area) == (6, {V1: 5, V2: 1})
    with hand.session() as s:
        rnd = s.get(Round, made.round_id)
        assert (rnd.kind, rnd.status, rnd.start_date) == ("makeup", "planning", dt.date(2026, 11, 26))
        assert "补课访" in rnd.name and "雪堰镇" in rnd.name
        prio = dict(
            s.execute(
                select(Assignment.target_id, Assignment.priority).where(Assignment.round_id == rnd.id)
            ).all()
        )
        assert {n: prio[hand.ids[n]] for n in (2, 3, 4, 5, 8, 16)} == {2: 2, 3: 1, 4: 3, 5: 1, 8: 4, 16: 3}
        assert all(
            team is None
            for team in s.scalars(select(Assignment.team_id).where(Assignment.round_id == rnd.id))
        )
        n_sessions = s.scalar(
            select(func.count()).select_from(VisitSession).where(VisitSession.round_id == rnd.id)
        )
        assert n_sessions == made.sessions > 0


def test_nothing_to_do_creates_no_round(hand):
    with pytest.raises(TargetsError, match="没有需要回头访的对象"):
        create_round(hand, "return", area_code=V1, today=TODAY)
    with hand.session() as s:
        assert s.scalar(select(func.count()).select_from(Round)) == 1


def test_cli_targets_json(hand, capsys):
    from gisplanner.cli import run

    db = hand.engine.url.render_as_string(hide_password=False)
    code = run(
        ["targets", "--db", db, "--kind", "priority", "--area", TOWN, "--today", "2026-11-25", "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["targets"] == 2 and out["per_area"] == {V1: 2}
    with hand.session() as s:
        assert s.get(Round, out["round"]).kind == "priority"
    assert run(["targets", "--db", db, "--kind", "return", "--area", V3, "--today", "2026-11-25"]) == 1
    assert "未创建轮次" in capsys.readouterr().err
