"""Issue 20, every GUI edit through the one save path: two officials edit the same visit session
(session calendar) or the same area (map digitising) at once → one is saved, the other is shown
the conflict (who, when, what) and chooses; nothing is lost silently. Both backends: two stores
(two connections) on one database."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("pytestqt")

from gisplanner.access import roles  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402
from gisplanner.store.model import Round, VisitSession  # noqa: E402


@pytest.fixture
def two_stores(two_towns):
    """Two officials' connections to one database, each signed in by name."""
    store_a, ids = two_towns
    store_b = Store.open(store_a.engine.url.render_as_string(hide_password=False))
    store_a.binding = roles.Binding("王主任", "admin", single_user=True)
    store_b.binding = roles.Binding("李干事", "admin", single_user=True)
    yield store_a, store_b, ids
    store_a.binding = None
    store_b.close()


@pytest.fixture
def a_session(two_stores):
    store_a, store_b, ids = two_stores
    with store_a.session() as s:
        r = Round(name="冬季走访", scope_area_id=ids["A"], start_date=dt.date(2026, 12, 1),
                  end_date=dt.date(2026, 12, 31))  # fmt: skip
        s.add(r)
        s.flush()
        v = VisitSession(round_id=r.id, start=dt.datetime(2026, 12, 5, 9), end=dt.datetime(2026, 12, 5, 11),
                         kind="weekend", label="周末上午")  # fmt: skip
        s.add(v)
        s.flush()
        return store_a, store_b, r.id, v.id


def calendar(qtbot, store, round_id, session_id):
    from PySide6.QtCore import QDate

    from gisplanner.ui.dialogs.session_calendar import SessionCalendarDialog

    dlg = SessionCalendarDialog(store, round_id)
    qtbot.addWidget(dlg)
    dlg.cal.setSelectedDate(QDate(2026, 12, 5))
    dlg.table.selectRow(0)
    assert dlg.selected_session()["id"] == session_id
    return dlg


def answer(monkeypatch, button: str, shown: list):
    from gisplanner.ui.conflict_dialog import ConflictDialog

    def exec_(dlg):
        shown.append(dlg.text())
        getattr(dlg, button).click()

    monkeypatch.setattr(ConflictDialog, "exec", exec_)


def session_row(store, sid):
    with store.session() as s:
        v = s.get(VisitSession, sid)
        return None if v is None else (v.start, v.end, v.team_ids, v.version, v.updated_by)


def test_two_officials_move_one_session_both_times_kept(a_session, qtbot, monkeypatch):
    from PySide6.QtCore import QTime

    store_a, store_b, rid, sid = a_session
    a, b = calendar(qtbot, store_a, rid, sid), calendar(qtbot, store_b, rid, sid)
    # A moves the start to 08:30 and saves first
    a.start.setTime(QTime(8, 30))
    assert a.save_session()
    # B, still on the old version, moves the end to 11:30: shown A's change, merges
    b.end.setTime(QTime(11, 30))
    shown: list = []
    answer(monkeypatch, "merge_button", shown)
    assert b.save_session()
    assert len(shown) == 1
    assert "王主任 于 " in shown[0] and "（UTC）" in shown[0]  # who and when
    assert "开始时间" in shown[0] and "08:30" in shown[0]  # what A changed
    assert "结束时间" in shown[0] and "11:30" in shown[0]  # what B is saving
    start, end, _teams, version, by = session_row(store_a, sid)
    assert (start.time(), end.time(), version, by) == (dt.time(8, 30), dt.time(11, 30), 3, "李干事")
    # B's calendar shows the merged session
    x = b.selected_session() or next(x for x in b.sessions if x["id"] == sid)
    assert (x["start"], x["end"]) == ("08:30", "11:30")


def test_taking_theirs_leaves_the_other_move_and_removing_a_moved_session_asks(a_session, qtbot, monkeypatch):
    from PySide6.QtCore import QTime

    store_a, store_b, rid, sid = a_session
    a, b = calendar(qtbot, store_a, rid, sid), calendar(qtbot, store_b, rid, sid)
    a.start.setTime(QTime(10, 0))
    assert a.save_session()
    shown: list = []
    answer(monkeypatch, "take_button", shown)
    b.start.setTime(QTime(9, 30))
    assert not b.save_session()  # B took A's version: B's time is not written over it
    assert "已被其他人修改" in b.message.text()
    assert session_row(store_a, sid)[0].time() == dt.time(10, 0)
    # B, still showing the old row in a third window, removes it: asked first, keeps it
    c = calendar(qtbot, store_b, rid, sid)
    a.end.setTime(QTime(12, 0))
    assert a.save_session()
    assert not c.remove_session()
    assert len(shown) == 2 and "删除时段" in shown[1] and "12:00" in shown[1]
    assert session_row(store_a, sid) is not None
    # … and removes it when they say so, over the version they were shown
    answer(monkeypatch, "keep_button", shown)
    c.reload()
    a.end.setTime(QTime(11, 45))
    assert a.save_session()
    assert c.remove_session()
    assert session_row(store_a, sid) is None


# -- area edits on the map --------------------------------------------------------------------------
@pytest.fixture
def two_maps(two_stores, open_window):
    store_a, store_b, ids = two_stores
    return open_window(store_a), open_window(store_b), ids


def scaled(w, aid, factor):
    """The area's shape on w's map, grown or shrunk about its centre (map coordinates)."""
    from shapely import affinity

    return affinity.scale(w.map_widget.data.area_index.geometry(aid), factor, factor)


def boundary(store, aid):
    import shapely

    from gisplanner.store.model import Area

    with store.session() as s:
        a = s.get(Area, aid)
        return shapely.from_wkb(a.boundary), a.version, a.updated_by


def test_two_officials_reshape_one_village(two_maps, qtbot, monkeypatch):
    a, b, ids = two_maps
    aid = ids["A1"]
    original = boundary(a.store, aid)[0]
    with qtbot.waitSignal(a.mapLoaded, timeout=30_000):  # A grows the village and saves first
        assert a.panels.area_editor.reshape(aid, scaled(a, aid, 1.2)) is not None
    grown = boundary(a.store, aid)[0]
    assert grown.area > original.area * 1.3
    # B, on a map drawn before A's save, shrinks it: shown A's change, keeps their own shape
    shown: list = []
    answer(monkeypatch, "keep_button", shown)
    with qtbot.waitSignal(b.mapLoaded, timeout=30_000):
        assert b.panels.area_editor.reshape(aid, scaled(b, aid, 0.8)) is not None
    assert len(shown) == 1
    assert "王主任 于 " in shown[0] and "（UTC）" in shown[0]  # who and when
    assert "边界" in shown[0] and "多边形" in shown[0]  # what: the shape A saved, the shape B drew
    shape, version, by = boundary(a.store, aid)
    assert (version, by) == (3, "李干事") and shape.area < original.area * 0.7
    # A undoes their edit, unaware of B's: asked first, takes B's version: B's shape stays
    answer(monkeypatch, "take_button", shown)
    with qtbot.waitSignal(a.mapLoaded, timeout=30_000):
        a.undo_stack.undo()
    assert len(shown) == 2 and "李干事 于 " in shown[1] and "撤销" in shown[1]
    assert boundary(a.store, aid)[:2] == (shape, 3)
    assert "已被其他人修改" in a.panels.area_editor.last_error


def test_a_split_planned_after_another_save_keeps_both(two_maps, qtbot, monkeypatch):
    a, b, ids = two_maps
    aid = ids["A1"]
    shown: list = []
    answer(monkeypatch, "take_button", shown)
    with qtbot.waitSignal(a.mapLoaded, timeout=30_000):  # A grows 潘家村 …
        assert a.panels.area_editor.reshape(aid, scaled(a, aid, 1.2)) is not None
    grown = boundary(a.store, aid)[0]
    # … B splits it on a map drawn before: the pieces are cut from A's saved shape, nothing to ask
    c = b.map_widget.data.area_index.geometry(aid).centroid
    with qtbot.waitSignal(b.mapLoaded, timeout=30_000):
        assert b.panels.area_editor.split_with([(c.x, c.y - 5000), (c.x, c.y + 5000)]) is not None, (
            b.panels.area_editor.last_error
        )
    assert shown == []
    from gisplanner.store.model import Area

    with a.store.session() as s:
        kids = [r for r in s.query(Area).filter(Area.parent_id == ids["A"])]
        assert len(kids) == 3  # 潘家村 in two pieces, and 城湾村
    import shapely

    pieces = [shapely.from_wkb(k.boundary) for k in kids if k.id != ids["A2"]]
    assert abs(shapely.union_all(pieces).area - grown.area) < grown.area * 1e-6
