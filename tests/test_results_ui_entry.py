"""Keyboard entry of a returned route sheet in sheet order (pytest-qt)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from gisplanner.store.model import (  # noqa: E402
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

SAT = dt.datetime.combine(dt.date.today() - dt.timedelta(days=2), dt.time(9, 0))  # a sheet come back


def build_sheets(store, sheets: int = 1, stops: int = 6) -> dict:
    """A round with `sheets` route sheets of `stops` stops each (codes S01-01 …)."""
    import shapely
    from shapely.geometry import box

    with store.session() as s:
        town = Area(
            code="320412100000",
            name="雪堰镇",
            level="town",
            boundary=shapely.to_wkb(box(119.9, 31.4, 120.1, 31.6)),
        )
        s.add(town)
        s.flush()
        vil = Area(code="320412100201", name="潘家村", level="village", parent_id=town.id,
                   boundary=shapely.to_wkb(box(119.9, 31.4, 120.1, 31.6)))  # fmt: skip
        s.add(vil)
        s.flush()
        rnd = Round(name="冬季大走访", status="running", scope_area_id=town.id)
        s.add(rnd)
        s.flush()
        sess = VisitSession(round_id=rnd.id, label="周末上午", start=SAT, end=SAT + dt.timedelta(hours=3))
        s.add(sess)
        routes = []
        for k in range(sheets):
            team = Team(round_id=rnd.id, name=f"第{k + 1}组")
            s.add(team)
            s.flush()
            route = Route(round_id=rnd.id, team_id=team.id, session_id=sess.id)
            s.add(route)
            s.flush()
            for i in range(1, stops + 1):
                h = Household(
                    name=f"户{k + 1}-{i}", lon=120.0 + i * 1e-4, lat=31.5 + k * 1e-4, area_id=vil.id
                )
                s.add(h)
                s.flush()
                s.add(Assignment(round_id=rnd.id, target_id=h.id, team_id=team.id))
                s.add(RouteStop(route_id=route.id, seq=i, target_id=h.id, eta=SAT + dt.timedelta(minutes=20 * i),
                                code=f"S{k + 1:02d}-{i:02d}"))  # fmt: skip
            routes.append(route.id)
        return {"round": rnd.id, "routes": routes}


@pytest.fixture
def window(open_window, empty_store):
    ids = build_sheets(empty_store, sheets=2, stops=6)
    w = open_window(empty_store, front=["results", "problems"], loaded=["problems"])
    w.ids = ids
    return w


def settle(qtbot, w) -> None:
    """Let the window's background tasks end inside the test (pytest-qt closes it before fixtures end)."""
    for _ in range(3):  # a finished task may have started another
        qtbot.waitUntil(lambda: not w._tasks and not w.panels.problems.busy, timeout=30_000)
        qtbot.wait(50)


def type_text(qtbot, widget, text: str) -> None:
    """Type text key by key; Chinese characters arrive as key events carrying the text (as an
    input method commits them) since QTest only synthesises ASCII keys."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))


def type_stop(qtbot, panel, outcome_key: str, note: str = "", problems=()):
    qtbot.keyClick(panel.outcome_edit, outcome_key)
    if note:
        type_text(qtbot, panel.note_edit, note)
    if problems:
        for cat, desc in problems:
            panel.cat_edit.setFocus()
            qtbot.keyClicks(panel.cat_edit, cat)
            type_text(qtbot, panel.desc_edit, desc)
            qtbot.keyClick(panel.desc_edit, Qt.Key.Key_Return)
        qtbot.keyClick(panel.desc_edit, Qt.Key.Key_Return)  # empty problem line: save the stop
    else:
        qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return)


def test_keyboard_entry_in_sheet_order(window, qtbot):
    panel = window.panels.results
    assert panel.route_combo.count() == 2
    panel.select_route(window.ids["routes"][0])
    assert panel.current == 0 and panel.outcome_edit.hasFocus()
    # stop 1 met with a note and a problem, 2 not home, 3 refused, 4 moved, 5 phone, 6 met
    type_stop(qtbot, panel, "1", "老两口身体好", [("9", "村里到镇上没有公交")])
    assert panel.current == 1 and panel.outcome_edit.hasFocus()
    for key in "2345":
        type_stop(qtbot, panel, key)
    type_stop(qtbot, panel, "1")
    assert "本路线单已录完" in panel.stop_label.text()
    # jumping by the printed code corrects stop 2 (not home -> met): no second visit
    qtbot.keyClicks(panel.key_edit, "s01-02")
    qtbot.keyClick(panel.key_edit, Qt.Key.Key_Return)
    assert panel.current == 1
    type_stop(qtbot, panel, "1")
    with window.store.session() as s:
        rows = s.execute(
            select(RouteStop.seq, Visit.outcome, Visit.notes)
            .join(Visit, Visit.target_id == RouteStop.target_id)
            .where(RouteStop.route_id == window.ids["routes"][0])
            .order_by(RouteStop.seq)
        ).all()
        assert rows == [(1, "met", "老两口身体好"), (2, "met", None), (3, "refused", None), (4, "moved", None),
                        (5, "phone", None), (6, "met", None)]  # fmt: skip
        p = s.scalars(select(Problem)).one()
        assert (p.category, p.description, p.status) == ("transport", "村里到镇上没有公交", "open")
    assert panel.table.item(2, 4).text() == "拒访"
    # a new plan adds a sheet: the list follows, the sheet being entered stays selected
    with window.store.session() as s:
        r0 = s.get(Route, window.ids["routes"][0])
        s.add(Route(round_id=r0.round_id, team_id=r0.team_id, session_id=r0.session_id))
    window.dataChanged.emit()
    assert panel.route_combo.count() == 3 and panel.route_id == window.ids["routes"][0]
    settle(qtbot, window)


def test_bad_input_is_reported_in_place(window, qtbot):
    panel = window.panels.results
    panel.select_route(window.ids["routes"][0])
    qtbot.keyClicks(panel.key_edit, "99")
    qtbot.keyClick(panel.key_edit, Qt.Key.Key_Return)
    assert "没有第 99 站" in panel.message.text()
    panel.outcome_edit.setFocus()
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return)  # no outcome yet
    assert "请先按 1–5" in panel.message.text()
    qtbot.keyClick(panel.outcome_edit, "2")
    panel.cat_edit.setFocus()
    qtbot.keyClicks(panel.cat_edit, "1")
    type_text(qtbot, panel.desc_edit, "想了解补贴")
    qtbot.keyClick(panel.desc_edit, Qt.Key.Key_Return)
    qtbot.keyClick(panel.desc_edit, Qt.Key.Key_Return)
    assert "不能登记" in panel.message.text()  # not home: no problems can be raised
    with window.store.session() as s:
        assert s.scalars(select(Visit)).first() is None
    settle(qtbot, window)


def test_entry_takes_the_real_time_who_went_and_the_appointment(window, qtbot):
    from PySide6.QtCore import QDate, QTime

    panel = window.panels.results
    rid = window.ids["routes"][0]
    panel.select_route(rid)
    # the picker shows the sheet number printed on the sheet, and the codes it carries
    assert panel.route_combo.currentText().startswith(f"路线单 {rid} · 第1组")
    assert "户码 S01-…" in panel.route_combo.currentText()
    # the time starts at the session's, not at a planned arrival
    assert panel.visited_at() == SAT
    panel.time_edit.setTime(QTime(10, 40))
    panel.visitors_edit.setText("李敏、王强")
    qtbot.keyClick(panel.outcome_edit, "2")
    type_text(qtbot, panel.appt_edit, "周六晚上")  # not a date: refused in place, nothing saved
    qtbot.keyClick(panel.appt_edit, Qt.Key.Key_Return)
    assert "约定回访时间" in panel.message.text() and panel.current == 0
    panel.appt_edit.clear()
    later = SAT + dt.timedelta(days=3)
    type_text(qtbot, panel.appt_edit, f"{later:%m-%d} 19:30")
    qtbot.keyClick(panel.appt_edit, Qt.Key.Key_Return)
    assert panel.current == 1, panel.message.text()
    # tomorrow cannot be typed back; a date before the session only with 补录
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    panel.date_edit.setDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
    qtbot.keyClick(panel.outcome_edit, "1")
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return)
    assert "在将来" in panel.message.text() and panel.current == 1
    before = SAT.date() - dt.timedelta(days=1)
    panel.date_edit.setDate(QDate(before.year, before.month, before.day))
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return)
    assert "早于该路线单的走访时段" in panel.message.text() and panel.current == 1
    panel.late_entry.setChecked(True)
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_Return)
    assert panel.current == 2
    with window.store.session() as s:
        got = s.execute(select(Visit.outcome, Visit.visited_at, Visit.visitors, Visit.appointment_at)
                        .order_by(Visit.id)).all()  # fmt: skip
    assert got == [
        ("not_home", SAT.replace(hour=10, minute=40), "李敏、王强", later.replace(hour=19, minute=30)),
        ("met", dt.datetime.combine(before, dt.time(10, 40)), "李敏、王强", None),
    ]
    settle(qtbot, window)
