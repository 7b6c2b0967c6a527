"""Several offices on one PostgreSQL database, from the GUI (issue 20): two main windows edit the
same problem at once → one is saved, the other is shown the conflict (who, when, what) and
nothing is lost."""

from __future__ import annotations

import pytest
from conftest import raise_panel
from sqlalchemy import select

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt  # noqa: E402

from gisplanner.campaign import problems as pw  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402
from gisplanner.store.model import Problem, Round  # noqa: E402

pytestmark = pytest.mark.postgres


def open_window(qtbot, store, actor):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    make_application()
    w = MainWindow()
    qtbot.addWidget(w)
    w.panels.problems.actor = actor
    w.show()
    raise_panel(w.panels.problems)  # its tab in front: it loads with the data
    with qtbot.waitSignals([w.panels.problems.loaded, w.mapLoaded], timeout=30_000):
        w.set_store(store)
    return w


def settle(qtbot, *windows) -> None:
    for w in windows:
        for _ in range(3):
            qtbot.waitUntil(lambda w=w: not w._tasks and not w.panels.problems.busy, timeout=30_000)
            qtbot.wait(50)


@pytest.fixture
def two_offices(two_towns, backend, qtbot):
    if backend != "postgresql":
        pytest.skip("several offices share a PostgreSQL database")
    store_a, ids = two_towns
    store_b = Store.open(store_a.engine.url.render_as_string(hide_password=False))
    a = open_window(qtbot, store_a, "王主任")
    b = open_window(qtbot, store_b, "李干事")
    yield a, b, ids
    settle(qtbot, a, b)
    store_b.close()


def test_two_windows_edit_one_problem_nothing_is_lost(two_offices, qtbot, monkeypatch):
    from gisplanner.ui.conflict_dialog import ConflictDialog

    a, b, ids = two_offices
    pid = ids["problem_A"]
    for w in (a, b):  # both officials open the same problem
        assert w.panels.problems.select_problem(pid)
    # A takes it on and saves first
    with qtbot.waitSignal(a.panels.problems.loaded, timeout=30_000):
        qtbot.mouseClick(a.panels.problems.buttons["签收办理"], Qt.MouseButton.LeftButton)
    # B, still looking at the old version, answers the household
    monkeypatch.setattr(
        "PySide6.QtWidgets.QInputDialog.getMultiLineText", lambda *_a, **_k: ("路已报修，下周施工", True)
    )
    shown = []

    def keep_mine(dlg):  # B is shown A's change — who, when, what — and keeps their own too
        shown.append(dlg.text())
        dlg.keep_button.click()

    monkeypatch.setattr(ConflictDialog, "exec", keep_mine)
    with qtbot.waitSignal(b.panels.problems.loaded, timeout=30_000):
        qtbot.mouseClick(b.panels.problems.buttons["答复群众…"], Qt.MouseButton.LeftButton)
    assert len(shown) == 1
    text = shown[0]
    assert "王主任 于 " in text and "（UTC）" in text  # who and when
    assert "状态 | 待处理 | 办理中 | （未改）" in text  # what A changed
    assert "答复群众" in text  # what B was doing
    with a.store.session() as s:  # both changes are in the database, one after the other
        p = s.get(Problem, pid)
        assert (p.status, p.reply, p.version) == ("in_progress", "路已报修，下周施工", 3)
        events = [(e.actor, e.action) for e in pw.history(s, pid)]
    assert events[-2:] == [("王主任", "status"), ("李干事", "reply")]


def test_taking_theirs_drops_only_my_unsaved_step(two_offices, qtbot, monkeypatch):
    from gisplanner.ui.conflict_dialog import ConflictDialog

    a, b, ids = two_offices
    pid = ids["problem_A"]
    for w in (a, b):
        assert w.panels.problems.select_problem(pid)
    with qtbot.waitSignal(a.panels.problems.loaded, timeout=30_000):
        qtbot.mouseClick(a.panels.problems.buttons["签收办理"], Qt.MouseButton.LeftButton)
    monkeypatch.setattr(ConflictDialog, "exec", lambda dlg: dlg.take_button.click())
    with qtbot.waitSignal(b.panels.problems.loaded, timeout=30_000):
        qtbot.mouseClick(b.panels.problems.buttons["签收办理"], Qt.MouseButton.LeftButton)
    with b.store.session() as s:
        assert s.scalar(select(Problem.status).where(Problem.id == pid)) == "in_progress"
        assert [e.actor for e in pw.history(s, pid)][-1] == "王主任"  # B's step was not written twice
    # B's table now shows A's version (the refreshed row), ready for B's next step
    assert b.panels.problems.select_problem(pid)
    assert b.panels.problems.current_row()["status"] == "in_progress"


def test_a_data_entry_clerk_sees_only_what_the_role_allows(qtbot, demo_store_copy):
    from gisplanner.access import roles
    from gisplanner.access.scope import UserScope
    from gisplanner.store.area_tree import AreaTree

    idx = AreaTree.load(demo_store_copy)
    town = int(idx.frame.index[idx.frame["level"] == "town"][0])
    demo_store_copy.binding = roles.Binding("lu_xiaomei", "entry", UserScope.for_area(demo_store_copy, town))
    w = open_window(qtbot, demo_store_copy, "lu_xiaomei")
    assert w._signin_label.text().startswith("登录：lu_xiaomei · 录入员 · ")
    panel = w.panels.problems
    panel.table.selectRow(0)
    assert panel.current_row() is not None
    assert not any(b.isEnabled() for b in panel.buttons.values())  # no workflow steps, no 督办
    assert not panel.escalate_all.isEnabled()
    assert not w.panels.teams.assign_button.isEnabled() and not w.panels.teams.form_button.isEnabled()
    assert not any(a.isEnabled() for a in w.menus["走访轮次"].actions())
    # the same window on a supervisor's binding: the buttons are back
    demo_store_copy.binding = roles.Binding("li_zr", "supervisor", UserScope.for_area(demo_store_copy, town))
    with qtbot.waitSignals([w.panels.problems.loaded, w.mapLoaded], timeout=30_000):
        w.set_store(demo_store_copy)
    panel.table.selectRow(0)
    assert panel.escalate_all.isEnabled() and w.panels.teams.assign_button.isEnabled()
    assert any(b.isEnabled() for b in panel.buttons.values())
    settle(qtbot, w)


def test_a_change_in_window_a_appears_in_window_b(two_offices, qtbot):
    import time

    a, b, ids = two_offices
    pid = ids["problem_A"]
    assert b.live_updates is not None and a.live_updates is not None
    refreshed = []
    b.live_updates.refreshed.connect(refreshed.append)
    a.live_updates.refreshed.connect(lambda t: refreshed.append(("A", t)))
    assert a.panels.problems.select_problem(pid)
    t0 = time.perf_counter()
    with qtbot.waitSignal(a.panels.problems.loaded, timeout=30_000):
        qtbot.mouseClick(a.panels.problems.buttons["签收办理"], Qt.MouseButton.LeftButton)

    def b_shows_it() -> bool:
        row = b.panels.problems.all[b.panels.problems.all["id"] == pid]
        return len(row) == 1 and row["status"].iloc[0] == "in_progress"

    qtbot.waitUntil(b_shows_it, timeout=2_000)  # the check: within 2 s, nobody pressed refresh
    print(f"window B showed window A's change after {time.perf_counter() - t0:.2f} s")
    # only what the problems feed was refreshed in B (not the map); A skipped its own notice
    assert refreshed == [{"problem", "problem_event"}]
    # a new round made in another office appears in B's round list
    with a.store.session() as s:
        s.add(Round(name="春季走访（他处新建）", scope_area_id=ids["A"]))
    qtbot.waitUntil(
        lambda: any(
            b.round_combo.itemText(i).startswith("春季走访（他处新建）") for i in range(b.round_combo.count())
        ),
        timeout=2_000,
    )


def test_a_town_login_under_row_level_security_opens_its_town(two_towns, backend, qtbot):
    """A real town login (its own PostgreSQL role, row-level security on) signs in and draws its
    town: the server's policies and the app's scope agree."""
    import uuid

    from sqlalchemy import event, text

    from gisplanner.access import roles
    from gisplanner.store import pg

    if backend != "postgresql":
        pytest.skip("row-level security is PostgreSQL's")
    store, ids = two_towns
    role = f"gp_t_{uuid.uuid4().hex[:8]}"
    pg.enable_row_level_security(store.engine)
    pg.grant_official(store.engine, role, ids["A"], create=True, app_role="planner")
    with store.engine.begin() as conn:
        conn.execute(text(f"GRANT {role} TO CURRENT_USER"))
    town = Store.open(store.engine.url.render_as_string(hide_password=False), upgrade=False)

    @event.listens_for(town.engine, "connect")
    def _as(dbapi_conn, _rec):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET ROLE {role}")
        dbapi_conn.commit()

    try:
        b = roles.sign_in(town)
        assert (b.role, b.scope.area_id) == ("planner", ids["A"])
        w = open_window(qtbot, town, role)
        assert set(w.map_widget.data.targets["id"].astype(int)) == set(ids["targets_A"])
        assert set(w.panels.problems.all["id"].astype(int)) == {ids["problem_A"]}
        assert w._signin_label.text() == f"登录：{role} · 规划员 · 镇/街道「雪堰镇」"
        settle(qtbot, w)
        w.close()
    finally:
        town.close()
        with store.engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        pg.disable_row_level_security(store.engine)
