"""The one save path (issue 20): a conflict says who saved, when and what; the user keeps theirs,
takes the other version or merges field by field — neither change is lost silently."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gisplanner.access import concurrency as cc
from gisplanner.store.model import Target


def _seen(store, tid):
    with store.session() as s:
        t = s.get(Target, tid)
        return {k: getattr(t, k) for k in ("name", "phone", "address", "members", "note", "version")}


def _other_official_saves(store, tid, changes, who="王主任"):
    seen = _seen(store, tid)
    with store.session() as s:
        s.info["user"] = who
        t = s.get(Target, tid)
        for k, v in changes.items():
            setattr(t, k, v)
    return seen


def test_conflict_names_who_when_and_both_changes(two_towns):
    store, ids = two_towns
    tid = ids["targets_A"][1]
    seen = _other_official_saves(store, tid, {"phone": "13811112222", "note": "独居"})
    with pytest.raises(cc.ConflictError) as err:
        cc.save_edit(store, Target, tid, seen, {"phone": "13933334444", "members": 5})
    (c,) = err.value.conflicts
    assert c.who == "王主任" and c.when is not None
    assert c.theirs == {"phone": (seen["phone"], "13811112222"), "note": (None, "独居")}
    assert c.mine == {"phone": (seen["phone"], "13933334444"), "members": (3, 5)}
    assert c.both == ["phone"]
    assert "由 王主任 于" in str(err.value)


@pytest.mark.parametrize(
    ("choice", "picks", "expected"),
    [
        (cc.KEEP_MINE, None, {"phone": "13933334444", "note": "独居", "members": 5}),
        (cc.MERGE, {"phone": cc.TAKE_THEIRS}, {"phone": "13811112222", "note": "独居", "members": 5}),
        (cc.MERGE, {}, {"phone": "13933334444", "note": "独居", "members": 5}),
        (cc.TAKE_THEIRS, None, {"phone": "13811112222", "note": "独居", "members": 3}),
    ],
)
def test_keep_take_or_merge(two_towns, choice, picks, expected):
    store, ids = two_towns
    tid = ids["targets_A"][1]
    seen = _other_official_saves(store, tid, {"phone": "13811112222", "note": "独居"})
    changes = {"phone": "13933334444", "members": 5}
    with pytest.raises(cc.ConflictError) as err:
        cc.save_edit(store, Target, tid, seen, changes)
    nxt = cc.resolve(err.value.conflicts[0], changes, choice, picks)
    if nxt is not None:
        cc.save_edit(store, Target, tid, *nxt)
    now = _seen(store, tid)
    assert {k: now[k] for k in expected} == expected


def test_a_third_change_during_the_resolution_is_again_a_conflict(two_towns):
    store, ids = two_towns
    tid = ids["targets_B"][0]
    seen = _other_official_saves(store, tid, {"note": "第一位"})
    with pytest.raises(cc.ConflictError) as err:
        cc.save_edit(store, Target, tid, seen, {"members": 6})
    nxt = cc.resolve(err.value.conflicts[0], {"members": 6}, cc.MERGE)
    _other_official_saves(store, tid, {"note": "第二位"}, who="赵会计")  # while the dialog was open
    with pytest.raises(cc.ConflictError) as err2:
        cc.save_edit(store, Target, tid, *nxt)
    assert err2.value.conflicts[0].who == "赵会计"
    assert _seen(store, tid)["note"] == "第二位"


def test_assignments_are_checked_against_what_the_planner_saw(two_towns):
    from gisplanner.store.model import Assignment, Round, Team
    from gisplanner.teams.territory import assign_targets

    store, ids = two_towns
    with store.session() as s:
        rnd = Round(name="冬季走访", scope_area_id=ids["A"])
        s.add(rnd)
        s.flush()
        t1, t2 = Team(round_id=rnd.id, name="第一组"), Team(round_id=rnd.id, name="第二组")
        s.add_all([t1, t2])
        s.flush()
        s.add_all(Assignment(round_id=rnd.id, target_id=t) for t in ids["targets_A"])
        rid, team1, team2 = rnd.id, t1.id, t2.id
    targets = ids["targets_A"]
    seen = dict.fromkeys(targets)  # both planners see every target unassigned
    assign_targets(store, rid, targets[:2], team1, expected=seen)  # planner 1 saves first
    with pytest.raises(cc.ConflictError) as err:  # planner 2 assigns all three to team 2
        assign_targets(store, rid, targets, team2, expected=seen)
    (c,) = err.value.conflicts
    assert sorted(c.current["changed"]) == sorted(targets[:2])
    assert set(c.theirs.values()) == {("（未分配）", "第一组")}
    assert set(c.mine.values()) == {("（未分配）", "第二组")}
    assert "走访安排（2 个对象的分配）已被其他人修改" in str(err.value)
    with store.session() as s:  # nothing of planner 2 was written
        rows = dict(
            s.execute(
                select(Assignment.target_id, Assignment.team_id).where(Assignment.round_id == rid)
            ).all()
        )
    assert rows == dict.fromkeys(targets) | {targets[0]: team1, targets[1]: team1}
