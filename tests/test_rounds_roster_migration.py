"""Cadre availability from the roster file (可走访时段 / 请假日期 / 所在村) and the migration of
the old availability flags."""

from __future__ import annotations

import datetime as dt

import openpyxl
from sqlalchemy import select, text

from gisplanner.io.roster_import import import_roster, preview_roster
from gisplanner.store.model import Area, Cadre


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_roster_reads_session_kinds_leave_and_home_village(demo_store_copy, tmp_path):
    store = demo_store_copy
    with store.session() as s:
        village = s.scalars(select(Area).where(Area.level == "village").order_by(Area.code)).first().name
    rows = [
        ["编号", "姓名", "性别", "出生年月", "可走访时段", "请假日期", "所在村"],
        ["N1", "只晚上", "男", "1980.05", "工作日晚上", "", village],
        ["N2", "周末和白天", "女", "1990.01", "周末、工作日白天", "2026-12-10至2026-12-15；2026-12-20", ""],
        ["N3", "都行", "男", "1975.03", "全部", "", "没有这个村"],
        ["N4", "写错", "女", "1985.03", "下午", "", ""],
        ["N5", "日期错", "女", "1985.03", "周末", "2026-12-15至2026-12-10", ""],
    ]
    pv = preview_roster(store, _xlsx(tmp_path / "c.xlsx", rows), "cadres")
    reasons = {(i.row, i.field): i.message for i in pv.issues}
    assert "下午" in reasons[(5, "可走访时段")] and "早于" in reasons[(6, "请假日期")]
    res = import_roster(store, pv)
    assert (res.inserted, res.rejected) == (3, 2)
    assert any("没有这个村" in i.message for i in res.issues)
    with store.session() as s:
        got = {c.ext_id: c for c in s.scalars(select(Cadre).where(Cadre.ext_id.in_(["N1", "N2", "N3"])))}
        assert got["N1"].kinds == ("evening",) and got["N1"].home_area_id is not None
        assert got["N2"].kinds == ("weekend", "workday")
        assert [(lv.start_date, lv.end_date) for lv in got["N2"].leaves] == [
            (dt.date(2026, 12, 10), dt.date(2026, 12, 15)),
            (dt.date(2026, 12, 20), dt.date(2026, 12, 20)),
        ]
        assert got["N3"].kinds == ("evening", "weekend", "workday") and got["N3"].home_area_id is None
    # the same file again changes nothing; a new leave column value replaces the old leave
    again = import_roster(store, preview_roster(store, tmp_path / "c.xlsx", "cadres"))
    assert (again.inserted, again.updated) == (0, 0)
    rows[2][5] = ""
    import_roster(store, preview_roster(store, _xlsx(tmp_path / "d.xlsx", rows), "cadres"))
    with store.session() as s:
        assert s.scalar(select(Cadre).where(Cadre.ext_id == "N2")).leaves == []


def test_old_yes_no_columns_still_work(demo_store_copy, tmp_path):
    rows = [
        ["编号", "姓名", "性别", "出生年月", "工作日晚上可走访", "周末可走访"],
        ["O1", "老表甲", "男", "1980.05", "否", "是"],
        ["O2", "老表乙", "女", "1990.01", "是", "否"],
    ]
    import_roster(
        demo_store_copy, preview_roster(demo_store_copy, _xlsx(tmp_path / "o.xlsx", rows), "cadres")
    )
    with demo_store_copy.session() as s:
        got = {c.ext_id: c.kinds for c in s.scalars(select(Cadre).where(Cadre.ext_id.in_(["O1", "O2"])))}
    assert got == {"O1": ("weekend", "workday"), "O2": ("evening", "workday")}


def test_migration_turns_the_old_flags_into_kinds(tmp_path):
    from alembic import command

    from gisplanner.store.database import Store, _alembic_config

    store = Store.open(tmp_path / "old.sqlite", upgrade=False)
    cfg = _alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO round (id, name, kind, status, version, created_at) VALUES "
                          "(1, '旧轮次', 'regular', 'finished', 1, '2026-01-01')"))  # fmt: skip
        for i, (ev, we) in enumerate([(1, 1), (1, 0), (0, 1)], start=1):
            conn.execute(
                text("INSERT INTO cadre (id, name, gender, birth_year, is_local, is_leader, avail_weekday_evening, "
                     "avail_weekend, active, version) VALUES (:i, :n, 'M', 1980, 1, 0, :ev, :we, 1, 1)"),
                {"i": i, "n": f"干部{i}", "ev": ev, "we": we},
            )  # fmt: skip
        for i, start in enumerate(
            ["2026-12-05 09:00:00", "2026-12-07 19:00:00", "2026-12-08 14:00:00"], start=1
        ):
            conn.execute(
                text(
                    'INSERT INTO visit_session (id, round_id, start, "end", holiday) VALUES (:i, 1, :a, :b, 0)'
                ),
                {"i": i, "a": start, "b": start.replace(":00:00", ":59:00")},
            )
    store.close()
    store = Store.open(tmp_path / "old.sqlite")
    with store.session() as s:
        assert [c.avail_kinds for c in s.scalars(select(Cadre).order_by(Cadre.id))] == [
            "evening,weekend,workday", "evening,workday", "weekend,workday",
        ]  # fmt: skip
        kinds = s.execute(text("SELECT kind FROM visit_session ORDER BY id")).scalars().all()
        assert kinds == ["weekend", "evening", "workday"]
        assert s.execute(text("SELECT status FROM round")).scalar() == "closed"
