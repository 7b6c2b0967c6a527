"""Digitising areas in the core: checks, split, merge, add, undo (before/after states)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Polygon

from gisplanner.geo import area_edit as E


def _village_pair(store):
    """Two villages of one town that share an edge, with their targets."""
    v = store.areas_gdf(level="village")
    for i, a in v.iterrows():
        for j, b in v.iterrows():
            if j <= i or a["parent_id"] != b["parent_id"]:
                continue
            if a.geometry.intersection(b.geometry).length > 1e-4:
                return a, b
    raise AssertionError("no adjacent villages")


def _targets_by_area(store):
    t = store.targets_frame()
    return t.set_index("id")["area_id"]


def test_invalid_polygons_get_clear_messages():
    bowtie = Polygon([(120.0, 31.0), (120.01, 31.01), (120.01, 31.0), (120.0, 31.01)])
    with pytest.raises(E.AreaEditError, match="自相交.*经度 120.005"):
        E.check_polygon(bowtie)
    with pytest.raises(E.AreaEditError, match="3 个不同的顶点"):
        E.check_polygon(Polygon([(120.0, 31.0), (120.01, 31.01), (120.0, 31.0)]))
    tiny = Polygon([(120.0, 31.0), (120.00001, 31.0), (120.00001, 31.00001)])
    with pytest.raises(E.AreaEditError, match="面积太小"):
        E.check_polygon(tiny)


def test_split_needs_a_line_across():
    sq = Polygon([(120.0, 31.0), (120.01, 31.0), (120.01, 31.01), (120.0, 31.01)])
    with pytest.raises(E.AreaEditError, match="没有把区域分开"):
        E.split_polygon(sq, LineString([(120.005, 30.99), (120.005, 31.005)]))  # stops inside
    pieces = E.split_polygon(sq, LineString([(120.003, 30.99), (120.003, 31.02)]))
    assert len(pieces) == 2 and pieces[0].area > pieces[1].area
    assert sum(p.area for p in pieces) == pytest.approx(sq.area)


def test_split_then_undo_restores_everything(demo_store_copy):
    store = demo_store_copy
    v = store.areas_gdf(level="village")
    t0 = _targets_by_area(store)
    row = v.loc[v["id"].map(t0.value_counts()).fillna(0).idxmax()]  # the busiest village
    geom = row.geometry
    c = geom.centroid
    line = LineString([(c.x, geom.bounds[1] - 0.01), (c.x, geom.bounds[3] + 0.01)])
    edit = E.plan_split(store, int(row["id"]), line)
    assert len(edit.area_ids) == 2
    E.apply(store, edit.after)
    after = store.areas_gdf(level="village").set_index("id")
    new_id = edit.area_ids[1]
    assert len(after) == len(v) + 1 and after.loc[new_id, "parent_id"] == row["parent_id"]
    assert after.loc[new_id, "code"].startswith(
        store.areas_gdf(level="town").set_index("id").loc[row["parent_id"], "code"][:9]
    )
    assert after.geometry.loc[int(row["id"])].area + after.geometry.loc[new_id].area == pytest.approx(
        geom.area
    )
    t1 = store.targets_frame().set_index("id")
    moved = t1.index[t1["area_id"] == new_id]
    assert len(moved) > 0  # households east/west of the line went with the new village
    assert shapely.contains_xy(after.geometry.loc[new_id], t1.loc[moved, "lon"], t1.loc[moved, "lat"]).all()
    # undo: one village again, the same boundary, every household back
    E.apply(store, edit.before)
    back = store.areas_gdf(level="village").set_index("id")
    assert len(back) == len(v) and new_id not in back.index
    assert back.geometry.loc[int(row["id"])].equals_exact(geom, 1e-12)
    assert (_targets_by_area(store) == t0).all()
    # redo works again (QUndoStack redoes after an undo)
    E.apply(store, edit.after)
    assert len(store.areas_gdf(level="village")) == len(v) + 1


def test_merge_moves_every_reference_and_undo_brings_it_back(demo_store_copy):
    store = demo_store_copy
    a, b = _village_pair(store)
    t0 = _targets_by_area(store)
    nb = int((t0 == b["id"]).sum())
    assert nb > 0
    edit = E.plan_merge(store, int(a["id"]), int(b["id"]))
    E.apply(store, edit.after)
    areas = store.areas_gdf().set_index("id")
    assert int(b["id"]) not in areas.index
    assert areas.geometry.loc[int(a["id"])].area == pytest.approx(a.geometry.area + b.geometry.area, rel=1e-6)
    assert areas.geometry.loc[int(a["id"])].geom_type == "Polygon"
    t1 = _targets_by_area(store)
    assert (t1 == a["id"]).sum() == (t0 == a["id"]).sum() + nb
    E.apply(store, edit.before)
    assert (_targets_by_area(store) == t0).all()
    back = store.areas_gdf().set_index("id")
    assert back.loc[int(b["id"]), "code"] == b["code"] and back.geometry.loc[int(b["id"])].equals(b.geometry)


def test_merge_refuses_areas_that_do_not_touch(demo_store_copy):
    v = demo_store_copy.areas_gdf(level="village")
    a = v.iloc[0]
    same = v[v["parent_id"] == a["parent_id"]]
    far = same.loc[same.geometry.apply(a.geometry.distance).idxmax()]
    with pytest.raises(E.AreaEditError, match="不相邻"):
        E.plan_merge(demo_store_copy, int(a["id"]), int(far["id"]))
    other_town = v[v["parent_id"] != a["parent_id"]]
    if len(other_town):
        with pytest.raises(E.AreaEditError, match="上级区域不同"):
            E.plan_merge(demo_store_copy, int(a["id"]), int(other_town["id"].iloc[0]))
    town = demo_store_copy.areas_gdf(level="town").iloc[0]
    with pytest.raises(E.AreaEditError, match="同一级别"):
        E.plan_merge(demo_store_copy, int(a["id"]), int(town["id"]))


def test_drawn_town_is_clipped_to_its_district_and_its_neighbours(empty_store):
    from sqlalchemy import insert

    from gisplanner.store.model import Area

    district = Polygon([(120.0, 31.0), (120.1, 31.0), (120.1, 31.1), (120.0, 31.1)])
    with empty_store.session() as s:
        s.execute(insert(Area.__table__).values(id=1, code="320412000000", name="武进区", level="district",
                                                boundary=shapely.to_wkb(district), version=1))  # fmt: skip
    first = Polygon([(119.99, 30.99), (120.05, 30.99), (120.05, 31.11), (119.99, 31.11)])  # sticks out west
    e1 = E.plan_add(empty_store, first, level="town", name="雪堰镇", parent_id=1)
    E.apply(empty_store, e1.after)
    second = Polygon([(120.04, 31.0), (120.1, 31.0), (120.1, 31.1), (120.04, 31.1)])  # overlaps the first
    e2 = E.plan_add(empty_store, second, level="town", name="前黄镇", parent_id=1)
    E.apply(empty_store, e2.after)
    towns = empty_store.areas_gdf(level="town").set_index("name")
    assert list(towns["code"]) == ["320412001000", "320412002000"]
    a, b = towns.geometry.loc["雪堰镇"], towns.geometry.loc["前黄镇"]
    assert district.buffer(1e-9).contains(a) and a.intersection(b).area < 1e-12
    assert a.union(b).area == pytest.approx(district.area, rel=1e-9)  # no gap, no overlap
    with pytest.raises(E.AreaEditError, match="名称"):
        E.plan_add(empty_store, second, level="town", name=" ", parent_id=1)
    with pytest.raises(E.AreaEditError, match="完全落在相邻区域内"):
        E.plan_add(empty_store, second.buffer(-0.01), level="town", name="X", parent_id=1)
    E.apply(empty_store, e2.before)  # undo the second drawing
    assert list(empty_store.areas_gdf(level="town")["name"]) == ["雪堰镇"]


def test_vertex_snapper():
    sq = Polygon([(0, 0), (100, 0), (100, 100), (0, 100)])
    s = E.VertexSnapper([sq])
    assert s.snap(103, 2, 5) == (100.0, 0.0, True)
    assert s.snap(50, 50, 5) == (50, 50, False)
    assert len(s) == 4 and np.isfinite(s.xy).all()


def test_edits_on_both_backends_keep_ids_consistent(backend_store):
    """Explicit ids (re-created on undo) must not collide with ids the database hands out later
    (PostgreSQL's sequence is moved past them)."""
    from gisplanner.store.model import Area

    store = backend_store
    district = Polygon([(120.0, 31.0), (120.1, 31.0), (120.1, 31.1), (120.0, 31.1)])
    with store.session() as s:
        s.add(Area(code="320412000000", name="武进区", level="district", boundary=shapely.to_wkb(district)))
    did = int(store.areas_gdf()["id"].iloc[0])
    add = E.plan_add(store, district, level="town", name="雪堰镇", parent_id=did)
    E.apply(store, add.after)
    tid = add.area_ids[0]
    split = E.plan_split(store, tid, LineString([(120.05, 30.9), (120.05, 31.2)]))
    E.apply(store, split.after)
    assert len(store.areas_gdf(level="town")) == 2
    merge = E.plan_merge(store, tid, split.area_ids[1])
    E.apply(store, merge.after)
    E.apply(store, merge.before)  # undo the merge: the second town comes back with its id
    assert sorted(store.areas_gdf(level="town")["id"]) == sorted(split.area_ids)
    with store.session() as s:  # an ordinary insert afterwards gets a fresh id
        s.add(Area(code="320412009000", name="新镇", level="town", parent_id=did))
    assert len(store.areas_gdf(level="town")) == 3
