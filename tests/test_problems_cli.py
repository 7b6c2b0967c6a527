"""The problems and results commands: overdue list, escalation, deadlines, sheets round trip."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
from sqlalchemy import func, select

from gisplanner.campaign import problems as pw
from gisplanner.cli import run
from gisplanner.store.model import (
    Area,
    Assignment,
    Household,
    Problem,
    Round,
    Route,
    RouteStop,
    Team,
    Visit,
    VisitSession,
)


def _world(store):
    with store.session() as s:
        vil = Area(code="320412100201", name="潘家村", level="village")
        s.add(vil)
        s.flush()
        h = Household(name="王建国", lon=120.0, lat=31.5, area_id=vil.id)
        s.add(h)
        s.flush()
        mon = dt.datetime(2026, 11, 23, 10)
        late = pw.create_problem(
            s, target_id=h.id, category="public_safety", description="夜间有陌生车辆", actor="李敏", now=mon
        )
        pw.create_problem(
            s, target_id=h.id, category="transport", description="没有公交", actor="李敏", now=mon
        )
        return h.id, late.id


def test_overdue_escalate_and_show(empty_store, capsys):
    _tid, late = _world(empty_store)
    db = str(empty_store.sqlite_path)
    assert run(["problems", "overdue", "--db", db, "--today", "2026-11-26", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (
        out["overdue"] == 1 and out["problems"][0]["id"] == late and out["problems"][0]["days_overdue"] == 3
    )
    assert (
        run(["problems", "escalate", "--db", db, "--today", "2026-11-26", "--actor", "督查组", "--json"]) == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["escalated"] == 1 and out["problems"] == [{"id": late, "from": "village", "to": "town"}]
    assert run(["problems", "overdue", "--db", db, "--today", "2026-11-26", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overdue"] == 0
    assert run(["problems", "status", "--db", db, str(late), "rectification", "--actor", "李敏"]) == 1
    assert "不能从「待处理」改为「纳入集中整治」" in capsys.readouterr().err
    assert run(["problems", "show", "--db", db, str(late), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert [e["action"] for e in info["events"]] == ["create", "escalate"] and info["escalations"] == 1


def test_deadlines_are_configured_in_the_database(empty_store, capsys):
    db = str(empty_store.sqlite_path)
    assert run(["problems", "deadlines", "--db", db, "--set", "transport=10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["days"]["transport"] == 10
    assert run(["problems", "deadlines", "--db", db, "--set", "nonsense=3"]) == 1
    assert "未知的问题类别" in capsys.readouterr().err
    with empty_store.session() as s:
        assert pw.DeadlineRules.load(s).days_for("transport") == 10


def test_results_sheet_round_trip(empty_store, tmp_path, capsys):
    tid, _ = _world(empty_store)
    sat = (dt.datetime.now() - dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    with empty_store.session() as s:
        rnd = Round(name="冬季", status="running")
        s.add(rnd)
        s.flush()
        team = Team(round_id=rnd.id, name="第1组")
        sess = VisitSession(round_id=rnd.id, start=sat, end=sat + dt.timedelta(hours=2))
        s.add_all([team, sess])
        s.flush()
        route = Route(round_id=rnd.id, team_id=team.id, session_id=sess.id)
        route.stops = [RouteStop(seq=1, target_id=tid, eta=sat, code="K7")]
        s.add_all([route, Assignment(round_id=rnd.id, target_id=tid, team_id=team.id)])
        s.flush()
        rid = route.id
    db, path = str(empty_store.sqlite_path), tmp_path / "sheet.xlsx"
    assert run(["results", "sheet", "--db", db, "--route", str(rid), "--out", str(path)]) == 0
    assert "已导出" in capsys.readouterr().out
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    assert [c.value for c in ws[3]][:2] == [1, "K7"]
    ws["H3"], ws["K3"], ws["L3"] = "见面", "环境卫生", "垃圾清运不及时"
    ws["F3"], ws["G3"] = "10:15", "李敏"
    wb.save(path)
    expected = {"ok": True, "visits": 1, "problems": 1, "unplanned": 0, "blank_rows": 0}
    assert run(["results", "import", "--db", db, str(path), "--json"]) == 0  # route id printed on the sheet
    assert json.loads(capsys.readouterr().out) == expected
    # the same sheet again: idempotent (issue 15 #11), nothing counted twice
    assert run(["results", "import", "--db", db, str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == expected
    # a row dated tomorrow: exit 2, naming sheet, row and field, nothing written
    ws["E3"] = f"{dt.date.today() + dt.timedelta(days=1):%Y-%m-%d}"
    ws["K3"], ws["L3"] = "交通出行", "路灯不亮"
    wb.save(path)
    assert run(["results", "import", "--db", db, str(path)]) == 2
    assert f"路线单 {rid} 第3行「走访日期」" in capsys.readouterr().err
    with empty_store.session() as s:
        assert s.scalar(select(func.count()).select_from(Visit)) == 1
        assert (
            s.scalar(select(func.count()).select_from(Problem).where(Problem.category == "environment")) == 1
        )
        assert s.scalar(select(func.count()).select_from(Problem)) == 3  # 2 from _world, 1 from the sheet
        v = s.scalars(select(Visit)).one()
        assert (v.visited_at, v.visitors) == (sat.replace(hour=10, minute=15), "李敏")
