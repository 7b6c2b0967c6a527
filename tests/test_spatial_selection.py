"""spatial.py selections against brute force (plain loops over every point)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon, box

from gisplanner.geo import spatial
from gisplanner.store.area_tree import subtree_ids


@pytest.fixture(scope="module")
def cloud():
    rng = np.random.default_rng(7)
    n = 3_000
    # clustered like villages, plus a few exact duplicates and points without coordinates
    centres = rng.uniform(0, 10_000, (12, 2))
    xy = centres[rng.integers(0, 12, n)] + rng.normal(0, 600, (n, 2))
    xy[10:20] = xy[0]
    ids = rng.permutation(np.arange(100, 100 + n))
    xy[5] = np.nan
    return ids, xy


def brute(ids, xy, geom):
    return sorted(
        int(i) for i, (x, y) in zip(ids, xy, strict=True) if np.isfinite(x) and geom.intersects(Point(x, y))
    )


def test_rectangle_matches_brute_force(cloud):
    ids, xy = cloud
    idx = spatial.PointIndex(ids, xy[:, 0], xy[:, 1])
    for x0, y0, x1, y1 in [(1000, 2000, 6000, 4500), (9000, 9000, -500, 3000), (0, 0, 1, 1)]:
        got = idx.in_rect(x0, y0, x1, y1).tolist()
        assert got == brute(ids, xy, spatial.rect(x0, y0, x1, y1))
    assert len(idx.in_rect(-1e6, -1e6, 1e6, 1e6)) == len(ids) - 1  # all but the NaN point


def test_lasso_matches_brute_force_including_self_intersections(cloud):
    ids, xy = cloud
    idx = spatial.PointIndex(ids, xy[:, 0], xy[:, 1])
    rng = np.random.default_rng(3)
    t = np.linspace(0, 2 * np.pi, 240, endpoint=False)
    rings = [
        np.column_stack([5000 + 3000 * (1 + 0.4 * np.sin(5 * t)) * np.cos(t), 5000 + 2500 * np.sin(t)]),
        np.array([[0, 0], [8000, 8000], [8000, 0], [0, 8000]]),  # a bow tie: two loops
        rng.uniform(0, 10_000, (40, 2)),  # a scribble
    ]
    for ring in rings:
        got = idx.in_polygon(ring).tolist()
        assert got == brute(ids, xy, spatial.as_polygon(ring))
        assert got == sorted(got) and len(set(got)) == len(got)
    assert len(idx.in_polygon(rings[1])) > 0  # both loops of the bow tie select
    assert idx.in_polygon(np.array([[0, 0], [1, 1]])).tolist() == []  # not a polygon


def test_polygon_boundary_points_count_as_inside():
    idx = spatial.PointIndex([1, 2, 3], [0.0, 5.0, 10.0], [0.0, 5.0, 10.0])
    assert idx.in_polygon(box(0, 0, 5, 5)).tolist() == [1, 2]
    assert idx.in_rect(5, 5, 10, 10).tolist() == [2, 3]


def test_nearest_matches_brute_force(cloud):
    ids, xy = cloud
    idx = spatial.PointIndex(ids, xy[:, 0], xy[:, 1])
    ok = np.isfinite(xy[:, 0])
    for qx, qy in [(5000, 5000), (-3000, 12000), (float(xy[0, 0]) + 0.1, float(xy[0, 1]))]:
        d = np.hypot(xy[ok, 0] - qx, xy[ok, 1] - qy)
        best = d.min()
        want = set(ids[ok][d == best].tolist())
        assert idx.nearest(qx, qy) in want
        if best <= 50:
            assert idx.nearest(qx, qy, max_distance=50) in want
        else:
            assert idx.nearest(qx, qy, max_distance=50) is None
    got = idx.within_distance(5000, 5000, 400).tolist()
    assert got == sorted(
        int(i) for i, (x, y) in zip(ids[ok], xy[ok], strict=True) if np.hypot(x - 5000, y - 5000) <= 400
    )


def test_empty_index():
    idx = spatial.PointIndex([], [], [])
    assert idx.in_rect(0, 0, 1, 1).tolist() == []
    assert idx.in_polygon(box(0, 0, 1, 1)).tolist() == []
    assert idx.nearest(0, 0) is None


def test_area_at_prefers_the_finest_level_and_by_area_uses_membership():
    town = box(0, 0, 20, 10)
    a, b = box(0, 0, 10, 10), box(10, 0, 20, 10)
    areas = spatial.AreaIndex([1, 2, 3], [town, a, b], ["town", "village", "village"])
    assert areas.area_at(3, 3) == 2
    assert areas.area_at(15, 3) == 3
    assert areas.area_at(3, 3, level="town") == 1
    assert areas.area_at(30, 3) is None
    assert areas.intersecting(Polygon([(8, 1), (12, 1), (12, 2)]), level="village").tolist() == [2, 3]
    below = subtree_ids([1], np.array([1, 2, 3, 4]), np.array([np.nan, 1, 1, 2]))
    assert sorted(below.tolist()) == [1, 2, 3, 4]
    tids, tarea = np.array([10, 11, 12, 13]), np.array([2, 3, 2, 9])
    assert spatial.ids_in_areas(tids, tarea, [2]).tolist() == [10, 12]
    assert spatial.ids_in_areas(tids, tarea, below).tolist() == [10, 11, 12]


def test_points_on_a_real_town(demo_store):
    """Village membership by geometry agrees with the stored area_id for the demo's points."""
    from gisplanner.demo import LOCAL_CRS

    areas = demo_store.areas_gdf(level="village").to_crs(LOCAL_CRS)
    t = demo_store.targets_gdf(kinds=["household"]).to_crs(LOCAL_CRS)
    idx = spatial.PointIndex(t["id"], t.geometry.x, t.geometry.y)
    for row in areas.head(5).itertuples():
        by_geom = set(idx.in_polygon(row.geometry).tolist())
        by_attr = set(t.loc[t["area_id"] == row.id, "id"].tolist())
        assert by_attr <= by_geom  # the demo places households inside their village
        assert len(by_geom - by_attr) <= 2  # only points exactly on a shared edge may differ
    assert shapely.is_valid(areas.geometry).all()
