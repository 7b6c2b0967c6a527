"""The problem workflow: transitions, one event per change, deadlines, escalation, locking."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, text

from gisplanner.campaign import problems as pw
from gisplanner.campaign.workdays import WorkCalendar, add_working_days
from gisplanner.store.model import Area, Household, Problem, ProblemEvent, Unit

MON = dt.datetime(2026, 11, 23, 10, 0)  # a Monday


@pytest.fixture
def world(backend_store):
    """A village with one household and units at every level."""
    with backend_store.session() as s:
        town = Area(code="320412100000", name="雪堰镇", level="town")
        s.add(town)
        s.flush()
        vil = Area(code="320412100201", name="潘家村", level="village", parent_id=town.id)
        s.add(vil)
        s.flush()
        h = Household(name="王建国", lon=120.0, lat=31.5, area_id=vil.id)
        units = {
            "village": Unit(name="潘家村村委会", level="village", area_id=vil.id),
            "town": Unit(name="镇城建办", level="town", area_id=town.id),
            "district": Unit(name="区交通运输局", level="district"),
            "city": Unit(name="市公交集团", level="city"),
        }
        s.add_all([h, *units.values()])
        s.flush()
        ids = {"target": h.id, **{k: u.id for k, u in units.items()}}
    backend_store.ids = ids
    return backend_store


def _new(s, store, category="environment", now=MON):
    return pw.create_problem(
        s, target_id=store.ids["target"], category=category, description="河道有垃圾", actor="李敏", now=now
    )


def _events(s, pid) -> list[tuple[str, str | None, str | None]]:
    return [(e.action, e.from_status, e.to_status) for e in pw.history(s, pid)]


def test_full_path_appends_exactly_one_event_per_change(world):
    with world.session() as s:
        p = _new(s, world)
        assert _events(s, p.id) == [("create", None, "open")]
        pw.hand_down(s, p.id, handling="assign", unit_id=world.ids["town"], actor="李敏", now=MON)
        pw.change_status(s, p.id, "in_progress", actor="镇城建办", now=MON)
        pw.change_status(s, p.id, "resolved", actor="镇城建办", note="已清理", now=MON)
        pw.record_reply(s, p.id, "河道已清理，今后每周保洁", actor="镇城建办", now=MON)
        pw.record_callback(s, p.id, "satisfied", actor="督查组", now=MON + dt.timedelta(days=2))
        pid = p.id
    with world.session() as s:
        assert _events(s, pid) == [
            ("create", None, "open"),
            ("assign", "open", "assigned"),
            ("status", "assigned", "in_progress"),
            ("status", "in_progress", "resolved"),
            ("reply", "resolved", "resolved"),
            ("callback", "resolved", "resolved"),
        ]
        p = s.get(Problem, pid)
        assert (p.status, p.handling, p.level, p.unit_id) == ("resolved", "assign", "town", world.ids["town"])
        assert p.satisfaction == "satisfied" and p.callback_at is not None and p.closed_at == MON
        assert all(e.actor for e in p.events)
        assert "镇城建办" in p.events[1].note


@pytest.mark.parametrize(
    ("path", "bad", "words"),
    [
        ([], "rectification", "纳入集中整治前需先受理办理"),
        (["assign"], "resolved", "需先由承办单位签收办理"),
        (["in_progress", "resolved"], "explained", "不能从「已解决」改为「已解释说明」"),
        ([], "assigned", "请使用「交办」操作"),
    ],
)
def test_illegal_transition_is_refused_clearly_and_writes_nothing(world, path, bad, words):
    with world.session() as s:
        p = _new(s, world)
        for step in path:
            if step == "assign":
                pw.hand_down(s, p.id, handling="assign", unit_id=world.ids["village"], actor="李敏")
            else:
                pw.change_status(s, p.id, step, actor="李敏")
        pid, before = p.id, p.status
        n_events = len(pw.history(s, p.id))
    with pytest.raises(pw.ProblemError) as err, world.session() as s:
        pw.change_status(s, pid, bad, actor="李敏")
    assert words in str(err.value)
    assert "当前可改为" in str(err.value) or "交办" in str(err.value)
    with world.session() as s:
        assert s.get(Problem, pid).status == before
        assert len(pw.history(s, pid)) == n_events


def test_hand_down_needs_the_right_kind_of_unit(world):
    with world.session() as s:
        pid = _new(s, world).id
    with pytest.raises(pw.ProblemError, match="应选择委托办理"), world.session() as s:
        pw.hand_down(s, pid, handling="assign", unit_id=world.ids["district"], actor="李敏")
    with pytest.raises(pw.ProblemError, match="应选择交办"), world.session() as s:
        pw.hand_down(s, pid, handling="delegate", unit_id=world.ids["town"], actor="李敏")
    with world.session() as s:
        p = pw.hand_down(s, pid, handling="delegate", unit_id=world.ids["district"], actor="李敏")
        assert (p.level, p.status) == ("district", "assigned")
        assert len(pw.history(s, pid)) == 2


def test_callback_only_after_closing_and_reopen_clears_it(world):
    with world.session() as s:
        p = _new(s, world)
        with pytest.raises(pw.ProblemError, match="办结后才能电话回访"):
            pw.record_callback(s, p.id, "satisfied", actor="督查组")
        pw.change_status(s, p.id, "resolved", actor="李敏", now=MON)  # solved on the spot
        assert p.solved_on_spot
        pw.record_callback(s, p.id, "unsatisfied", actor="督查组")
        pw.change_status(s, p.id, "in_progress", actor="李敏", note="群众不满意，重新办理")
        assert (p.satisfaction, p.callback_at, p.closed_at) == (None, None, None)
        assert [a for a, _, _ in _events(s, p.id)] == ["create", "status", "callback", "status"]


def test_deadlines_count_working_days_and_skip_weekends(world):
    rules = pw.DeadlineRules()
    fri = dt.date(2026, 11, 27)
    assert rules.deadline("public_safety", fri) == fri  # immediate
    assert rules.deadline("public_safety", dt.date(2026, 11, 28)) == dt.date(2026, 11, 30)  # Sat -> Mon
    assert rules.deadline("health", fri) == dt.date(2026, 12, 2)  # 3 working days: Mon Tue Wed
    assert rules.deadline("environment", fri) == dt.date(2026, 12, 8)  # 7
    assert rules.deadline("transport", fri) == dt.date(2026, 12, 18)  # 15
    cal = WorkCalendar.of(holidays=[dt.date(2026, 11, 30)])
    assert add_working_days(fri, 3, cal) == dt.date(2026, 12, 3)
    # configured in the database, used by create_problem
    with world.session() as s:
        pw.DeadlineRules(days={"environment": 3}, calendar=cal).save(s)
    with world.session() as s:
        p = _new(s, world, now=dt.datetime(2026, 11, 27, 9))
        assert p.deadline == dt.date(2026, 12, 3)


def test_overdue_list_and_escalation_one_level_up(world):
    with world.session() as s:
        late = _new(s, world, category="public_safety", now=MON)  # due Monday itself
        fresh = _new(s, world, category="transport", now=MON)  # due in 15 working days
        done = _new(s, world, category="public_safety", now=MON)
        pw.change_status(s, done.id, "resolved", actor="李敏")
        ids = late.id, fresh.id
    thu = dt.date(2026, 11, 26)
    with world.session() as s:
        od = pw.overdue(s, thu)
        assert [o.id for o in od] == [ids[0]]
        assert od[0].days_overdue == 3
        run = pw.escalate_overdue(s, actor="督查组", today=thu)
        assert run.escalated == [(ids[0], "village", "town")]
    with world.session() as s:
        p = s.get(Problem, ids[0])
        assert (p.level, p.handling, p.escalations) == ("town", "assign", 1)
        assert p.deadline == dt.date(2026, 12, 1)  # 3 working days from Thursday
        assert pw.overdue(s, thu) == []  # a new time limit: no longer overdue
        ev = pw.history(s, ids[0])[-1]
        assert ev.action == "escalate" and "村/社区 → 镇/街道" in ev.note
        # climbing on: town -> district (a department may be named) -> city -> refused
        pw.escalate(s, ids[0], actor="督查组", unit_id=world.ids["district"], today=thu)
        assert (p.level, p.handling, p.unit_id) == ("district", "delegate", world.ids["district"])
        pw.escalate(s, ids[0], actor="督查组", today=thu)
        with pytest.raises(pw.ProblemError, match="无法再向上升级"):
            pw.escalate(s, ids[0], actor="督查组", today=thu)
        assert p.escalations == 3
        assert [a for a, _, _ in _events(s, ids[0])].count("escalate") == 3


def test_stale_save_is_refused_with_the_other_change_named(world):
    with world.session() as s:
        pid = _new(s, world).id
        seen_version = s.get(Problem, pid).version
    # another official changes it first
    with world.session() as s:
        pw.change_status(s, pid, "in_progress", actor="张伟", now=MON)
    # our screen still shows the old version
    with pytest.raises(pw.ProblemConflict) as err, world.session() as s:
        pw.change_status(s, pid, "resolved", actor="李敏", expected_version=seen_version)
    assert "张伟" in str(err.value) and "未保存" in str(err.value)
    # a concurrent flush (both loaded the row before either wrote) is caught the same way
    sa, sb = world._sessions(), world._sessions()
    try:
        pa, pb = sa.get(Problem, pid), sb.get(Problem, pid)
        assert pa.version == pb.version
        pw.change_status(sb, pid, "resolved", actor="张伟")
        sb.commit()
        pa.reply = "我的答复"
        with pytest.raises(pw.ProblemConflict, match="已被他人修改"):
            pw.record_reply(sa, pid, "我的答复", actor="李敏")
    finally:
        sa.close()
        sb.close()
    with world.session() as s:
        p = s.get(Problem, pid)
        assert p.status == "resolved" and p.reply is None
        assert (
            s.scalar(select(func.count()).select_from(ProblemEvent).where(ProblemEvent.problem_id == pid))
            == 3
        )


def test_event_log_cannot_be_edited(world):
    with world.session() as s:
        pid = _new(s, world).id
    with pytest.raises(Exception, match="只能追加"), world.session() as s:
        pw.history(s, pid)[0].note = "改写"
    with pytest.raises(Exception, match="append-only|只能追加|problem_event"), world.engine.begin() as c:
        c.execute(text("DELETE FROM problem_event"))


def test_random_walk_one_event_per_accepted_change_none_per_refused(world):
    """120 random operations: each accepted one adds exactly one event, each refused one none,
    and the status always equals the last event's to_status."""
    import random

    rng = random.Random(7)
    ops = ["status", "status", "status", "hand_down", "reply", "callback", "escalate"]
    with world.session() as s:
        pid = _new(s, world).id
    accepted = refused = 0
    for _ in range(120):
        op = rng.choice(ops)
        with world.session() as s:
            before = len(pw.history(s, pid))
        try:
            with world.session() as s:
                if op == "status":
                    pw.change_status(s, pid, rng.choice(list(pw.PROBLEM_STATUS_ZH)), actor="甲")
                elif op == "hand_down":
                    kind = rng.choice(["assign", "delegate"])
                    unit = world.ids[rng.choice(["village", "town", "district", "city"])]
                    pw.hand_down(s, pid, handling=kind, unit_id=unit, actor="乙")
                elif op == "reply":
                    pw.record_reply(s, pid, "已答复", actor="丙")
                elif op == "callback":
                    pw.record_callback(s, pid, rng.choice(list(pw.SATISFACTION_ZH)), actor="丁")
                else:
                    pw.escalate(s, pid, actor="戊", today=dt.date(2026, 11, 26))
            delta, accepted = 1, accepted + 1
        except pw.ProblemError:
            delta, refused = 0, refused + 1
        with world.session() as s:
            evs = pw.history(s, pid)
            assert len(evs) == before + delta, op
            p = s.get(Problem, pid)
            assert p.status == [e.to_status for e in evs if e.to_status][-1]
            assert p.version == 1 + sum(1 for e in evs if e.action != "create")
    assert accepted > 25 and refused > 25  # both paths were exercised
