"""Entering visit results: by stop number or printed code, unplanned visits, and returned sheets."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import func, select

from gisplanner.campaign import results as rs
from gisplanner.store.model import (
    Area,
    Assignment,
    Household,
    Problem,
    ProblemEvent,
    Round,
    Route,
    RouteStop,
    Team,
    Unit,
    Visit,
    VisitSession,
)

SAT = dt.datetime(2026, 12, 5, 9, 0)
NOW = dt.datetime(2026, 12, 6, 12, 0)  # the office types the sheets in the day after


@pytest.fixture
def sheet(backend_store):
    """One route sheet of 5 stops (codes A001..A005) and one household not in the round."""
    with backend_store.session() as s:
        vil = Area(code="320412100201", name="潘家村", level="village")
        s.add(vil)
        s.flush()
        rnd = Round(name="冬季大走访", status="running")
        s.add(rnd)
        s.flush()
        team = Team(round_id=rnd.id, name="第1组")
        sess = VisitSession(
            round_id=rnd.id, label="周末上午", start=SAT, end=SAT + dt.timedelta(hours=2, minutes=30)
        )
        unit = Unit(name="区交通运输局", level="district")
        s.add_all([team, sess, unit])
        s.flush()
        route = Route(round_id=rnd.id, team_id=team.id, session_id=sess.id)
        s.add(route)
        s.flush()
        hhs = [Household(name=f"户主{i}", lon=120.0, lat=31.5, area_id=vil.id) for i in range(1, 7)]
        s.add_all(hhs)
        s.flush()
        for i, h in enumerate(hhs[:5], start=1):
            s.add(Assignment(round_id=rnd.id, target_id=h.id, team_id=team.id))
            s.add(RouteStop(route_id=route.id, seq=i, target_id=h.id, eta=SAT + dt.timedelta(minutes=25 * i),
                            code=f"A00{i}"))  # fmt: skip
        backend_store.ids = {"round": rnd.id, "route": route.id, "team": team.id, "unit": unit.id,
                           "targets": [h.id for h in hhs]}  # fmt: skip
    return backend_store


def count(s, model, **where):
    q = select(func.count()).select_from(model)
    for k, v in where.items():
        q = q.where(getattr(model, k) == v)
    return s.scalar(q)


def test_stop_found_by_number_or_code(sheet):
    ids = sheet.ids
    with sheet.session() as s:
        assert rs.resolve_stop(s, "3", route_id=ids["route"]).seq == 3
        assert rs.resolve_stop(s, "a004", route_id=ids["route"]).seq == 4
        assert rs.resolve_stop(s, "A002", round_id=ids["round"]).seq == 2
        with pytest.raises(rs.ResultsError, match="没有第 9 站（共 5 站）"):
            rs.resolve_stop(s, "9", route_id=ids["route"])
        with pytest.raises(rs.ResultsError, match="户码 B777 不存在"):
            rs.resolve_stop(s, "B777", route_id=ids["route"])


def test_record_stop_with_problems_and_correction(sheet):
    ids = sheet.ids
    with sheet.session() as s:
        stop = rs.resolve_stop(s, "1", route_id=ids["route"])
        v = rs.record_stop(
            s, stop, "met", actor="李敏", notes="老人身体好，关心公交", now=NOW,
            problems=[rs.ProblemInput("transport", "村里没有公交", handling="delegate", unit_id=ids["unit"]),
                      rs.ProblemInput("health", "希望上门体检", solved_on_spot=True, reply="已预约卫生院")],
        )  # fmt: skip
        # no time typed: the session's start, never the planned arrival
        assert (v.round_id, v.team_id, v.visited_at, v.planned) == (ids["round"], ids["team"], SAT, True)
        assert stop.eta != SAT
        # typed again with another outcome and the real time: corrected, not counted twice
        rs.record_stop(s, stop, "phone", actor="李敏", visited_at=SAT + dt.timedelta(minutes=50), now=NOW)
        assert count(s, Visit) == 1 and s.get(Visit, v.id).outcome == "phone"
        assert s.get(Visit, v.id).visited_at == SAT + dt.timedelta(minutes=50)
        probs = list(s.scalars(select(Problem).order_by(Problem.id)))
        assert [(p.status, p.level, p.visit_id) for p in probs] == [
            ("assigned", "district", v.id), ("resolved", "village", v.id),
        ]  # fmt: skip
        assert probs[1].solved_on_spot and probs[1].reply == "已预约卫生院"
        assert count(s, ProblemEvent, problem_id=probs[0].id) == 2  # create + delegate
        assert count(s, ProblemEvent, problem_id=probs[1].id) == 3  # create + reply + resolve


def test_unplanned_visit_and_refused_problems(sheet):
    ids = sheet.ids
    with sheet.session() as s:
        v = rs.record_visit(
            s,
            target_id=ids["targets"][5],
            outcome="met",
            actor="李敏",
            round_id=ids["round"],
            now=NOW,
            visited_at=SAT,
        )
        assert v.planned is False
        with pytest.raises(rs.ResultsError, match="不在家.*不能登记"):
            rs.record_visit(s, target_id=ids["targets"][0], outcome="not_home", actor="李敏",
                            problems=[rs.ProblemInput("other", "x")])  # fmt: skip
    assert rs.parse_outcome("2") == "not_home" and rs.parse_outcome("拒访") == "refused"
    assert rs.parse_outcome("电话走访") == "phone" and rs.parse_outcome("7") is None


def _write(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["冬季大走访 第1组 路线单"])
    ws.append(["序号", "户码", "户主", "走访结果", "民情日记", "问题类别", "反映问题", "当场解决"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_returned_sheet_with_a_bad_row_writes_nothing(sheet, tmp_path):
    path = _write(tmp_path / "back.xlsx", [
        [1, "A001", "户主1", "见面", "家中两位老人", "交通出行", "路口缺红绿灯", ""],
        [2, "A002", "户主2", "不在家", "", "", "", ""],
        [3, "A003", "户主3", "出差", "", "", "", ""],  # row 5: outcome not recognised
        [4, "A004", "户主4", "1", "", "", "希望有招聘信息", ""],  # row 6: problem without category
        [5, "Z999", "户主5", "1", "", "", "", ""],  # row 7: unknown code
    ])  # fmt: skip
    with pytest.raises(rs.SheetImportError) as err:
        rs.import_sheet(sheet, path, actor="录入员", route_id=sheet.ids["route"], now=NOW)
    msg = str(err.value)
    assert "back.xlsx" in msg and "未写入任何结果" in msg
    assert [(e.row, e.field) for e in err.value.errors] == [(5, "走访结果"), (6, "问题类别"), (7, "户码")]
    assert "无法识别“出差”" in msg
    with sheet.session() as s:
        assert count(s, Visit) == 0 and count(s, Problem) == 0 and count(s, ProblemEvent) == 0


def test_returned_sheet_is_entered_in_one_go(sheet, tmp_path):
    path = _write(tmp_path / "back.xlsx", [
        [1, "A001", "户主1", "见面", "家中两位老人", "交通出行", "路口缺红绿灯", ""],
        [1, "A001", "", "", "", "医疗卫生", "希望上门体检", "是"],  # second problem of stop 1
        [2, "", "户主2", "2", "", "", "", ""],  # by number only
        [3, "A003", "户主3", "", "", "", "", ""],  # not yet filled in
        [None, "a005", "户主5", "电话走访", "在外地打工", "", "", ""],
    ])  # fmt: skip
    res = rs.import_sheet(sheet, path, actor="录入员", route_id=sheet.ids["route"], now=NOW)
    assert (res.visits, res.problems, res.blank_rows) == (3, 2, 1)
    with sheet.session() as s:
        got = dict(s.execute(select(Visit.target_id, Visit.outcome)).all())
        t = sheet.ids["targets"]
        assert got == {t[0]: "met", t[1]: "not_home", t[4]: "phone"}
        assert s.scalar(select(Visit.notes).where(Visit.target_id == t[0])) == "家中两位老人"
        assert sorted(s.scalars(select(Problem.status))) == ["open", "resolved"]


def _write_full(path, rows):
    """A returned sheet in the layout `results sheet` writes (date, time, visitors, appointment)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["路线单编号", 1])
    ws.append(["序号", "户码", "户主/单位", "地址", "走访日期", "走访时间", "走访人", "走访结果", "民情日记",
               "约定回访时间", "问题类别", "反映问题", "当场解决"])  # fmt: skip
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_sheet_records_when_it_happened_who_went_and_the_appointment(sheet, tmp_path):
    path = _write_full(tmp_path / "back.xlsx", [
        [1, "A001", "", "", "12-05", "10:40", "李敏、王强", "见面", "", "", "交通出行", "路口缺红绿灯", ""],
        [2, "A002", "", "", "2026-12-05", "", "李敏", "不在家", "", "12月12日 晚上", "", "", ""],
        [3, "A003", "", "", "", "", "", "2", "", "12-13 09:30", "", "", ""],
    ])  # fmt: skip
    res = rs.import_sheet(sheet, path, actor="录入员", route_id=sheet.ids["route"], now=NOW)
    assert res.visits == 3
    t = sheet.ids["targets"]
    with sheet.session() as s:
        got = {v.target_id: (v.visited_at, v.visitors, v.appointment_at) for v in s.scalars(select(Visit))}
    assert got == {
        t[0]: (dt.datetime(2026, 12, 5, 10, 40), "李敏、王强", None),
        t[1]: (SAT, "李敏", dt.datetime(2026, 12, 12, 19, 0)),  # no time written: the session's start
        t[2]: (SAT, None, dt.datetime(2026, 12, 13, 9, 30)),
    }


def test_sheet_dated_in_the_future_or_before_its_session_is_refused(sheet, tmp_path):
    path = _write_full(tmp_path / "back.xlsx", [
        [1, "A001", "", "", "12-05", "10:40", "", "见面", "", "", "", "", ""],
        [2, "A002", "", "", "12-07", "19:00", "", "见面", "", "", "", "", ""],  # row 4: tomorrow
        [3, "A003", "", "", "12-01", "19:00", "", "不在家", "", "", "", "", ""],  # row 5: before the session
        [4, "A004", "", "", "12-05", "25:00", "", "见面", "", "", "", "", ""],  # row 6: no such time
        [5, "A005", "", "", "12-05", "", "", "见面", "", "12-04 晚上", "", "", ""],  # row 7: appointment past
    ])  # fmt: skip
    with pytest.raises(rs.SheetImportError) as err:
        rs.import_sheet(sheet, path, actor="录入员", now=NOW)
    route = sheet.ids["route"]
    assert [(e.sheet, e.row, e.field) for e in err.value.errors] == [
        (route, 4, "走访日期"), (route, 5, "走访日期"), (route, 6, "走访时间"), (route, 7, "约定回访时间"),
    ]  # fmt: skip
    msg = str(err.value)
    assert f"路线单 {route} 第4行「走访日期」" in msg and "在将来" in msg and "早于该路线单的走访时段" in msg
    with sheet.session() as s:
        assert count(s, Visit) == 0 and count(s, Problem) == 0
    # the explicit late-entry override admits the earlier date, never the future one
    path2 = _write_full(
        tmp_path / "late.xlsx", [[3, "A003", "", "", "12-01", "19:00", "", "不在家", "", "", "", "", ""]]
    )
    with pytest.raises(rs.SheetImportError):
        rs.import_sheet(sheet, path2, actor="录入员", now=NOW)
    assert rs.import_sheet(sheet, path2, actor="录入员", now=NOW, late_entry=True).visits == 1
    with pytest.raises(rs.VisitTimeError, match="在将来"):
        with sheet.session() as s:
            rs.record_stop(s, rs.resolve_stop(s, "A004", round_id=sheet.ids["round"]), "met", actor="x",
                           visited_at=NOW + dt.timedelta(days=1), late_entry=True, now=NOW)  # fmt: skip


def test_importing_the_same_sheet_twice_changes_nothing(sheet, tmp_path):
    path = _write_full(tmp_path / "back.xlsx", [
        [1, "A001", "", "", "12-05", "10:40", "李敏", "见面", "", "", "交通出行", "路口缺红绿灯", ""],
        [1, "A001", "", "", "", "", "", "", "", "", "医疗卫生", "希望上门体检", "是"],
        [2, "A002", "", "", "12-05", "11:00", "李敏", "电话走访", "", "", "就业创业", "想找工作", ""],
    ])  # fmt: skip

    def state():
        with sheet.session() as s:
            return (count(s, Visit), count(s, Problem), count(s, ProblemEvent),
                    sorted(s.execute(select(Visit.target_id, Visit.outcome, Visit.visited_at)).all()))  # fmt: skip

    rs.import_sheet(sheet, path, actor="录入员", now=NOW)
    first = state()
    assert first[:2] == (2, 3)
    rs.import_sheet(sheet, path, actor="录入员", now=NOW)
    assert state() == first
    # a corrected sheet corrects the visit in place, keeps the problems, adds only the new one
    wb = openpyxl.load_workbook(path)
    wb.active["F5"], wb.active["H5"], wb.active["L5"] = "11:20", "见面", "想找工作，会开叉车"
    wb.save(path)
    rs.import_sheet(sheet, path, actor="录入员", now=NOW)
    after = state()
    assert after[0] == 2 and after[1] == 4
    assert (sheet.ids["targets"][1], "met", dt.datetime(2026, 12, 5, 11, 20)) in after[3]
