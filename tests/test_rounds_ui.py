"""The round editor, the session calendar and the cadre roster, driven as a user would."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from sqlalchemy import select

from gisplanner.campaign import rounds
from gisplanner.campaign.schedule import team_session_ids
from gisplanner.store.model import Cadre, Round, VisitSession

pytest.importorskip("pytestqt")


def _sessions(store, rid):
    with store.session() as s:
        return rounds.list_sessions(s, rid)


def test_round_dialog_creates_and_edits_a_round(qtbot, demo_store_copy):
    from gisplanner.ui.dialogs.round_dialog import RoundDialog

    store = demo_store_copy
    dlg = RoundDialog(store)
    qtbot.addWidget(dlg)
    dlg.name.setText("2026年国庆走访")
    dlg.area.setCurrentIndex(dlg.area.findData("320412101000"))
    dlg.start.setDate(QDate(2026, 9, 28))
    dlg.end.setDate(QDate(2026, 10, 11))
    dlg.templates["workday"].setChecked(False)
    dlg.accept()
    assert dlg.result() == dlg.DialogCode.Accepted and dlg.created is not None
    got = _sessions(store, dlg.round_id)
    assert got and {s["kind"] for s in got} == {"evening", "weekend"}
    assert not any(s["kind"] == "evening" and "2026-10-01" <= s["date"] <= "2026-10-07" for s in got)
    # edit: dates that would leave sessions outside are refused with the reason, nothing changes
    edit = RoundDialog(store, dlg.round_id)
    qtbot.addWidget(edit)
    edit.start.setDate(QDate(2026, 10, 5))
    edit.accept()
    assert "不在新的日期" in edit.error.text() and edit.result() != edit.DialogCode.Accepted
    edit.start.setDate(QDate(2026, 9, 28))
    edit.status.setCurrentIndex(edit.status.findData("running"))
    edit.accept()
    with store.session() as s:
        rnd = s.get(Round, dlg.round_id)
        assert (rnd.status, rnd.start_date) == ("running", dt.date(2026, 9, 28))


def test_session_calendar_add_move_mark_remove(qtbot, demo_store_copy):
    from gisplanner.teams.formation import form_round_teams
    from gisplanner.ui.dialogs.session_calendar import SessionCalendarDialog

    store = demo_store_copy
    form_round_teams(store, 2)
    dlg = SessionCalendarDialog(store, 2)
    qtbot.addWidget(dlg)
    dlg.show()
    before = len(dlg.sessions)
    assert before == 61 and "61" in dlg.summary.text()
    # the first day (Sat 12-05) shows its two weekend sessions
    assert dlg.table.rowCount() == 2 and "周末" in dlg.table.item(0, 1).text()
    # add an evening on Saturday 12-05, for the first team only
    dlg.start.setTime(QTime(19, 0))
    dlg.end.setTime(QTime(20, 30))
    first_team = dlg.team_list.item(0)
    first_team.setCheckState(Qt.CheckState.Checked)
    assert dlg.add_session()
    assert len(dlg.sessions) == before + 1 and dlg.table.rowCount() == 3
    added = max(dlg.sessions, key=lambda x: x["id"])
    assert added["teams"] == [first_team.data(Qt.ItemDataRole.UserRole)]
    # an overlapping one for the same team is refused, with the reason, nothing written
    assert not dlg.add_session()
    assert "重叠" in dlg.message.text() and len(_sessions(store, 2)) == before + 1
    # move it to Sunday 13:00-14:00 and open it to every team
    row = next(
        r
        for r in range(dlg.table.rowCount())
        if dlg.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == added["id"]
    )
    dlg.table.selectRow(row)
    assert dlg.start.time() == QTime(19, 0)
    dlg.date.setDate(QDate(2026, 12, 6))
    dlg.start.setTime(QTime(12, 0))
    dlg.end.setTime(QTime(13, 30))
    first_team.setCheckState(Qt.CheckState.Unchecked)
    assert dlg.save_session(), dlg.message.text()
    with store.session() as s:
        v = s.get(VisitSession, added["id"])
        assert (v.start, v.end, v.team_ids, v.kind) == (
            dt.datetime(2026, 12, 6, 12), dt.datetime(2026, 12, 6, 13, 30), [], "weekend",
        )  # fmt: skip
        # open to every team now: a team can go out in it exactly when it can in that Sunday's morning
        sunday_am = s.scalar(select(VisitSession.id).where(VisitSession.start == dt.datetime(2026, 12, 6, 9)))
        assert all((added["id"] in ids) == (sunday_am in ids) for ids in team_session_ids(s, 2).values())
    # remove it
    dlg.cal.setSelectedDate(QDate(2026, 12, 6))
    row = next(
        r
        for r in range(dlg.table.rowCount())
        if dlg.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == added["id"]
    )
    dlg.table.selectRow(row)
    assert dlg.remove_session()
    assert len(_sessions(store, 2)) == before


def test_template_times_are_settings(qtbot, demo_store_copy):
    from gisplanner.ui.dialogs.session_calendar import SessionCalendarDialog, TemplateDialog

    store = demo_store_copy
    dlg = TemplateDialog(store)
    qtbot.addWidget(dlg)
    tpl, a, b = next(r for r in dlg.rows if r[0].kind == "evening")
    a.setTime(QTime(18, 30))
    b.setTime(QTime(20, 30))
    dlg.accept()
    cal = SessionCalendarDialog(store, 2)
    qtbot.addWidget(cal)
    with store.session() as s:
        s.execute(VisitSession.__table__.delete().where(VisitSession.round_id == 2))
    cal.reload()
    assert cal.generate()
    evenings = [x for x in _sessions(store, 2) if x["kind"] == "evening"]
    assert evenings and {(x["start"], x["end"]) for x in evenings} == {("18:30", "20:30")}


def test_cadre_roster_edits_availability(qtbot, demo_store_copy, demo_facts):
    from gisplanner.ui.dialogs.cadre_roster import CadreRosterDialog
    from gisplanner.ui.models.cadre_table import KIND_COLUMNS, LEAVE_COLUMN

    store = demo_store_copy
    dlg = CadreRosterDialog(store)
    qtbot.addWidget(dlg)
    model = dlg.model
    assert model.rowCount() == demo_facts.cadres
    assert model.headerData(LEAVE_COLUMN, Qt.Orientation.Horizontal) == "请假日期"
    cid = model.rows[0]["id"]
    weekend_col = next(c for c, k in KIND_COLUMNS.items() if k == "weekend")
    evening_col = next(c for c, k in KIND_COLUMNS.items() if k == "evening")
    model.setData(model.index(0, weekend_col), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    model.setData(model.index(0, evening_col), Qt.CheckState.Unchecked.value, Qt.ItemDataRole.CheckStateRole)
    assert model.setData(model.index(0, LEAVE_COLUMN), "2026-12-12:2026-12-13；2026-12-20")
    assert not model.setData(model.index(0, LEAVE_COLUMN), "2026-12-13:2026-12-12")
    assert "早于" in dlg.message.text()
    with store.session() as s:
        c = s.get(Cadre, cid)
        assert "weekend" in c.kinds and "evening" not in c.kinds
        assert [(lv.start_date, lv.end_date) for lv in c.leaves] == [
            (dt.date(2026, 12, 12), dt.date(2026, 12, 13)), (dt.date(2026, 12, 20), dt.date(2026, 12, 20)),
        ]  # fmt: skip
    assert model.data(model.index(0, LEAVE_COLUMN)) == "2026-12-12:2026-12-13；2026-12-20"


def test_menu_entries_open_the_dialogs(qtbot, demo_store_copy, demo_facts):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    with qtbot.waitSignal(w.mapLoaded, timeout=30_000):
        w.set_store(demo_store_copy)
    menu = w.panels.rounds_menu
    assert menu.calendar_action.text() == "走访时段日历…"
    menu.calendar_action.trigger()
    assert menu.last_dialog.isVisible() and menu.last_dialog.round_id == w.current_round_id
    menu.last_dialog.close()
    menu.roster_action.trigger()
    assert menu.last_dialog.model.rowCount() == demo_facts.cadres
    menu.last_dialog.close()
    menu.new_action.trigger()
    dlg = menu.last_dialog
    dlg.name.setText("春季走访")
    dlg.start.setDate(QDate(2027, 3, 1))
    dlg.end.setDate(QDate(2027, 3, 14))
    dlg.accept()
    with demo_store_copy.session() as s:
        rid = s.scalar(select(Round.id).where(Round.name == "春季走访"))
    assert rid is not None and w.current_round_id == rid


def test_calendar_day_overrides_from_the_calendar(qtbot, demo_store_copy):
    from gisplanner.campaign.cncalendar import HolidayCalendar
    from gisplanner.ui.dialogs.session_calendar import SessionCalendarDialog

    store = demo_store_copy
    dlg = SessionCalendarDialog(store, 2)
    qtbot.addWidget(dlg)
    dlg.cal.setSelectedDate(QDate(2026, 12, 12))  # a Saturday: a working day now
    dlg.set_day(True)
    assert "手动设置为工作日" in dlg.message.text() and "手动设置为工作日" in dlg.day_label.text()
    with store.session() as s:
        assert HolidayCalendar.load(s).is_workday(dt.date(2026, 12, 12))
        s.execute(VisitSession.__table__.delete().where(VisitSession.round_id == 2))
    dlg.reload()
    assert dlg.generate()
    kinds = {x["kind"] for x in _sessions(store, 2) if x["date"] == "2026-12-12"}
    assert kinds == {"evening", "workday"}
    dlg.set_day(None)
    with store.session() as s:
        assert not HolidayCalendar.load(s).is_workday(dt.date(2026, 12, 12))
