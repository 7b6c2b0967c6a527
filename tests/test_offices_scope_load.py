"""A town user on a shared city database loads only their town (issue 20): the map, the tables,
the problems, the dashboard and the counts hold no row of another town — checked against the
database — and the target queries name the town's villages in their WHERE (indexes, no scan)."""

from __future__ import annotations

import pytest
from conftest import raise_panel
from sqlalchemy import event, select

pytest.importorskip("pytestqt")

from gisplanner.access import roles  # noqa: E402
from gisplanner.access.scope import UserScope  # noqa: E402
from gisplanner.store.database import Store  # noqa: E402
from gisplanner.store.model import Area, Problem, Round, Target  # noqa: E402


def test_a_town_user_loads_only_the_town(qtbot, backend_city_url):
    from gisplanner.ui.application import make_application
    from gisplanner.ui.main_window import MainWindow

    store = Store.open(backend_city_url)
    with store.session() as s:
        town_a, town_b = s.scalars(select(Area.id).where(Area.level == "town").order_by(Area.code)).all()[:2]
        villages_b = set(s.scalars(select(Area.id).where(Area.parent_id == town_b)))
        targets_b = set(s.scalars(select(Target.id).where(Target.area_id.in_(villages_b))))
        problems_b = set(
            s.scalars(select(Problem.id).join(Target, Target.id == Problem.target_id).where(
                Target.area_id.in_(villages_b)))
        )  # fmt: skip
        rounds_b = set(s.scalars(select(Round.id).where(Round.scope_area_id.in_(villages_b | {town_b}))))
        n_all = s.query(Target).count()
    assert targets_b and problems_b  # the other town has data to leak
    scope = UserScope.for_area(store, town_a)
    store.binding = roles.Binding("xueyan", "supervisor", scope)
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        make_application()
        w = MainWindow()
        qtbot.addWidget(w)
        w.show()
        raise_panel(w.panels.problems)  # its tab in front: it loads with the data
        with qtbot.waitSignals([w.panels.problems.loaded, w.mapLoaded], timeout=60_000):
            w.set_store(store)
        data = w.map_widget.data
        shown = set(data.targets["id"].astype(int))
        assert shown and not shown & targets_b and len(shown) < n_all
        assert set(data.targets["area_id"].astype(int)) <= scope.village_ids
        assert not set(data.all_areas["id"].astype(int)) & (villages_b | {town_b})
        assert not set(w.panels.problems.all["id"].astype(int)) & problems_b
        assert len(w.panels.problems.all)
        c = store.counts()
        assert c["households"] + c["enterprises"] + c["notable_persons"] == len(shown)
        assert not {r["id"] for r in c["round_list"]} & rounds_b
        # the dashboard's "all areas" is the user's town, and its figures count only its targets
        from gisplanner.campaign import coverage as cov
        from gisplanner.reporting import stats as st

        assert set(cov.load_targets(store)["id"]) == shown
        tree = st.AreaTree.load(store)
        assert tree.roots() == [town_a] and not set(tree.frame["id"]) & villages_b
        # every read of the target table names the villages (WHERE area_id IN …): no city-wide scan
        target_reads = [q.replace("\n", " ") for q in statements if " FROM target" in q]
        assert target_reads and [q for q in target_reads if "area_id IN" not in q] == []
        for _ in range(3):
            qtbot.waitUntil(lambda: not w._tasks and not w.panels.problems.busy, timeout=30_000)
            qtbot.wait(50)
    finally:
        store.binding = None
        store.close()
