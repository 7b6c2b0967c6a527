"""Two officials save the same row: the later save is refused, explained, and nothing is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from gisplanner.access.concurrency import ConflictError, save_edit, unit_of_work
from gisplanner.store.model import Area, ProblemEvent, Round, Target, Team, Visit


def test_conflicting_save_is_refused_with_the_other_change(two_towns):
    store, ids = two_towns
    tid = ids["targets_A"][0]
    with store.session() as s:
        original = s.get(Target, tid)
        old_phone, old_address = original.phone, original.address

    def official_a(s):
        t = s.get(Target, tid)  # A opens the household …
        # … meanwhile official B, on another connection, changes the phone and saves
        unit_of_work(store, lambda s2: setattr(s2.get(Target, tid), "phone", "13812345678"))
        t.address = "雪堰镇潘家村 18 号"  # A's edit, saved over a stale version

    with pytest.raises(ConflictError) as err:
        unit_of_work(store, official_a)
    msg = str(err.value)
    assert "已被其他人修改" in msg and "王建国" in msg
    assert "第 1 版" in msg and "第 2 版" in msg
    assert f"电话 {old_phone} → 13812345678" in msg  # the other change
    assert "地址 （空） → 雪堰镇潘家村 18 号" in msg  # what A tried, kept for A to redo
    (c,) = err.value.conflicts
    assert c.table == "target" and c.theirs == {"phone": (old_phone, "13812345678")}
    assert c.mine == {"address": (old_address, "雪堰镇潘家村 18 号")}
    with store.session() as s:  # B's change stands, A's was not written
        t = s.get(Target, tid)
        assert (t.phone, t.address, t.version) == ("13812345678", old_address, 2)


@pytest.mark.parametrize("model", ["area", "round", "team"])
def test_every_versioned_table_refuses_stale_saves(two_towns, model):
    store, ids = two_towns
    with store.session() as s:
        if model == "area":
            key = ids["A1"]
        else:
            r = Round(name="冬季走访", scope_area_id=ids["A"])
            s.add(r)
            s.flush()
            t = Team(name="第一组", round_id=r.id, office_area_id=ids["A1"])
            s.add(t)
            s.flush()
            key = r.id if model == "round" else t.id
    cls = {"area": Area, "round": Round, "team": Team}[model]

    def stale(s):
        obj = s.get(cls, key)
        unit_of_work(store, lambda s2: setattr(s2.get(cls, key), "name", "对方改的名字"))
        obj.name = "我改的名字"

    with pytest.raises(ConflictError, match="对方改的名字"):
        unit_of_work(store, stale)
    with store.session() as s:
        assert s.get(cls, key).name == "对方改的名字"


def test_form_save_checks_the_version_the_form_was_filled_from(two_towns):
    store, ids = two_towns
    tid = ids["targets_B"][1]
    with store.session() as s:
        t = s.get(Target, tid)
        seen = {"name": t.name, "phone": t.phone, "members": t.members, "version": t.version}

    # first save succeeds and bumps the version
    v2 = save_edit(store, Target, tid, seen, {"members": 4})
    assert v2 == seen["version"] + 1
    # a second form filled from the same (now old) values is refused: the first save is shown
    with pytest.raises(ConflictError) as err:
        save_edit(store, Target, tid, seen, {"phone": "13700000000"})
    assert "人口 3 → 4" in str(err.value) and "电话" in str(err.value)
    with store.session() as s:
        t = s.get(Target, tid)
        assert (t.members, t.phone, t.version) == (4, seen["phone"], v2)


def test_a_row_deleted_meanwhile_is_reported(two_towns):
    store, ids = two_towns
    tid = ids["targets_A"][2]
    with store.session() as s:
        t = s.get(Target, tid)
        seen = {"name": t.name, "version": t.version}
    with store.session() as s:  # another official removes the household (and its visit)
        s.execute(delete(Visit).where(Visit.target_id == tid))
        s.delete(s.get(Target, tid))
    with pytest.raises(ConflictError, match="已被其他人删除") as err:
        save_edit(store, Target, tid, seen, {"name": "新名字"})
    assert "新名字" in str(err.value)  # the user's input is in the message, not lost


def test_problem_status_and_its_event_commit_together(two_towns):
    problems = pytest.importorskip("gisplanner.campaign.problems")
    store, ids = two_towns
    pid = ids["problem_A"]

    def events() -> int:
        with store.session() as s:
            return s.scalar(
                select(func.count()).select_from(ProblemEvent).where(ProblemEvent.problem_id == pid)
            )

    n0 = events()

    # official A takes the problem on; official B, who loaded it before, tries to explain it
    def official_b(s):
        p = s.get(problems.Problem, pid)
        assert p.status == "open"
        unit_of_work(store, lambda s2: problems.change_status(s2, pid, "in_progress", actor="A"))
        problems.change_status(s, pid, "explained", actor="B", expected_version=p.version)

    with pytest.raises(problems.ProblemConflict, match="已被他人修改"):
        unit_of_work(store, official_b)
    with store.session() as s:
        assert s.get(problems.Problem, pid).status == "in_progress"
    assert events() == n0 + 1  # A's event only; B's status change and event both discarded

    # a failure after the status change rolls back the status and its event together
    def fails_later(s):
        problems.change_status(s, pid, "resolved", actor="A")
        raise RuntimeError("断电")

    with pytest.raises(RuntimeError):
        unit_of_work(store, fails_later)
    with store.session() as s:
        assert s.get(problems.Problem, pid).status == "in_progress"
    assert events() == n0 + 1
